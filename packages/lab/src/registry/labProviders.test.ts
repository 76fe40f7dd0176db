import { labPaths } from '../paths';
import { loadProviders, parseProviders } from './labProviders';

const doc = (spec: string) => ({
  name: 'bad.yaml',
  content: `apiVersion: cloudlab.dev/v1alpha1\nkind: Provider\nmetadata: {name: x}\nspec: ${spec}\n`,
});
const REGIONS = 'regions: [{name: r, country: DE, eu: true, zones: [z]}]';
const STORAGE =
  'storage: {csiDriver: d, topologyKey: k, topologyLevel: zone, minVolumeSize: 1Gi, classes: []}';
const TYPES = 'instanceTypes: [{name: t, cpu: "1", memory: 1Gi}]';

describe('lab providers (the registry parsed by multi-provider-common)', () => {
  it('loads the repository registry', () => {
    const providers = loadProviders(labPaths().providersDir);
    expect(providers.map(p => p.name).sort()).toEqual(['hetzner', 'scaleway']);
    const hetzner = providers.find(p => p.name === 'hetzner')!;
    expect(hetzner.storage.topologyKey).toBe('csi.hetzner.cloud/location');
    expect(hetzner.instanceTypes.length).toBeGreaterThan(0);
  });

  it("rejects what the registry's schema rejects, naming the file and the path", () => {
    expect(() =>
      parseProviders([doc(`{detection: {labels: []}, regions: [{name: r}]}`)]),
    ).toThrow(/bad\.yaml: .*invalid at spec\.regions\.0\.eu/);
  });

  it('rejects a provider the lab cannot simulate: no storage, no instance types', () => {
    expect(() =>
      parseProviders([doc(`{detection: {labels: []}, ${REGIONS}, ${TYPES}}`)]),
    ).toThrow(/bad\.yaml: provider x: spec\.storage is required by the lab/);
    expect(() =>
      parseProviders([
        doc(`{detection: {labels: []}, ${REGIONS}, ${STORAGE}}`),
      ]),
    ).toThrow(/bad\.yaml: provider x: spec\.instanceTypes is required/);
  });

  it('rejects a provider defined twice across files', () => {
    const ok = doc(
      `{detection: {labels: []}, ${REGIONS}, ${STORAGE}, ${TYPES}}`,
    );
    expect(() => parseProviders([ok, { ...ok, name: 'again.yaml' }])).toThrow(
      /again\.yaml: provider x is defined twice/,
    );
  });
});
