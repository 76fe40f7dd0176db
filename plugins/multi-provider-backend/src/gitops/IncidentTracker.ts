/**
 * What one observation of a watched object says about an incident:
 * - `failing`: opens one (after the debounce) or keeps it open;
 * - `ready`: ends it (and cancels one still in its debounce);
 * - `progressing`: the controller is working on it (Flux retries a failure by reconciling again),
 *   so nothing changes;
 * - `idle`: not failing by itself (suspended, waiting on a dependency): cancels one still in its
 *   debounce, keeps an open one open until the object is ready again;
 * - `gone`: the object was deleted, which ends an open incident.
 */
export type IncidentHealth<D> =
  | { kind: 'failing'; detail: D }
  | { kind: 'ready' | 'progressing' | 'idle' | 'gone' };

/** What the owner of the tracker must announce. */
export type IncidentEvent<D> =
  | { type: 'opened'; key: string; since: number; detail: D }
  | {
      type: 'resolved';
      key: string;
      since: number;
      /** The last failure seen during the incident. */
      detail: D;
      /** Ended by the object's deletion rather than its recovery. */
      gone: boolean;
    };

type State<D> =
  /** Failing, not yet for the whole debounce. */
  | { phase: 'pending'; since: number; detail: D }
  /** Announced; ends with `ready` or `gone`. */
  | { phase: 'open'; since: number; detail: D }
  /**
   * Failing when first seen (the backend started, or the object was listed, while it failed): no
   * edge was observed, so nothing is announced, and its recovery is not announced either.
   */
  | { phase: 'preexisting' };

/**
 * Turns a stream of per-object observations into incidents: one `opened` per failure that lasts
 * the debounce (not one per watch event), one `resolved` when it ends. Pure: time is passed in,
 * and the caller sends what the calls return.
 */
export class IncidentTracker<D> {
  private readonly states = new Map<string, State<D>>();

  constructor(private readonly debounceMs: number) {}

  /**
   * Records one observation. `baseline` marks observations of the first listing, before which
   * the object's history is unknown. Returns the resolutions to announce now (openings come
   * from {@link IncidentTracker.due}).
   */
  observe(
    key: string,
    health: IncidentHealth<D>,
    now: number,
    baseline = false,
  ): IncidentEvent<D>[] {
    const state = this.states.get(key);
    switch (health.kind) {
      case 'failing':
        if (!state) {
          this.states.set(
            key,
            baseline
              ? { phase: 'preexisting' }
              : { phase: 'pending', since: now, detail: health.detail },
          );
        } else if (state.phase !== 'preexisting') {
          state.detail = health.detail;
        }
        return [];
      case 'progressing':
        return [];
      case 'idle':
        if (state?.phase === 'pending' || state?.phase === 'preexisting')
          this.states.delete(key);
        return [];
      default: {
        // ready or gone
        this.states.delete(key);
        if (state?.phase !== 'open') return [];
        return [
          {
            type: 'resolved',
            key,
            since: state.since,
            detail: state.detail,
            gone: health.kind === 'gone',
          },
        ];
      }
    }
  }

  /** The incidents whose failure has now lasted the debounce; each is returned once. */
  due(now: number): IncidentEvent<D>[] {
    const opened: IncidentEvent<D>[] = [];
    for (const [key, state] of this.states) {
      if (state.phase !== 'pending' || now - state.since < this.debounceMs)
        continue;
      this.states.set(key, { ...state, phase: 'open' });
      opened.push({
        type: 'opened',
        key,
        since: state.since,
        detail: state.detail,
      });
    }
    return opened;
  }

  /** Keys of the incidents announced and not yet resolved. */
  openKeys(): string[] {
    return [...this.states]
      .filter(([, s]) => s.phase === 'open')
      .map(([k]) => k);
  }
}
