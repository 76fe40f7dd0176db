import { expandNodes } from '../inventory/nodes';
import { NodePool } from '../inventory/inventory';
import { labPaths } from '../paths';
import { loadProviders, Provider } from '../registry/labProviders';
import { planScaleClaims, scaleClaimObjects } from './scaleClaims';

const pools: NodePool[] = [
  ['hetzner', 'fsn1', 'fsn1-dc14', 'cx32'],
  ['hetzner', 'nbg1', 'nbg1-dc3', 'cx32'],
  ['scaleway', 'fr-par', 'fr-par-1', 'PRO2-S'],
  ['scaleway', 'fr-par', 'fr-par-2', 'PRO2-S'],
].map(([provider, region, zone, instanceType]) => ({
  provider,
  region,
  zone,
  instanceType,
  count: 1,
  labels: {},
  taints: [],
}));
let providers: Provider[];
let nodes: ReturnType<typeof expandNodes>;
beforeAll(async () => {
  providers = await loadProviders(labPaths().providersDir);
  nodes = expandNodes(pools, providers, { prefix: 'scale-', count: 8 });
});

describe('lab scale claims', () => {
  let claims: ReturnType<typeof planScaleClaims>;
  beforeAll(() => {
    claims = planScaleClaims(
      3000,
      ['bench-0', 'bench-1', 'bench-2'],
      nodes,
      providers,
    );
  });

  it('spreads the claims evenly over the bench Deployments with unique names', () => {
    const per = new Map<string, number>();
    for (const c of claims)
      per.set(c.deployment, (per.get(c.deployment) ?? 0) + 1);
    expect(Object.fromEntries(per)).toEqual({
      'bench-0': 1000,
      'bench-1': 1000,
      'bench-2': 1000,
    });
    expect(new Set(claims.map(c => c.name)).size).toBe(3000);
    expect(new Set(claims.map(c => c.volume.name)).size).toBe(3000);
    expect(claims[0].name).toBe('bench-0-data-0');
    expect(claims[2999].name).toBe('bench-2-data-999');
  });

  it("places volumes in every provider's topology domains that have nodes", () => {
    const places = new Set(
      claims.map(
        c =>
          `${c.volume.provider}/${c.volume.storageClassName}/${c.volume.topologyKey}=${c.volume.topologyValue}`,
      ),
    );
    expect([...places].sort()).toEqual([
      'hetzner/hcloud-volumes/csi.hetzner.cloud/location=fsn1',
      'hetzner/hcloud-volumes/csi.hetzner.cloud/location=nbg1',
      'scaleway/scw-bssd/topology.csi.scaleway.com/zone=fr-par-1',
      'scaleway/scw-bssd/topology.csi.scaleway.com/zone=fr-par-2',
    ]);
  });

  it('pre-binds claim and volume to each other with the entity labels on both', () => {
    const labels = { 'lab-scale/deployment': 'bench-1', app: 'lab-scale' };
    const claim = claims.find(c => c.deployment === 'bench-1')!;
    const { pvc, pv } = scaleClaimObjects(claim, 'lab-scale', labels);
    expect(pvc.spec.volumeName).toBe(pv.metadata.name);
    expect(pv.spec.claimRef).toMatchObject({
      kind: 'PersistentVolumeClaim',
      namespace: 'lab-scale',
      name: pvc.metadata.name,
    });
    expect(pvc.spec.storageClassName).toBe(pv.spec.storageClassName);
    expect(pvc.metadata.labels).toEqual(labels);
    expect(pv.metadata.labels).toMatchObject(labels);
    expect(pv.metadata.labels).not.toHaveProperty(
      'cloudlab.dev/lab-volume-pool',
    );
    expect(
      pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0]
        .key,
    ).toBe(claim.volume.topologyKey);
  });

  it('requests a size no provider finding objects to (whole GiB, ≥ 10Gi)', () => {
    expect(new Set(claims.map(c => c.volume.size))).toEqual(new Set(['10Gi']));
  });

  it('refuses claims without Deployments or without nodes', () => {
    expect(planScaleClaims(0, [], [], providers)).toEqual([]);
    expect(() => planScaleClaims(5, [], nodes, providers)).toThrow(
      /--claims needs --pods > 0/,
    );
    expect(() => planScaleClaims(5, ['bench-0'], [], providers)).toThrow(
      /--claims needs --nodes > 0/,
    );
  });
});
