import {
  ProviderDefinition,
  ProviderRegistry,
} from '../registry/createProviderRegistry';
import { SlimNode, SlimPod } from '../kube/slim';

const GIB = 1024 ** 3;

/** A provider with a price table, for the cost tests. */
export function pricedProvider(
  name: string,
  types: Array<{ name: string; cpu: number; memGiB: number; monthly: number }>,
  regions: string[] = [`${name}-r1`, `${name}-r2`],
  readOn = '2026-01-01',
): ProviderDefinition {
  return {
    name,
    displayName: name,
    detection: {
      labels: [{ key: 'cfke.io/provider', value: name }],
      labelPrefixes: [],
      providerIDSchemes: [],
    },
    regions: regions.map(r => ({ name: r, eu: true, zones: [`${r}-a`] })),
    storage: {
      csiDriver: `csi.${name}.example`,
      topologyKey: `csi.${name}.example/zone`,
      topologyLevel: 'zone',
      minVolumeSize: '10Gi',
      wholeGiB: true,
      classes: [
        {
          name: `${name}-volumes`,
          reclaimPolicy: 'Delete',
          allowVolumeExpansion: true,
        },
      ],
    },
    prices: {
      currency: 'EUR',
      taxIncluded: false,
      source: { url: `https://${name}.example/prices`, readOn },
      serverTypes: types.map(t => ({
        name: t.name,
        cpu: t.cpu,
        memory: `${t.memGiB}Gi`,
        hourly: t.monthly / 730,
        monthly: t.monthly,
        regions,
      })),
      blockStorage: { perGiBMonth: 0.05, minSize: '10Gi' },
      loadBalancers: [],
    },
  };
}

/** Two priced providers. */
export function testRegistry(): ProviderRegistry {
  return {
    providers: [
      pricedProvider('alpha', [
        { name: 'a-small', cpu: 2, memGiB: 4, monthly: 4 },
        { name: 'a-large', cpu: 4, memGiB: 8, monthly: 6.8 },
      ]),
      pricedProvider('beta', [
        { name: 'b-small', cpu: 2, memGiB: 2, monthly: 6.42 },
        { name: 'b-large', cpu: 8, memGiB: 32, monthly: 159.87 },
      ]),
    ],
  };
}

/** A node of a provider, region and server type with the type's resources allocatable. */
export function node(
  name: string,
  provider: string,
  region: string,
  serverType: string,
  cpu: number,
  memGiB: number,
): SlimNode {
  const res = { cpuMillis: cpu * 1000, memoryBytes: memGiB * GIB, pods: 110 };
  return {
    name,
    labels: {
      'cfke.io/provider': provider,
      'topology.kubernetes.io/region': region,
      'topology.kubernetes.io/zone': `${region}-a`,
      'node.kubernetes.io/instance-type': serverType,
    },
    capacity: res,
    allocatable: res,
    ready: true,
  };
}

/** A running pod of a Deployment on a node with these requests. */
export function pod(
  name: string,
  deployment: string,
  nodeName: string | undefined,
  cpuMillis: number,
  memGiB: number,
  namespace = 'apps',
): SlimPod {
  return {
    name,
    namespace,
    owner: { kind: 'Deployment', name: deployment },
    ...(nodeName ? { nodeName } : {}),
    phase: nodeName ? 'Running' : 'Pending',
    requests: { cpuMillis, memoryBytes: memGiB * GIB },
  };
}
