import fs from 'node:fs';
import { labPaths } from '../paths';
import { loadProviders, Provider } from '../registry/labProviders';
import { loadInventory, parseInventory, validateInventory } from './inventory';

const paths = labPaths();
let providers: Provider[];
beforeAll(async () => {
  providers = await loadProviders(paths.providersDir);
});

const inventory = (pools: string) =>
  parseInventory(
    `apiVersion: cloudlab.dev/v1alpha1\nkind: LabInventory\nmetadata: {name: t}\nspec:\n  nodePools:\n${pools}`,
  );

describe('inventory', () => {
  it('the default inventory matches the registry and covers the required zones', () => {
    const inv = loadInventory(paths.inventory, providers);
    const nodes = inv.spec.nodePools.reduce((a, p) => a + p.count, 0);
    expect(nodes).toBeGreaterThanOrEqual(6);
    const zones = inv.spec.nodePools.map(p => `${p.provider}/${p.region}`);
    for (const z of ['hetzner/fsn1', 'hetzner/nbg1', 'hetzner/hel1'])
      expect(zones).toContain(z);
    expect(inv.spec.nodePools.map(p => p.zone)).toEqual(
      expect.arrayContaining(['nl-ams-1', 'fr-par-1', 'fr-par-2']),
    );
  });

  it('reports an unknown provider', () => {
    const inv = inventory(
      '    - {provider: ovh, region: gra, zone: gra-1, instanceType: b2, count: 1}\n',
    );
    expect(validateInventory(inv, providers)).toEqual([
      expect.stringMatching(
        /provider "ovh" is not in the registry \(known: hetzner, scaleway\)/,
      ),
    ]);
  });

  it('reports a zone outside its region and an unknown instance type', () => {
    const inv = inventory(
      '    - {provider: scaleway, region: fr-par, zone: nl-ams-1, instanceType: cx32, count: 1}\n',
    );
    const problems = validateInventory(inv, providers);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /zone "nl-ams-1" is not in scaleway region fr-par/,
    );
    expect(problems[1]).toMatch(
      /instance type "cx32" is not a scaleway instance type/,
    );
  });

  it('does not fire on a valid pool', () => {
    const inv = inventory(
      '    - {provider: hetzner, region: hel1, zone: hel1-dc2, instanceType: cx32, count: 3}\n',
    );
    expect(validateInventory(inv, providers)).toEqual([]);
  });

  it('refuses to let labels override the provider label', () => {
    const inv = inventory(
      '    - {provider: hetzner, region: hel1, zone: hel1-dc2, instanceType: cx32, count: 1, labels: {cfke.io/provider: scaleway}}\n',
    );
    expect(validateInventory(inv, providers)[0]).toMatch(
      /may not override cfke.io\/provider/,
    );
  });

  it('rejects a schema error with its path', () => {
    expect(() =>
      inventory(
        '    - {provider: hetzner, region: hel1, zone: hel1-dc2, instanceType: cx32, count: -1}\n',
      ),
    ).toThrow(/spec\.nodePools\.0\.count/);
  });

  it('is the file the lab uses by default', () => {
    expect(fs.existsSync(paths.inventory)).toBe(true);
  });
});
