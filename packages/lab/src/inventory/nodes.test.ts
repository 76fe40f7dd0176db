import { labPaths } from '../paths';
import { loadProviders, Provider } from '../registry/labProviders';
import { loadInventory, NodePool } from './inventory';
import { csiNodeObject, expandNodes, nodeObject } from './nodes';

const paths = labPaths();
let providers: Provider[];
beforeAll(async () => {
  providers = await loadProviders(paths.providersDir);
});

const pool = (p: Partial<NodePool>): NodePool => ({
  provider: 'hetzner',
  region: 'fsn1',
  zone: 'fsn1-dc14',
  instanceType: 'cx32',
  count: 1,
  labels: {},
  taints: [],
  ...p,
});

describe('node labels', () => {
  it('gives a Hetzner node its provider, region, zone, instance type, hostname and CSI location', () => {
    const [n] = expandNodes([pool({})], providers);
    expect(n.name).toBe('hetzner-fsn1-dc14-cx32-1');
    expect(n.labels).toMatchObject({
      'cfke.io/provider': 'hetzner',
      'topology.kubernetes.io/region': 'fsn1',
      'topology.kubernetes.io/zone': 'fsn1-dc14',
      'node.kubernetes.io/instance-type': 'cx32',
      'kubernetes.io/hostname': 'hetzner-fsn1-dc14-cx32-1',
      'csi.hetzner.cloud/location': 'fsn1',
    });
    expect(n.providerID).toMatch(/^hcloud:\/\//);
    expect(n.capacity).toMatchObject({ cpu: '4', memory: '8Gi', pods: '110' });
  });

  it('uses the zone as the Scaleway CSI topology value, and no Hetzner key', () => {
    const [n] = expandNodes(
      [
        pool({
          provider: 'scaleway',
          region: 'fr-par',
          zone: 'fr-par-2',
          instanceType: 'DEV1-L',
        }),
      ],
      providers,
    );
    expect(n.labels['topology.csi.scaleway.com/zone']).toBe('fr-par-2');
    expect(n.labels['csi.hetzner.cloud/location']).toBeUndefined();
    expect(n.name).toBe('scaleway-fr-par-2-dev1-l-1');
  });

  it('spreads a requested count round-robin over the pools', () => {
    const nodes = expandNodes(
      [
        pool({}),
        pool({
          provider: 'scaleway',
          region: 'nl-ams',
          zone: 'nl-ams-1',
          instanceType: 'PRO2-S',
        }),
      ],
      providers,
      { prefix: 'scale-', count: 5 },
    );
    expect(nodes.map(n => n.name)).toEqual([
      'scale-hetzner-fsn1-dc14-cx32-1',
      'scale-scaleway-nl-ams-1-pro2-s-1',
      'scale-hetzner-fsn1-dc14-cx32-2',
      'scale-scaleway-nl-ams-1-pro2-s-2',
      'scale-hetzner-fsn1-dc14-cx32-3',
    ]);
  });

  it('carries taints into the Node object and omits an empty list', () => {
    const [tainted] = expandNodes(
      [
        pool({
          taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }],
        }),
      ],
      providers,
    );
    expect(nodeObject(tainted).spec.taints).toEqual([
      { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
    ]);
    const [plain] = expandNodes([pool({})], providers);
    expect(nodeObject(plain).spec.taints).toBeUndefined();
  });

  it('every default node carries every required label', () => {
    const inv = loadInventory(paths.inventory, providers);
    for (const n of expandNodes(inv.spec.nodePools, providers)) {
      for (const key of [
        'cfke.io/provider',
        'topology.kubernetes.io/region',
        'topology.kubernetes.io/zone',
        'node.kubernetes.io/instance-type',
        'kubernetes.io/hostname',
      ]) {
        expect(n.labels[key]).toBeTruthy();
      }
    }
  });
});

describe('CSINode', () => {
  it('registers the provider CSI driver with its topology key, as the kubelet would', () => {
    const [h] = expandNodes([pool({})], providers);
    const [s] = expandNodes(
      [
        pool({
          provider: 'scaleway',
          region: 'fr-par',
          zone: 'fr-par-1',
          instanceType: 'PRO2-S',
        }),
      ],
      providers,
    );
    expect(csiNodeObject(h, providers).spec.drivers).toEqual([
      {
        name: 'csi.hetzner.cloud',
        nodeID: h.providerID,
        topologyKeys: ['csi.hetzner.cloud/location'],
      },
    ]);
    const scw = csiNodeObject(s, providers);
    expect(scw.metadata.name).toBe(s.name);
    expect(scw.spec.drivers.map(d => d.name)).toEqual(['csi.scaleway.com']);
    // The node carries the label the driver's topology key names.
    expect(s.labels[scw.spec.drivers[0].topologyKeys[0]]).toBe('fr-par-1');
  });
});
