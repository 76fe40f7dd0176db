import { mockServices } from '@backstage/backend-test-utils';
import path from 'node:path';
import {
  KubeNode,
  KubePod,
  ProviderRegistry,
} from '@cloudlab/plugin-multi-provider-common';
import { loadProviderRegistry } from '@cloudlab/plugin-multi-provider-node';
import { REPO_ROOT } from './repositoryConfig';
import { ClusterCache } from '../shared/ClusterCache';
import { InMemoryCluster } from '../shared/InMemoryClusterSource';

/** A hetzner node in fsn1-dc14, ready unless told otherwise. */
export const node = (name: string, ready = true): KubeNode => ({
  metadata: {
    name,
    labels: {
      'cfke.io/provider': 'hetzner',
      'topology.kubernetes.io/region': 'fsn1',
      'topology.kubernetes.io/zone': 'fsn1-dc14',
    },
  },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

/** A pod of `app` in namespace `ns` on `nodeName`. */
export const pod = (
  name: string,
  app: string,
  nodeName = 'n1',
  phase = 'Running',
): KubePod & { apiVersion: string } => ({
  apiVersion: 'v1',
  metadata: { name, namespace: 'ns', labels: { app } },
  spec: { nodeName },
  status: { phase },
});

/** Polls `check` every 5 ms for up to 2 s; throws naming `what` when it never holds. */
export async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise(r => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Cluster c1: three nodes, web on n1 and n2, db on n3; its cache (not started) with short retry
 * timing, and `applied`, which makes a change and waits until the cache applied it.
 */
export function webAndDbCluster() {
  const cluster = new InMemoryCluster('c1', {
    nodes: [node('n1'), node('n2'), node('n3')],
    pods: [
      pod('web-1', 'web', 'n1'),
      pod('web-2', 'web', 'n2'),
      pod('db-1', 'db', 'n3'),
    ],
  });
  const cache = new ClusterCache(cluster, mockServices.logger.mock(), {
    backoffMs: 5,
    maxBackoffMs: 20,
  });
  /** Waits until the cache applied a change (its generation moved). */
  const applied = async (change: () => void) => {
    const g = cache.generation;
    change();
    await until(() => cache.generation > g, 'change applied');
  };
  return { cluster, cache, applied };
}

/** The repository's provider registry (`providers/`). */
export function repositoryRegistry(): Promise<ProviderRegistry> {
  return loadProviderRegistry(path.join(REPO_ROOT, 'providers'));
}
