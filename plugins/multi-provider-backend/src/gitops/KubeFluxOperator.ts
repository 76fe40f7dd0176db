import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  FluxObjectRef,
  RECONCILE_REQUESTED_AT_ANNOTATION,
} from '@cloudlab/plugin-multi-provider-common';
import {
  FluxOperator,
  fluxOperatorServiceRef,
  FluxPatch,
} from '@cloudlab/plugin-multi-provider-node';
import {
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { readMultiProviderConfig } from '../config';
import { FLUX_RESOURCES } from './resources';

/** The configuration key of the operator credential, named in every "not configured" error. */
export const OPERATOR_CONFIG_KEY = 'multiProvider.gitops.operator.clusters';

/** Builds the `reconcile.fluxcd.io/requestedAt` patch (what `flux reconcile` writes). */
export function reconcilePatch(now: Date = new Date()): {
  metadata: { annotations: Record<string, string> };
} {
  return {
    metadata: {
      annotations: { [RECONCILE_REQUESTED_AT_ANNOTATION]: now.toISOString() },
    },
  };
}

/**
 * Reads `multiProvider.gitops.operator.clusters[]` (`name`, `serviceAccountToken`): for each, the
 * cluster of the same name from `kubernetes.clusterLocatorMethods` gives URL and CA. The token is
 * a ServiceAccount's bound only to `patch` on the Flux kinds (gitops/platform/rbac, ClusterRole
 * `cloudlab-portal-flux-operator`). Without it, actions answer 501 naming this key.
 */
export function readOperatorCredentials(config: Config) {
  const clusters = readMultiProviderConfig(config).clusters;
  return (config.getOptionalConfigArray(OPERATOR_CONFIG_KEY) ?? []).map(c => {
    const name = c.getString('name');
    const cluster = clusters.find(k => k.name === name);
    if (!cluster) {
      throw new Error(
        `${OPERATOR_CONFIG_KEY}: cluster "${name}" is not configured in kubernetes.clusterLocatorMethods`,
      );
    }
    return { ...cluster, serviceAccountToken: c.getString('serviceAccountToken') };
  });
}

/** {@link FluxOperator} over `@kubernetes/client-node`, one merge patch per action. */
export class KubeFluxOperator implements FluxOperator {
  private readonly apis = new Map<string, KubernetesObjectApi>();

  constructor(credentials: ReturnType<typeof readOperatorCredentials>) {
    for (const c of credentials) {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: c.name, server: c.url, caData: c.caData, caFile: c.caFile, skipTLSVerify: c.skipTLSVerify }],
        users: [{ name: 'flux-operator', token: c.serviceAccountToken }],
        contexts: [{ name: c.name, cluster: c.name, user: 'flux-operator' }],
        currentContext: c.name,
      });
      this.apis.set(c.name, KubernetesObjectApi.makeApiClient(kc));
    }
  }

  clusters() {
    return [...this.apis.keys()];
  }

  async patch(ref: FluxObjectRef, patch: FluxPatch) {
    const api = this.apis.get(ref.cluster);
    if (!api) throw new Error(`no operator credential for cluster ${ref.cluster}`);
    const r = FLUX_RESOURCES[ref.kind];
    await api.patch(
      {
        apiVersion: `${r.group}/${r.version}`,
        kind: ref.kind,
        ...patch,
        metadata: {
          name: ref.name,
          namespace: ref.namespace,
          ...('metadata' in patch ? patch.metadata : {}),
        },
      },
      undefined,
      undefined,
      'cloudlab-portal',
      undefined,
      PatchStrategy.MergePatch,
    );
  }
}

/** The default Flux operator: the operator credentials of the configuration; a fake in tests. */
export const fluxOperatorServiceFactory = createServiceFactory({
  service: fluxOperatorServiceRef,
  deps: { config: coreServices.rootConfig },
  factory: ({ config }) => new KubeFluxOperator(readOperatorCredentials(config)),
});
