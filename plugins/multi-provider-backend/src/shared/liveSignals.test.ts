import { mockServices } from '@backstage/backend-test-utils';
import {
  ProviderRegistry,
  entityLiveChannel,
  liveSignalSchema,
  platformLiveChannel,
} from '@cloudlab/plugin-multi-provider-common';
import { LiveSignals } from './liveSignals';
import { PlacementService } from '../placement/PlacementService';
import {
  pod,
  until,
  repositoryRegistry,
  webAndDbCluster,
} from '../__testUtils__/placementFixtures';

let registry: ProviderRegistry;
beforeAll(async () => {
  registry = await repositoryRegistry();
});

const entityOf = (app: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: app,
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-label-selector': `app=${app}` },
  },
});
const refOf = (name: string) => ({
  kind: 'component',
  namespace: 'default',
  name,
});
const creds = {} as any;
const WEB = entityLiveChannel('component:default/web', 'placement');
const DB = entityLiveChannel('component:default/db', 'placement');
const DEBOUNCE_MS = 60;

async function setup() {
  const { cluster, cache, applied } = webAndDbCluster();
  const published: Array<{
    channel: string;
    message: unknown;
    recipients: unknown;
  }> = [];
  const live = new LiveSignals({
    signals: {
      publish: async signal => {
        published.push(signal);
      },
    },
    logger: mockServices.logger.mock(),
    debounceMs: DEBOUNCE_MS,
  });
  cache.onChange(live.changed);
  const placement = new PlacementService(
    [cache],
    () => registry,
    {
      getEntityByRef: async (ref: { name: string }) => entityOf(ref.name),
    } as any,
    [],
    live,
  );
  cache.start();
  await until(() => cache.status().state === 'synced', 'sync');
  // Let the window the initial sync opened pass, so each test starts from a quiet publisher.
  await new Promise(r => setTimeout(r, DEBOUNCE_MS * 2));
  published.length = 0;
  /** Waits past the end of the window a change opened. */
  const windowOver = () => new Promise(r => setTimeout(r, DEBOUNCE_MS * 3));
  const etagOf = async (name: string) =>
    (await placement.entityPlacementAnswer(refOf(name), creds)).json().etag;
  return {
    cluster,
    cache,
    live,
    placement,
    published,
    applied,
    windowOver,
    etagOf,
  };
}

describe('LiveSignals', () => {
  it('publishes one signal for a burst of changes, carrying the ETag the route now answers', async () => {
    const s = await setup();
    const before = await s.etagOf('web');
    // Three changes inside one window: a pod added, one moved, one failing.
    await s.applied(() => s.cluster.pods.upsert(pod('web-3', 'web', 'n3')));
    await s.applied(() => s.cluster.pods.upsert(pod('web-1', 'web', 'n2')));
    await s.applied(() =>
      s.cluster.pods.upsert(pod('web-2', 'web', 'n2', 'Failed')),
    );
    await s.windowOver();
    expect(s.published.map(p => p.channel)).toEqual([WEB]);
    const after = await s.etagOf('web');
    expect(after).not.toBe(before);
    expect(s.published[0]).toEqual({
      recipients: { type: 'broadcast' },
      channel: WEB,
      message: { version: after },
    });
    // A later change opens a new window and gets its own signal.
    await s.applied(() => s.cluster.pods.remove(pod('web-3', 'web', 'n3')));
    await s.windowOver();
    expect(s.published.map(p => p.channel)).toEqual([WEB, WEB]);
    expect(s.published[1].message).toEqual({ version: await s.etagOf('web') });
    s.cache.stop();
    s.live.stop();
  });

  it('sends nothing on a channel whose answer a change does not alter', async () => {
    const s = await setup();
    await s.etagOf('web');
    await s.etagOf('db');
    s.placement.platformPlacementAnswer();
    // Another workload's pod: the web answer's version stays; db's and the platform's move.
    await s.applied(() => s.cluster.pods.upsert(pod('db-2', 'db', 'n1')));
    await s.windowOver();
    expect(s.published.map(p => p.channel).sort()).toEqual(
      [DB, platformLiveChannel('placement')].sort(),
    );
    // A no-op update (same slim content) changes nothing anywhere: no signal at all.
    s.published.length = 0;
    s.cluster.pods.upsert(pod('db-2', 'db', 'n1'));
    await s.windowOver();
    expect(s.published).toEqual([]);
    s.cache.stop();
    s.live.stop();
  });

  it('carries only an opaque version: no pod, node, cluster or error in the payload', async () => {
    const s = await setup();
    await s.etagOf('web');
    // The cluster stops answering: its state and error are part of the version, not the signal.
    s.cluster.setDown(new Error('connect ECONNREFUSED 10.0.0.1:6443'));
    await until(() => s.cache.status().state === 'stale', 'stale');
    await s.windowOver();
    expect(s.published.length).toBeGreaterThanOrEqual(1);
    expect(s.published.every(p => p.channel === WEB)).toBe(true);
    const { message } = s.published[0];
    expect(Object.keys(message as object)).toEqual(['version']);
    expect(liveSignalSchema.parse(message)).toEqual(message);
    // A per-process prefix and a hash of the version string, nothing readable.
    expect((message as { version: string }).version).toMatch(
      /^"[0-9a-f]{12}-[A-Za-z0-9_-]{22}"$/,
    );
    s.cache.stop();
    s.live.stop();
  });

  it('does not signal the version a page was just answered with, and drops the oldest channel for room', async () => {
    const signals = { publish: jest.fn(async () => {}) };
    const live = new LiveSignals({
      signals,
      logger: mockServices.logger.mock(),
      debounceMs: 10,
      maxChannels: 2,
    });
    let v = 'a';
    live.follow('one', () => v, 'a');
    live.follow('two', () => v, 'a');
    await live.flush();
    expect(signals.publish).not.toHaveBeenCalled();
    live.follow('three', () => v, 'a');
    expect(live.size).toBe(2);
    v = 'b';
    await live.flush();
    expect(signals.publish.mock.calls.map(c => (c as any)[0].channel)).toEqual([
      'two',
      'three',
    ]);
    // Following again with the new version keeps what was published: no repeat.
    live.follow('two', () => v, 'b');
    await live.flush();
    expect(signals.publish).toHaveBeenCalledTimes(2);
  });
});
