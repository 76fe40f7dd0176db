import {
  SlimFluxObject,
  dependencyChain,
  describeFluxObject,
  fluxClaimsOf,
  fluxObjectState,
  rollup,
  slimFluxObject,
  slimVsoObject,
  vsoObjectState,
} from '..';

const k = (
  name: string,
  ready: 'True' | 'False' | 'Unknown' | undefined,
  extra: Partial<SlimFluxObject> = {},
): SlimFluxObject => ({
  kind: 'Kustomization',
  namespace: 'flux-system',
  name,
  suspended: false,
  conditions: ready
    ? [{ type: 'Ready', status: ready, reason: `R-${name}`, message: `M-${name}` }]
    : [],
  dependsOn: [],
  ...extra,
});

describe('fluxObjectState', () => {
  it('follows kstatus: suspended, stalled, ready, waiting, failed, reconciling, unknown', () => {
    expect(fluxObjectState(k('a', 'True')).state).toBe('ready');
    expect(fluxObjectState(k('a', 'True', { generation: 2, observedGeneration: 1 })).state).toBe('reconciling');
    expect(fluxObjectState(k('a', 'False')).state).toBe('failed');
    expect(
      fluxObjectState({ ...k('a', 'False'), conditions: [{ type: 'Ready', status: 'False', reason: 'DependencyNotReady' }] }).state,
    ).toBe('waiting');
    expect(fluxObjectState(k('a', 'Unknown')).state).toBe('reconciling');
    expect(fluxObjectState(k('a', undefined)).state).toBe('unknown');
    expect(fluxObjectState(k('a', 'False', { suspended: true })).state).toBe('suspended');
    expect(
      fluxObjectState({ ...k('a', 'False'), conditions: [{ type: 'Stalled', status: 'True', reason: 'BuildFailed' }] }),
    ).toEqual({ state: 'stalled', reason: 'BuildFailed' });
  });
});

describe('rollup', () => {
  const chainOf = (own: SlimFluxObject[], all: SlimFluxObject[]) => {
    const lookup = (_kind: string, ns: string, name: string) =>
      all.find(o => o.namespace === ns && o.name === name);
    const chain = dependencyChain('lab', own, lookup as any);
    return rollup(own.map(o => describeFluxObject('lab', o)), chain.links);
  };

  it('is failing with the worst own reason, degraded by a red link, healthy otherwise', () => {
    const base = k('base', 'True');
    const broken = k('broken', 'False');
    const app = k('app', 'True', { dependsOn: [{ namespace: 'flux-system', name: 'base' }] });
    expect(chainOf([app], [app, base]).verdict).toBe('healthy');
    expect(chainOf([broken], [broken])).toMatchObject({ verdict: 'failing', reason: 'R-broken', message: 'M-broken' });
    const onBroken = k('app', 'True', { dependsOn: [{ namespace: 'flux-system', name: 'broken' }] });
    expect(chainOf([onBroken], [onBroken, broken])).toMatchObject({
      verdict: 'degraded',
      reason: 'R-broken',
      object: { name: 'broken' },
    });
    const missingDep = k('app', 'True', { dependsOn: [{ namespace: 'flux-system', name: 'gone' }] });
    expect(chainOf([missingDep], [missingDep])).toMatchObject({ verdict: 'degraded', reason: 'NotFound' });
    expect(chainOf([k('s', 'True', { suspended: true })], [])).toMatchObject({ verdict: 'suspended' });
    expect(chainOf([k('p', 'Unknown')], [])).toMatchObject({ verdict: 'progressing' });
    expect(rollup([], [])).toMatchObject({ verdict: 'unknown' });
  });

  it('walks cycles once', () => {
    const a = k('a', 'True', { dependsOn: [{ namespace: 'flux-system', name: 'b' }] });
    const b = k('b', 'True', { dependsOn: [{ namespace: 'flux-system', name: 'a' }] });
    const lookup = (_k: string, _ns: string, name: string) => [a, b].find(o => o.name === name);
    const chain = dependencyChain('lab', [a], lookup as any);
    expect(chain.related.map(o => o.name)).toEqual(['b']);
    expect(chain.links).toHaveLength(2);
  });
});

describe('trimming', () => {
  it('keeps no secret material of a VaultStaticSecret', () => {
    const slim = slimVsoObject('VaultStaticSecret', {
      metadata: { name: 's', namespace: 'n' },
      spec: {
        destination: { name: 'd', create: true, transformation: { templates: { x: { text: '{{ .Secrets.password }}' } } } },
        path: 'apps/x',
      },
      status: { secretMAC: 'c2VjcmV0LW1hYw==', staticSecretData: { password: 'hunter2' } },
    });
    const text = JSON.stringify(slim);
    expect(text).not.toMatch(/c2VjcmV0LW1hYw|hunter2|Secrets\.password/);
    expect(slim.destination).toEqual({ name: 'd', create: true });
    expect(vsoObjectState(slim).state).toBe('pending');
  });

  it('parses a Kustomization inventory and a HelmRelease chart source', () => {
    const kz = slimFluxObject('Kustomization', {
      metadata: { name: 'k', namespace: 'flux-system' },
      spec: { dependsOn: [{ name: 'base' }] },
      status: { inventory: { entries: [{ id: 'ns_web_apps_Deployment', v: 'v1' }, { id: '_ns__Namespace', v: 'v1' }] } },
    });
    expect(kz.inventory).toEqual([
      { namespace: 'ns', name: 'web', group: 'apps', kind: 'Deployment', version: 'v1' },
      { namespace: '', name: 'ns', group: '', kind: 'Namespace', version: 'v1' },
    ]);
    expect(kz.dependsOn).toEqual([{ namespace: 'flux-system', name: 'base' }]);
    const hr = slimFluxObject('HelmRelease', {
      metadata: { name: 'vault', namespace: 'vault' },
      spec: { chart: { spec: { chart: 'vault', version: '1.0.0', sourceRef: { kind: 'HelmRepository', name: 'hashicorp', namespace: 'flux-system' } } } },
      status: { history: [{ status: 'deployed', chartName: 'vault', chartVersion: '1.0.0' }] },
    });
    expect(hr).toMatchObject({
      chart: 'vault@1.0.0',
      lastAppliedRevision: 'vault@1.0.0',
      sourceRef: { kind: 'HelmRepository', namespace: 'flux-system', name: 'hashicorp' },
    });
  });

  it('reads claims in the three item forms and the appliers', () => {
    expect(
      fluxClaimsOf({
        'cloudlab.dev/flux-kustomizations': 'a, flux-system/b,lab/flux-system/c,bad//x',
        'cloudlab.dev/flux-applied-by': 'lab/flux-system/root',
      }),
    ).toEqual([
      { kind: 'Kustomization', name: 'a' },
      { kind: 'Kustomization', namespace: 'flux-system', name: 'b' },
      { kind: 'Kustomization', cluster: 'lab', namespace: 'flux-system', name: 'c' },
      { kind: 'Kustomization', cluster: 'lab', namespace: 'flux-system', name: 'root', appliedBy: true },
    ]);
  });
});
