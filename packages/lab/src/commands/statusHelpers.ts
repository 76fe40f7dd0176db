/** Shown for nodes without a provider label. */
export const LABEL_PROVIDER_FALLBACK = 'unknown';

/** `a=2 b=1`, sorted by key. */
export function countBy(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return (
    [...counts.entries()]
      .sort()
      .map(([k, v]) => `${k}=${v}`)
      .join(' ') || '-'
  );
}
