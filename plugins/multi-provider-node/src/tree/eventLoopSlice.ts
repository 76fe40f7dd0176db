import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * How long tree reading may hold the main thread before it lets the event loop run: short enough
 * that a request waiting behind a full tree read is not noticeably delayed, long enough that a
 * read served from cache does not pay one event-loop turn per file.
 */
const SLICE_MS = 10;

let sliceStart = performance.now();

/** Whether the current slice of work has lasted long enough to yield. */
export function eventLoopDue(): boolean {
  return performance.now() - sliceStart >= SLICE_MS;
}

/**
 * Yields to the event loop when the current slice of work has lasted {@link SLICE_MS} or more;
 * otherwise resolves at once. Shared by every reader in the process, since they share the thread.
 */
export async function yieldWhenDue(): Promise<void> {
  if (performance.now() - sliceStart < SLICE_MS) return;
  await nextTurn();
  sliceStart = performance.now();
}
