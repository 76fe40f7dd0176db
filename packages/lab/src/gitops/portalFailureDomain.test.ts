import {
  analyseFailureDomain,
  ProviderRegistry,
  slimNode,
  SlimNode,
  slimPod,
  SlimPod,
} from '@cloudlab/plugin-multi-provider-common';
import path from 'node:path';
import { labPaths } from '../paths';
import { loadInventory } from '../inventory/inventory';
import { expandNodes, nodeObject } from '../inventory/nodes';
import { loadProviders, Provider } from '../registry/labProviders';
import { renderLabTree } from './renderLabTree';

const paths = labPaths();

// Renders both cluster trees with kustomize; the machine is shared.
jest.setTimeout(120_000);

const PORTAL = { namespace: 'cloudlab-portal', name: 'cloudlab-portal' };

/** The portal's Deployment as the named cluster tree of the repository applies it. */
async function portalDeployment(cluster: string): Promise<any> {
  const tree = await renderLabTree(
    paths.root,
    path.join(paths.root, 'gitops', 'clusters', cluster),
  );
  const found = tree.layers
    .flatMap(l => l.objects)
    .filter(
      o =>
        o.kind === 'Deployment' &&
        o.metadata.namespace === PORTAL.namespace &&
        o.metadata.name === PORTAL.name,
    );
  expect(found).toHaveLength(1);
  return found[0];
}

/** The lab's simulated nodes (lab/inventory): one per pool entry, Ready. */
function labNodes(providers: Provider[]): SlimNode[] {
  const inventory = loadInventory(paths.inventory, providers);
  return expandNodes(inventory.spec.nodePools, providers).map(spec => {
    const node = nodeObject(spec) as any;
    node.status.conditions = [{ type: 'Ready', status: 'True' }];
    return slimNode(node);
  });
}

/** Replica `i` of the Deployment, running on `nodeName`. */
function replica(deployment: any, i: number, nodeName: string): SlimPod {
  const hash = 'desired';
  return slimPod({
    metadata: {
      name: `${deployment.metadata.name}-${hash}-${i}`,
      namespace: deployment.metadata.namespace,
      labels: {
        ...deployment.spec.template.metadata.labels,
        'pod-template-hash': hash,
      },
      ownerReferences: [
        { kind: 'ReplicaSet', name: `${deployment.metadata.name}-${hash}` },
      ],
    },
    spec: { ...deployment.spec.template.spec, nodeName },
    status: { phase: 'Running' },
  } as any);
}

/**
 * Every way the scheduler may place the Deployment's replicas on `nodes` under its hard
 * constraints that this check reads: nodeSelector (equality) and topology spread with
 * DoNotSchedule, each replica placed in turn against the ones before it, as the scheduler does.
 */
function admissiblePlacements(deployment: any, nodes: SlimNode[]): string[][] {
  const spec = deployment.spec.template.spec;
  const selector: Record<string, string> = spec.nodeSelector ?? {};
  const spreads = (spec.topologySpreadConstraints ?? []).filter(
    (c: any) => c.whenUnsatisfiable === 'DoNotSchedule',
  );
  const eligible = nodes.filter(n =>
    Object.entries(selector).every(([k, v]) => n.labels[k] === v),
  );
  const domainOf = (node: SlimNode, key: string) => node.labels[key];
  const admits = (placed: SlimNode[], candidate: SlimNode) =>
    spreads.every((c: any) => {
      const counts = new Map<string, number>();
      for (const n of eligible) counts.set(domainOf(n, c.topologyKey), 0);
      for (const n of placed) {
        const d = domainOf(n, c.topologyKey);
        counts.set(d, (counts.get(d) ?? 0) + 1);
      }
      const here = counts.get(domainOf(candidate, c.topologyKey)) ?? 0;
      return here + 1 - Math.min(...counts.values()) <= c.maxSkew;
    });
  let placements: SlimNode[][] = [[]];
  for (let i = 0; i < deployment.spec.replicas; i++) {
    placements = placements.flatMap(placed =>
      eligible.filter(n => admits(placed, n)).map(n => [...placed, n]),
    );
  }
  return placements.map(p => p.map(n => n.name));
}

describe('the portal on the platform survives the loss of either provider', () => {
  let providers: Provider[];
  let nodes: SlimNode[];
  beforeAll(async () => {
    providers = await loadProviders(paths.providersDir);
    nodes = labNodes(providers);
  });

  /** The portal's verdict per provider lost, over every admissible placement. */
  function verdicts(deployment: any) {
    const registry: ProviderRegistry = { providers };
    const placements = admissiblePlacements(deployment, nodes);
    expect(placements.length).toBeGreaterThan(0);
    const out = new Set<string>();
    for (const placement of placements) {
      const pods = placement.map((n, i) => replica(deployment, i, n));
      for (const provider of ['hetzner', 'scaleway']) {
        const result = analyseFailureDomain({
          nodes,
          pods,
          registry,
          domain: { level: 'provider', name: provider },
        });
        const portal = result.services.find(
          s => s.id === `${PORTAL.namespace}/${PORTAL.name}`,
        )!;
        out.add(`${provider}: ${portal.verdict}`);
      }
    }
    return [...out].sort();
  }

  it.each(['cloudlab', 'lab'])(
    'cluster %s: two replicas spread over cfke.io/provider, one per provider in every placement the scheduler may choose',
    async cluster => {
      const deployment = await portalDeployment(cluster);
      expect(deployment.spec.replicas).toBe(2);
      const providerOf = new Map(
        nodes.map(n => [n.name, n.labels['cfke.io/provider']]),
      );
      for (const placement of admissiblePlacements(deployment, nodes)) {
        expect(new Set(placement.map(n => providerOf.get(n))).size).toBe(2);
      }
      expect(verdicts(deployment)).toEqual([
        'hetzner: survives',
        'scaleway: survives',
      ]);
    },
  );

  it('would not survive the loss of hetzner if the replicas were pinned there (the check can fail)', async () => {
    const deployment = await portalDeployment('cloudlab');
    const pinned = structuredClone(deployment);
    pinned.spec.template.spec.nodeSelector = { 'cfke.io/provider': 'hetzner' };
    delete pinned.spec.template.spec.topologySpreadConstraints;
    expect(verdicts(pinned)).toEqual([
      'hetzner: down',
      'scaleway: survives',
    ]);
  });
});
