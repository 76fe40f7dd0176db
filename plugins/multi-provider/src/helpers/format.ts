import type { Resources } from '@cloudlab/plugin-multi-provider-common';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** CPU in millicores for people: `250m`, `2 cores`, `1.5 cores`. */
export function formatCpu(millis: number): string {
  if (millis < 1000) return `${Math.round(millis)}m`;
  const cores = Math.round(millis / 100) / 10;
  return `${cores} ${cores === 1 ? 'core' : 'cores'}`;
}

/** Memory in bytes for people, in binary units as Kubernetes writes them. */
export function formatBytes(bytes: number): string {
  if (bytes >= GIB) return `${Math.round((bytes / GIB) * 10) / 10} GiB`;
  if (bytes >= MIB) return `${Math.round(bytes / MIB)} MiB`;
  return `${Math.round(bytes / 1024)} KiB`;
}

/** `requested / allocatable`, 0 when nothing is allocatable (a node not yet reporting). */
export function ratio(requested: number, allocatable: number): number {
  if (!(allocatable > 0)) return 0;
  return requested / allocatable;
}

/** Utilisation of a node or group: the larger of the CPU and memory request ratios. */
export function utilisation(usage: {
  requested: Resources;
  allocatable: Resources;
}): { cpu: number; memory: number; max: number } {
  const cpu = ratio(usage.requested.cpuMillis, usage.allocatable.cpuMillis);
  const memory = ratio(
    usage.requested.memoryBytes,
    usage.allocatable.memoryBytes,
  );
  return { cpu, memory, max: Math.max(cpu, memory) };
}

/** Utilisation bands, chosen so that a node the scheduler would refuse reads `full`. */
export type UtilisationLevel = 'low' | 'medium' | 'high' | 'full';

/** The band a utilisation ratio falls in. */
export function utilisationLevel(value: number): UtilisationLevel {
  if (value >= 1) return 'full';
  if (value >= 0.85) return 'high';
  if (value >= 0.6) return 'medium';
  return 'low';
}

/** A ratio as a whole percentage: `0.456` → `46%`. */
export function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}
