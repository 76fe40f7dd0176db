import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { labPaths } from '../paths';
import { loadProviders } from './labProviders';

const REGIONS = 'regions: [{name: r, country: DE, eu: true, zones: [z]}]';
const STORAGE =
  'storage: {csiDriver: d, topologyKey: k, topologyLevel: zone, minVolumeSize: 1Gi, classes: []}';
const TYPES = 'instanceTypes: [{name: t, cpu: "1", memory: 1Gi}]';

/** A registry directory holding one provider file with the given spec. */
function registry(spec: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-providers-'));
  fs.writeFileSync(
    path.join(dir, 'x.yaml'),
    `apiVersion: cloudlab.dev/v1alpha1\nkind: Provider\nmetadata: {name: x}\nspec: ${spec}\n`,
  );
  return dir;
}

describe('lab providers (the registry loaded by multi-provider-node)', () => {
  it('loads the repository registry', async () => {
    const providers = await loadProviders(labPaths().providersDir);
    expect(providers.map(p => p.name).sort()).toEqual(['hetzner', 'scaleway']);
    const hetzner = providers.find(p => p.name === 'hetzner')!;
    expect(hetzner.storage.topologyKey).toBe('csi.hetzner.cloud/location');
    expect(hetzner.instanceTypes.length).toBeGreaterThan(0);
  });

  it('loads a provider that has everything the lab simulates', async () => {
    const providers = await loadProviders(
      registry(`{detection: {labels: []}, ${REGIONS}, ${STORAGE}, ${TYPES}}`),
    );
    expect(providers).toMatchObject([
      {
        name: 'x',
        storage: { minVolumeSize: '1Gi' },
        instanceTypes: [{ name: 't' }],
      },
    ]);
  });

  it("rejects what the registry's schema rejects, naming the file and the field", async () => {
    await expect(
      loadProviders(
        registry(`{detection: {labels: []}, regions: [{name: r}]}`),
      ),
    ).rejects.toThrow(/x\.yaml: .*spec\.regions\.0\.eu/);
  });

  it('rejects a provider the lab cannot simulate, naming the file and the field', async () => {
    await expect(
      loadProviders(
        registry(`{detection: {labels: []}, ${REGIONS}, ${TYPES}}`),
      ),
    ).rejects.toThrow(
      /x\.yaml: provider x: spec\.storage is required by the lab/,
    );
    await expect(
      loadProviders(
        registry(`{detection: {labels: []}, ${REGIONS}, ${STORAGE}}`),
      ),
    ).rejects.toThrow(/x\.yaml: provider x: spec\.instanceTypes is required/);
    await expect(
      loadProviders(
        registry(
          `{detection: {labels: []}, ${REGIONS}, ${TYPES}, storage: {csiDriver: d, topologyKey: k, topologyLevel: zone}}`,
        ),
      ),
    ).rejects.toThrow(/spec\.storage\.minVolumeSize is required/);
  });
});
