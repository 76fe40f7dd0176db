import { platformCostFixture } from '../__fixtures__/cost';
import { costText, formatMoney, platformCostCsv } from './cost';

describe('cost helpers', () => {
  it('writes amounts to the cent in the currency', () => {
    expect(formatMoney(1.7, 'EUR')).toBe('€1.70');
    expect(formatMoney(159.874, 'EUR')).toBe('€159.87');
    expect(formatMoney(2, null)).toBe('2.00');
  });

  it('never shows an unknown figure as zero', () => {
    expect(costText({ monthly: 0, unknown: 2, count: 2 }, 'EUR')).toBe(
      'unknown',
    );
    expect(costText({ monthly: 1.7, unknown: 1, count: 3 }, 'EUR')).toBe(
      '€1.70 + 1 unknown',
    );
    expect(costText({ monthly: 0, unknown: 0, count: 0 }, 'EUR')).toBe('€0.00');
  });

  it('writes one CSV row per provider, zone, node, service and claim, quoting where needed', () => {
    const csv = platformCostCsv(platformCostFixture());
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(
      'cluster,scope,name,provider,monthly,used,idle,unknown,currency',
    );
    expect(lines).toContain('lab,provider,hetzner,hetzner,6.8,1.7,5.1,0,EUR');
    expect(lines).toContain('lab,node,s1,scaleway,0,0,0,1,EUR');
    expect(lines).toContain(
      'lab,service,"shop/web,with-comma",hetzner,1.7,1.7,,0,EUR',
    );
    expect(lines).toContain('lab,claim,shop/data,hetzner,0.44,0.44,,0,EUR');
    expect(lines.filter(l => l.startsWith('lab,'))).toHaveLength(
      2 + 2 + 2 + 1 + 1,
    );
  });
});
