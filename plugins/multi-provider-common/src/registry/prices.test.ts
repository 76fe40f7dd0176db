import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { createProviderRegistry } from './createProviderRegistry';
import providerDocs from '../__fixtures__/providers.json';

const prices = {
  currency: 'EUR',
  taxIncluded: false,
  source: { url: 'https://example.com/prices', readOn: '2026-01-15' },
  serverTypes: [
    {
      name: 't1',
      cpu: 2,
      memory: '4Gi',
      hourly: 0.01,
      monthly: 5,
      regions: [] as string[],
    },
  ],
};

function withPrices(mutate: (p: any) => void = () => {}) {
  const doc = structuredClone(providerDocs[0]) as any;
  const table = structuredClone(prices) as any;
  table.serverTypes[0].regions = [doc.spec.regions[0].name];
  mutate(table);
  doc.spec.prices = table;
  return doc;
}

describe('provider price tables', () => {
  it('reads the repository tables: every provider dated, in EUR, with the lab types', () => {
    const dir = path.resolve(__dirname, '../../../../providers');
    const docs = fs
      .readdirSync(dir)
      .filter(f => f.endsWith('.yaml'))
      .flatMap(f =>
        parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map(d =>
          d.toJS(),
        ),
      );
    const { providers } = createProviderRegistry(docs);
    for (const p of providers) {
      expect(p.prices?.source.readOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(p.prices?.currency).toBe('EUR');
    }
    const types = providers.flatMap(p =>
      p.prices!.serverTypes.map(t => t.name),
    );
    expect(types).toEqual(
      expect.arrayContaining(['cx32', 'cpx41', 'PRO2-S', 'DEV1-L']),
    );
  });

  it('keeps a valid table on the definition', () => {
    const { providers } = createProviderRegistry([withPrices()]);
    expect(providers[0].prices?.serverTypes[0].monthly).toBe(5);
    expect(providers[0].prices?.loadBalancers).toEqual([]);
  });

  it.each([
    [
      'a negative price',
      (p: any) => (p.serverTypes[0].monthly = -1),
      /spec\.prices\.serverTypes\.0\.monthly: must not be negative/,
    ],
    [
      'a date that is not YYYY-MM-DD',
      (p: any) => (p.source.readOn = '15.01.2026'),
      /spec\.prices\.source\.readOn: must be a date/,
    ],
    [
      'an impossible date',
      (p: any) => (p.source.readOn = '2026-13-45'),
      /spec\.prices\.source\.readOn: is not a date/,
    ],
    [
      'a currency that is not a code',
      (p: any) => (p.currency = 'euro'),
      /spec\.prices\.currency: must be an ISO 4217 code/,
    ],
    [
      'a region the provider does not declare',
      (p: any) => p.serverTypes[0].regions.push('mars-1'),
      /spec\.prices\.serverTypes\.0\.regions\.1: region mars-1 is not one of spec\.regions/,
    ],
    [
      'a type priced twice',
      (p: any) => p.serverTypes.push(p.serverTypes[0]),
      /spec\.prices\.serverTypes\.1\.name: server type t1 is priced twice/,
    ],
    [
      'no source page',
      (p: any) => delete p.source.url,
      /spec\.prices\.source\.url/,
    ],
  ])('refuses %s, naming the field', (_, mutate, message) => {
    expect(() => createProviderRegistry([withPrices(mutate)])).toThrow(message);
  });
});
