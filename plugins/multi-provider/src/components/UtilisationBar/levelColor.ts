import type { UtilisationLevel } from '../../helpers/format';

/**
 * Fixed, colour-blind-safe sequential scale (viridis-like, dark = full) so the map
 * reads the same in light and dark themes.
 */
const COLORS: Record<UtilisationLevel, string> = {
  low: '#35b779',
  medium: '#bddf26',
  high: '#fb9b06',
  full: '#d62728',
};

/** Fill colour of a utilisation band. */
export function levelColor(level: UtilisationLevel): string {
  return COLORS[level];
}
