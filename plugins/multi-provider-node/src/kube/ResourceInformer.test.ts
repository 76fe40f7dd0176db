import { LoggerService } from '@backstage/backend-plugin-api';
import { ResourceClient, WatchEvent } from '../extensions/clusterSource';
import {
  InformerOptions,
  ResourceInformer,
  watchTimeoutSeconds,
} from './ResourceInformer';

type Obj = {
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  v?: number;
};

const logger: LoggerService = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => logger,
};

/** A client whose list answers `items` and whose watches the test drives by hand. */
class ScriptedClient implements ResourceClient<Obj> {
  items: Obj[] = [];
  listVersion = '10';
  lists = 0;
  /** The resourceVersion each watch started from. */
  watchedFrom: string[] = [];
  stops = 0;
  private handlers?: {
    onEvent: (e: WatchEvent<Obj>) => void;
    onDone: (err?: unknown) => void;
  };

  async list() {
    this.lists += 1;
    return { items: this.items, resourceVersion: this.listVersion };
  }
  async watch(
    resourceVersion: string,
    onEvent: (e: WatchEvent<Obj>) => void,
    onDone: (err?: unknown) => void,
  ) {
    this.watchedFrom.push(resourceVersion);
    const h = { onEvent, onDone };
    this.handlers = h;
    return {
      stop: () => {
        this.stops += 1;
        if (this.handlers === h) this.handlers = undefined;
      },
    };
  }
  send(e: WatchEvent<Obj>) {
    this.handlers!.onEvent(e);
  }
  /** The server ends the watch (cleanly without `err`). */
  end(err?: unknown) {
    const h = this.handlers!;
    this.handlers = undefined;
    h.onDone(err);
  }
}

const options: InformerOptions = {
  pageSize: 100,
  backoffMs: 100,
  maxBackoffMs: 1000,
  requestTimeoutMs: 500,
  recheckMs: 60_000,
  maxRetries: 5,
  idleDeadlineMs: 3000,
};

describe('ResourceInformer idle deadline', () => {
  let client: ScriptedClient;
  let informer: ResourceInformer<Obj, Obj>;
  let changes: number;

  beforeEach(async () => {
    jest.useFakeTimers();
    client = new ScriptedClient();
    client.items = [{ metadata: { name: 'a', resourceVersion: '5' }, v: 1 }];
    changes = 0;
    informer = new ResourceInformer(
      'test objs',
      client,
      o => o,
      options,
      logger,
      () => {
        changes += 1;
      },
    );
    informer.start();
    await jest.advanceTimersByTimeAsync(0);
    if (!informer.watching)
      throw new Error('the informer did not start watching');
  });

  afterEach(() => {
    informer.stop();
    jest.useRealTimers();
  });

  it('drops a watch silent past the deadline, turns stale, and resumes from the last version without relisting', async () => {
    await jest.advanceTimersByTimeAsync(options.idleDeadlineMs - 1);
    expect(informer.watching).toBe(true);
    expect(informer.brokenSince).toBeUndefined();

    await jest.advanceTimersByTimeAsync(1);
    expect(informer.watching).toBe(false);
    expect(informer.lastErrorType).toBe('timeout');
    expect(informer.lastError).toMatch(/no event and no bookmark for 3000 ms/);
    expect(informer.brokenSince).toBeInstanceOf(Date);
    // The silent connection is closed, not left to linger.
    expect(client.stops).toBe(1);
    // The data is kept: what the cache answers from is stale, not gone.
    expect(informer.items.size).toBe(1);

    // Reconnects after the first backoff delay, from the version it had.
    await jest.advanceTimersByTimeAsync(options.backoffMs);
    expect(client.watchedFrom).toEqual(['10', '10']);
    expect(client.lists).toBe(1);
    expect(informer.watching).toBe(true);
    expect(informer.brokenSince).toBeUndefined();
    expect(informer.lastError).toBeUndefined();
  });

  it('counts every event and bookmark as a sign of life, and re-watches from the bookmark after a server-side timeout', async () => {
    await jest.advanceTimersByTimeAsync(2000);
    client.send({
      type: 'BOOKMARK',
      object: { metadata: { resourceVersion: '42' } },
    });
    await jest.advanceTimersByTimeAsync(2000);
    client.send({
      type: 'MODIFIED',
      object: { metadata: { name: 'a', resourceVersion: '43' }, v: 2 },
    });
    await jest.advanceTimersByTimeAsync(2000);
    client.send({
      type: 'BOOKMARK',
      object: { metadata: { resourceVersion: '44' } },
    });
    await jest.advanceTimersByTimeAsync(2000);
    // 8 s of watching with a 3 s deadline: never silent for 3 s, so never broken.
    expect(informer.watching).toBe(true);
    expect(informer.brokenSince).toBeUndefined();
    expect(informer.items.get('/a')?.v).toBe(2);

    // The server's timeout ends the watch cleanly: straight back, from the bookmark's version.
    client.end();
    await jest.advanceTimersByTimeAsync(0);
    expect(client.watchedFrom).toEqual(['10', '44']);
    expect(client.lists).toBe(1);
    expect(informer.watching).toBe(true);
    expect(informer.brokenSince).toBeUndefined();

    // The renewed watch has a fresh deadline of its own.
    await jest.advanceTimersByTimeAsync(options.idleDeadlineMs - 1);
    expect(informer.watching).toBe(true);
  });

  it('takes the server-side timeout for a renewal even when the first backoff delay is longer', async () => {
    informer.stop();
    const slowBackoff = { ...options, backoffMs: 5000, maxBackoffMs: 10_000 };
    client = new ScriptedClient();
    informer = new ResourceInformer(
      'slow',
      client,
      o => o,
      slowBackoff,
      logger,
      () => {},
    );
    informer.start();
    await jest.advanceTimersByTimeAsync(0);
    // The server ends the watch at the timeout it was asked for (1 s for a 3 s deadline).
    await jest.advanceTimersByTimeAsync(watchTimeoutSeconds(3000) * 1000);
    client.end();
    await jest.advanceTimersByTimeAsync(0);
    expect(client.watchedFrom).toEqual(['10', '10']);
    expect(informer.watching).toBe(true);
    expect(informer.brokenSince).toBeUndefined();
  });

  it('stays watching while a renewal after the server-side timeout opens, and turns stale if it never does', async () => {
    const watch = client.watch.bind(client);
    let open: (() => void) | undefined;
    // The next watch request is answered only when the test says so.
    client.watch = (...args) =>
      new Promise(resolve => {
        open = () => resolve(watch(...args));
      });
    const before = changes;
    // The server ends the watch at the timeout it was asked for.
    const renewEvery = watchTimeoutSeconds(options.idleDeadlineMs) * 1000;
    await jest.advanceTimersByTimeAsync(renewEvery);
    client.end();
    await jest.advanceTimersByTimeAsync(options.requestTimeoutMs - 100);
    // A regular renewal is not an outage: no stale flash while the new watch opens.
    expect(informer.watching).toBe(true);
    expect(informer.brokenSince).toBeUndefined();
    open!();
    await jest.advanceTimersByTimeAsync(0);
    expect(informer.watching).toBe(true);
    expect(client.watchedFrom).toEqual(['10', '10']);
    expect(changes).toBe(before + 1);

    // The next renewal hangs: the informer turns stale once the request has timed out.
    client.watch = () => new Promise(() => {});
    await jest.advanceTimersByTimeAsync(renewEvery);
    client.end();
    await jest.advanceTimersByTimeAsync(options.requestTimeoutMs);
    expect(informer.watching).toBe(false);
    expect(informer.lastErrorType).toBe('timeout');
  });

  it('turns stale within the idle deadline when a renewal hangs longer than the deadline', async () => {
    informer.stop();
    // A request timeout longer than the deadline: the deadline still bounds the silence.
    const slowRequests = { ...options, requestTimeoutMs: 60_000 };
    client = new ScriptedClient();
    informer = new ResourceInformer(
      'slow requests',
      client,
      o => o,
      slowRequests,
      logger,
      () => {},
    );
    informer.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(informer.watching).toBe(true);
    client.watch = () => new Promise(() => {});
    await jest.advanceTimersByTimeAsync(
      watchTimeoutSeconds(options.idleDeadlineMs) * 1000,
    );
    client.end();
    await jest.advanceTimersByTimeAsync(options.idleDeadlineMs - 1);
    expect(informer.watching).toBe(true);
    await jest.advanceTimersByTimeAsync(1);
    expect(informer.watching).toBe(false);
    expect(informer.lastError).toMatch(/no event and no bookmark/);
  });

  it('relists when the resourceVersion is gone (410), reporting what was deleted meanwhile', async () => {
    const deleted: string[] = [];
    informer.subscribe((key, _prev, next) => {
      if (!next) deleted.push(key);
    });
    client.items = [{ metadata: { name: 'b', resourceVersion: '90' }, v: 1 }];
    client.listVersion = '90';
    client.send({
      type: 'ERROR',
      object: { code: 410, message: 'too old resource version: 10 (80)' },
    });
    client.end();
    await jest.advanceTimersByTimeAsync(0);
    expect(client.lists).toBe(2);
    expect(deleted).toEqual(['/a']);
    expect([...informer.items.keys()]).toEqual(['/b']);
    expect(client.watchedFrom).toEqual(['10', '90']);
    expect(informer.watching).toBe(true);
  });

  it('keeps a stale state while reconnects hang, and is live again once one answers', async () => {
    const watch = client.watch.bind(client);
    // A frozen server: the watch request gets no answer at all.
    client.watch = () => new Promise(() => {});
    await jest.advanceTimersByTimeAsync(options.idleDeadlineMs);
    expect(informer.watching).toBe(false);
    const since = informer.brokenSince;
    expect(since).toBeInstanceOf(Date);
    // Backoff, then a start that times out, then backoff again: still stale, since unchanged.
    await jest.advanceTimersByTimeAsync(
      options.backoffMs + options.requestTimeoutMs + 200,
    );
    expect(informer.watching).toBe(false);
    expect(informer.brokenSince).toBe(since);
    expect(informer.lastErrorType).toBe('timeout');

    client.watch = watch;
    await jest.advanceTimersByTimeAsync(options.maxBackoffMs);
    expect(informer.watching).toBe(true);
    expect(informer.brokenSince).toBeUndefined();
    expect(changes).toBeGreaterThan(0);
  });
});

describe('watchTimeoutSeconds', () => {
  it('asks the server to end a watch well before the idle deadline', () => {
    for (const deadline of [2000, 3000, 10_000, 30_000, 45_500, 600_000]) {
      const seconds = watchTimeoutSeconds(deadline);
      expect(Number.isInteger(seconds)).toBe(true);
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds * 1000).toBeLessThanOrEqual(deadline / 2);
    }
  });
});
