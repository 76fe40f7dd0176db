import { labPaths } from '../paths';
import { loadProviders, parseProviders } from './providerRegistry';

describe('provider registry', () => {
  it('loads the repository registry', () => {
    const providers = loadProviders(labPaths().providersDir);
    expect(providers.map(p => p.metadata.name).sort()).toEqual([
      'hetzner',
      'scaleway',
    ]);
    const hetzner = providers.find(p => p.metadata.name === 'hetzner')!;
    expect(hetzner.spec.storage.topologyKey).toBe('csi.hetzner.cloud/location');
  });

  it('rejects a provider without storage, naming the file and the path', () => {
    expect(() =>
      parseProviders([
        {
          name: 'bad.yaml',
          content:
            'apiVersion: cloudlab.dev/v1alpha1\nkind: Provider\nmetadata: {name: x}\nspec: {displayName: X, detection: {labels: []}, regions: [{name: r, country: DE, eu: true, zones: [z]}], instanceTypes: [{name: t, cpu: "1", memory: 1Gi}]}\n',
        },
      ]),
    ).toThrow(/bad\.yaml: invalid provider at spec\.storage/);
  });
});
