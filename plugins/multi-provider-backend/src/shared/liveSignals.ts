import { LoggerService } from '@backstage/backend-plugin-api';
import type { SignalsService } from '@backstage/plugin-signals-node';
import { LiveSignal } from '@cloudlab/plugin-multi-provider-common';
import { versionTag } from './answerMemo';

/**
 * Settings of {@link LiveSignals}.
 *
 * @alpha
 */
export interface LiveSignalsOptions {
  signals: Pick<SignalsService, 'publish'>;
  logger: LoggerService;
  /**
   * Changes within this window after the first one are published together, once: a burst of
   * watch events (a rollout, an outage evicting every pod of a provider) costs one check.
   */
  debounceMs: number;
  /** At most this many channels are followed; the least recently answered is dropped first. */
  maxChannels?: number;
}

interface Followed {
  /** Computes the answer's version now (cheap: stamps and headers, no build). */
  version: () => string;
  /** The version last answered or published on the channel. */
  last: string;
}

/**
 * Publishes a signal on an answer's channel when the answer's version changes, carrying only the
 * version's tag (the answer's ETag): never data, so what a subscriber may read is decided by the
 * HTTP route it then calls with its own credentials (docs/adr/0503-live-pages.md).
 *
 * A route `follow`s a channel when it answers, with a function computing the answer's version
 * from the caches. The caches call `changed` on every change; the first change starts a window of
 * `debounceMs`, and at its end every followed channel's version is computed once: a channel
 * whose version moved gets one signal, the others none.
 *
 * @alpha
 */
export class LiveSignals {
  private readonly followed = new Map<string, Followed>();
  private readonly pinned = new Map<string, Followed>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly maxChannels: number;
  /** Signals published since start. */
  published = 0;

  constructor(private readonly options: LiveSignalsOptions) {
    this.maxChannels = options.maxChannels ?? 1000;
  }

  /**
   * Follows `channel`: from now on its version is checked after every change. `current` is the
   * version the caller just answered with: a new channel signals nothing until the answer moves on.
   */
  follow(channel: string, version: () => string, current: string) {
    const entry = this.followed.get(channel);
    this.followed.delete(channel);
    // An existing channel keeps the version last published: other pages follow it too (one
    // channel per entity, whoever reads it), and this answer must not swallow their signal. A
    // page that already shows the version compares it with its ETag and fetches nothing.
    this.followed.set(channel, { version, last: entry?.last ?? current });
    if (this.followed.size > this.maxChannels) {
      this.followed.delete(this.followed.keys().next().value!);
    }
  }

  /**
   * Follows `channel` for as long as the backend runs, whether or not a route answered on it (a
   * cluster's channel: few, fixed). It is never dropped for room.
   */
  followAlways(channel: string, version: () => string) {
    this.pinned.set(channel, { version, last: version() });
  }

  /** How many channels are followed. */
  get size() {
    return this.followed.size + this.pinned.size;
  }

  /** A cache changed: check every followed channel at the end of the window. */
  changed = () => {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.options.debounceMs);
    this.timer.unref?.();
  };

  /** Publishes one signal per followed channel whose version moved since it was last seen. */
  async flush(): Promise<void> {
    const due: Array<{ channel: string; message: LiveSignal }> = [];
    for (const [channel, entry] of [...this.pinned, ...this.followed]) {
      const version = entry.version();
      if (version === entry.last) continue;
      entry.last = version;
      due.push({ channel, message: { version: versionTag(version) } });
    }
    for (const { channel, message } of due) {
      try {
        await this.options.signals.publish<LiveSignal>({
          recipients: { type: 'broadcast' },
          channel,
          message,
        });
        this.published += 1;
      } catch (e) {
        this.options.logger.warn(
          `live signal on ${channel} not published: ${(e as Error).message}`,
        );
      }
    }
  }

  /** Stops: no window opens any more, a pending one is dropped. */
  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
