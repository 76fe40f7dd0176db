import type { AdviceChange } from '@cloudlab/plugin-multi-provider-common';
import { formatMoney } from './cost';

/** Where the scaffolder mounts (the app's default `/create`). */
export const SCAFFOLDER_PATH = '/create';

/**
 * The scaffolder page of the change's template, prefilled with its parameters through the
 * `formData` query parameter the scaffolder reads; undefined when no template writes the change.
 */
export function templateHref(
  change: Pick<AdviceChange, 'template'>,
  base: string = SCAFFOLDER_PATH,
): string | undefined {
  if (!change.template) return undefined;
  const formData = encodeURIComponent(JSON.stringify(change.template.formData));
  return `${base}/templates/default/${encodeURIComponent(
    change.template.name,
  )}?formData=${formData}`;
}

/** `+€7.49 a month`, or `unknown (why)`: never a zero standing for "not known". */
export function deltaText(
  change: Pick<AdviceChange, 'monthlyDelta' | 'unknownReason'>,
  currency: string | null,
): string {
  if (change.monthlyDelta === null) {
    return `unknown (${change.unknownReason ?? 'no price'})`;
  }
  return `+${formatMoney(change.monthlyDelta, currency)} a month`;
}
