import { expandNodes } from '../inventory/nodes';
import { NodePool } from '../inventory/inventory';
import { labPaths } from '../paths';
import { loadProviders, Provider } from '../registry/labProviders';
import { persistentVolumeObject, planVolumePool } from './pvPool';

let providers: Provider[];
beforeAll(async () => {
  providers = await loadProviders(labPaths().providersDir);
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

describe('volume pool', () => {
  let nodes: ReturnType<typeof expandNodes>;
  let volumes: ReturnType<typeof planVolumePool>;
  beforeAll(() => {
    nodes = expandNodes(
      [
        pool({ count: 2 }),
        pool({
          provider: 'scaleway',
          region: 'fr-par',
          zone: 'fr-par-1',
          instanceType: 'PRO2-S',
        }),
        pool({
          provider: 'scaleway',
          region: 'fr-par',
          zone: 'fr-par-2',
          instanceType: 'PRO2-S',
        }),
      ],
      providers,
    );
    volumes = planVolumePool(nodes, providers, {
      sizes: ['1Gi', '20Gi'],
      copies: 2,
    });
  });

  it('plans volumes per class and topology domain that has nodes', () => {
    const domains = new Set(
      volumes.map(v => `${v.storageClassName}@${v.topologyValue}`),
    );
    expect([...domains].sort()).toEqual([
      'hcloud-volumes@fsn1',
      'scw-bssd-retain@fr-par-1',
      'scw-bssd-retain@fr-par-2',
      'scw-bssd@fr-par-1',
      'scw-bssd@fr-par-2',
    ]);
  });

  it('raises sizes below the provider minimum (Hetzner 10Gi) and keeps Scaleway 1Gi', () => {
    const hetzner = volumes
      .filter(v => v.provider === 'hetzner')
      .map(v => v.size);
    expect(new Set(hetzner)).toEqual(new Set(['10Gi', '20Gi']));
    expect(
      volumes.some(v => v.provider === 'scaleway' && v.size === '1Gi'),
    ).toBe(true);
    expect(
      volumes.filter(v => v.storageClassName === 'hcloud-volumes'),
    ).toHaveLength(4);
  });

  it('pins each PV with nodeAffinity on the CSI topology key', () => {
    const v = volumes.find(
      x => x.storageClassName === 'scw-bssd' && x.topologyValue === 'fr-par-2',
    )!;
    const pv = persistentVolumeObject(v);
    expect(pv.spec.csi.driver).toBe('csi.scaleway.com');
    expect(
      pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0],
    ).toEqual({
      key: 'topology.csi.scaleway.com/zone',
      operator: 'In',
      values: ['fr-par-2'],
    });
    expect(pv.spec.persistentVolumeReclaimPolicy).toBe('Delete');
  });

  it('uses unique names', () => {
    expect(new Set(volumes.map(v => v.name)).size).toBe(volumes.length);
  });
});
