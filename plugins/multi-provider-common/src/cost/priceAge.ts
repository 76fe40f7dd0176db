import { ProviderRegistry } from '../registry/createProviderRegistry';

/**
 * A price table read longer ago than the configured age.
 *
 * @public
 */
export interface StalePriceTable {
  provider: string;
  readOn: string;
  ageDays: number;
  message: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The providers whose price table was read more than `maxAgeMs` before `now`. Every cost
 * figure computed from such a table carries the warning.
 *
 * @public
 */
export function stalePriceTables(
  registry: ProviderRegistry,
  now: Date,
  maxAgeMs: number,
): StalePriceTable[] {
  const out: StalePriceTable[] = [];
  for (const p of registry.providers) {
    if (!p.prices) continue;
    const readOn = p.prices.source.readOn;
    const age = now.getTime() - Date.parse(`${readOn}T00:00:00Z`);
    if (age > maxAgeMs) {
      const ageDays = Math.floor(age / DAY_MS);
      out.push({
        provider: p.name,
        readOn,
        ageDays,
        message: `${p.displayName} prices were read on ${readOn} (${ageDays} days ago): check ${p.prices.source.url}`,
      });
    }
  }
  return out;
}

/**
 * The currency cost reports use: the one of the first provider with a price table (registry
 * order). Tables in another currency give unknown prices rather than mixed sums.
 *
 * @public
 */
export function reportCurrency(registry: ProviderRegistry): string | undefined {
  return registry.providers.find(p => p.prices)?.prices?.currency;
}
