import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import {
  ProviderRegistryError,
  createProviderRegistry,
  isEuRegion,
} from './createProviderRegistry';
import { locationOfNode, providerOfNode } from './providerOfNode';
import { nodes, registry } from '../__fixtures__/load';
import providerDocs from '../__fixtures__/providers.json';

describe('createProviderRegistry', () => {
  it('accepts the repository providers/ directory', () => {
    const dir = path.resolve(__dirname, '../../../../providers');
    const docs = fs
      .readdirSync(dir)
      .filter(f => f.endsWith('.yaml'))
      .flatMap(f =>
        parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map(d =>
          d.toJS(),
        ),
      );
    const live = createProviderRegistry(docs);
    expect(live.providers.map(p => p.name).sort()).toEqual(
      expect.arrayContaining(['hetzner', 'scaleway']),
    );
  });

  it('names the invalid field', () => {
    const bad = structuredClone(providerDocs[0]) as any;
    bad.spec.regions[0].eu = 'yes';
    expect(() => createProviderRegistry([bad])).toThrow(/spec\.regions\.0\.eu/);
  });

  it('refuses a provider defined twice and ignores other kinds', () => {
    expect(() =>
      createProviderRegistry([providerDocs[0], providerDocs[0]]),
    ).toThrow(ProviderRegistryError);
    expect(
      createProviderRegistry([{ kind: 'ConfigMap' }, null]).providers,
    ).toEqual([]);
  });

  it('knows EU and non-EU regions, and unknown ones', () => {
    expect(isEuRegion(registry, 'hetzner', 'fsn1')).toBe(true);
    expect(isEuRegion(registry, 'hetzner', 'ash')).toBe(false);
    expect(isEuRegion(registry, 'scaleway', 'pl-waw')).toBe(true);
    expect(isEuRegion(registry, 'hetzner', 'mars')).toBeUndefined();
    expect(isEuRegion(registry, 'nobody', 'fsn1')).toBeUndefined();
  });
});

describe('providerOfNode', () => {
  const byName = Object.fromEntries(
    nodes.map(n => [n.name, providerOfNode(n, registry)]),
  );

  it('follows labels, then label keys/prefixes, then providerID scheme', () => {
    expect(byName).toEqual({
      'hz-fsn1-a': 'hetzner', // cfke.io/provider
      'hz-nbg1-a': 'hetzner', // instance.hetzner.cloud/provided-by
      'hz-ash-a': 'hetzner', // hcloud://
      'scw-par1-a': 'scaleway',
      'scw-par2-a': 'scaleway', // k8s.scaleway.com/ prefix
      'scw-par2-gpu': 'scaleway',
      'mystery-1': undefined,
    });
  });

  it('lets cfke.io/provider win over a conflicting providerID', () => {
    expect(
      providerOfNode(
        {
          labels: { 'cfke.io/provider': 'scaleway' },
          providerID: 'hcloud://1',
        },
        registry,
      ),
    ).toBe('scaleway');
  });

  it('reads region and zone from topology labels', () => {
    expect(locationOfNode(nodes[0])).toEqual({
      region: 'fsn1',
      zone: 'fsn1-dc14',
    });
    expect(locationOfNode({ labels: {} })).toEqual({
      region: undefined,
      zone: undefined,
    });
  });
});
