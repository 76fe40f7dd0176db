import type {
  ClaimCost,
  PlatformCost,
} from '@cloudlab/plugin-multi-provider-common';

/** A monthly amount in the report's currency, to the cent: `€1.70`. */
export function formatMoney(amount: number, currency: string | null): string {
  if (!currency) return amount.toFixed(2);
  return new Intl.NumberFormat('en-GB', {
    style: 'currency',
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(amount);
}

/**
 * A figure with what it leaves out: `€1.70`, `€1.70 + 2 unknown`, or `unknown` when nothing in
 * it has a price — never a zero standing for "not known".
 */
export function costText(
  figure: { monthly: number; unknown: number; count: number },
  currency: string | null,
): string {
  if (figure.count > 0 && figure.unknown === figure.count) return 'unknown';
  const known = formatMoney(figure.monthly, currency);
  return figure.unknown > 0 ? `${known} + ${figure.unknown} unknown` : known;
}

/** `namespace/name` of a claim, as the storage and cost answers both name it. */
export function claimKey(c: { namespace: string; name: string }): string {
  return `${c.namespace}/${c.name}`;
}

/** The claims of a cost answer keyed by {@link claimKey}. */
export function claimCostsByKey(
  claims: ClaimCost[] | undefined,
): Map<string, ClaimCost> {
  return new Map((claims ?? []).map(c => [claimKey(c), c]));
}

function csvCell(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The platform cost as CSV, one row per figure: `cluster,scope,name,provider,monthly,used,idle,
 * unknown,currency`. Amounts are unrounded; `unknown` counts the nodes, pods or claims without a
 * price (left out of the amounts).
 */
export function platformCostCsv(cost: PlatformCost): string {
  const rows: Array<Array<string | number | null | undefined>> = [
    [
      'cluster',
      'scope',
      'name',
      'provider',
      'monthly',
      'used',
      'idle',
      'unknown',
      'currency',
    ],
  ];
  for (const c of cost.clusters) {
    const cur = c.currency;
    for (const p of c.providers) {
      rows.push([
        c.cluster,
        'provider',
        p.provider,
        p.provider,
        p.monthly,
        p.used,
        p.idle,
        p.unknownNodes,
        cur,
      ]);
    }
    for (const z of c.zones) {
      rows.push([
        c.cluster,
        'zone',
        `${z.region}/${z.zone}`,
        z.provider,
        z.monthly,
        z.used,
        z.idle,
        z.unknownNodes,
        cur,
      ]);
    }
    for (const n of c.nodes) {
      rows.push([
        c.cluster,
        'node',
        n.name,
        n.provider,
        n.monthly,
        n.used,
        n.idle,
        n.unknownNodes,
        cur,
      ]);
    }
    for (const s of c.services) {
      rows.push([
        c.cluster,
        'service',
        s.id,
        Object.keys(s.byProvider).sort().join(' '),
        s.monthly,
        s.monthly,
        '',
        s.unknownPods,
        cur,
      ]);
    }
    for (const k of c.claims) {
      rows.push([
        c.cluster,
        'claim',
        claimKey(k),
        k.provider,
        k.monthly,
        k.monthly,
        '',
        k.monthly === null ? 1 : 0,
        cur,
      ]);
    }
  }
  return `${rows.map(r => r.map(csvCell).join(',')).join('\n')}\n`;
}
