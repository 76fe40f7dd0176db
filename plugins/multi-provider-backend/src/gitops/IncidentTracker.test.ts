import { IncidentHealth, IncidentTracker } from './IncidentTracker';

type D = { reason: string };
const failing = (reason: string): IncidentHealth<D> => ({
  kind: 'failing',
  detail: { reason },
});
const ready: IncidentHealth<D> = { kind: 'ready' };
const progressing: IncidentHealth<D> = { kind: 'progressing' };
const idle: IncidentHealth<D> = { kind: 'idle' };
const gone: IncidentHealth<D> = { kind: 'gone' };

const DEBOUNCE = 30_000;
const K = 'lab/Kustomization/flux-system/web';

describe('IncidentTracker', () => {
  let t: IncidentTracker<D>;
  beforeEach(() => {
    t = new IncidentTracker<D>(DEBOUNCE);
    // Seen ready at the first listing: the normal start.
    t.observe(K, ready, 0, true);
  });

  it('opens one incident once a failure has lasted the debounce', () => {
    expect(t.observe(K, failing('BuildFailed'), 1000)).toEqual([]);
    expect(t.due(1000 + DEBOUNCE - 1)).toEqual([]);
    expect(t.due(1000 + DEBOUNCE)).toEqual([
      { type: 'opened', key: K, since: 1000, detail: { reason: 'BuildFailed' } },
    ]);
    expect(t.due(1000 + DEBOUNCE + 5000)).toEqual([]);
    expect(t.openKeys()).toEqual([K]);
  });

  it('announces one incident for many failing watch events and Flux retries', () => {
    t.observe(K, failing('BuildFailed'), 1000);
    // kustomize-controller retries: Ready=Unknown while reconciling, then False again.
    for (let at = 2000; at < 120_000; at += 5000) {
      t.observe(K, progressing, at);
      t.observe(K, failing(`BuildFailed at ${at}`), at + 100);
      expect(t.observe(K, failing('BuildFailed'), at + 200)).toEqual([]);
    }
    const events = [
      ...t.due(40_000),
      ...t.due(80_000),
      ...t.due(120_000),
    ];
    expect(events.map(e => e.type)).toEqual(['opened']);
  });

  it('carries the latest failure seen before the announcement', () => {
    t.observe(K, failing('ArtifactFailed'), 1000);
    t.observe(K, failing('BuildFailed'), 2000);
    expect(t.due(1000 + DEBOUNCE)[0]).toMatchObject({
      since: 1000,
      detail: { reason: 'BuildFailed' },
    });
  });

  it('stays silent when the object recovers within the debounce', () => {
    t.observe(K, failing('HealthCheckFailed'), 1000);
    expect(t.observe(K, ready, 5000)).toEqual([]);
    expect(t.due(1000 + DEBOUNCE * 2)).toEqual([]);
    expect(t.openKeys()).toEqual([]);
  });

  it('resolves an open incident once, on recovery, with the failure it ends', () => {
    t.observe(K, failing('BuildFailed'), 1000);
    t.due(1000 + DEBOUNCE);
    expect(t.observe(K, progressing, 60_000)).toEqual([]);
    expect(t.observe(K, ready, 61_000)).toEqual([
      {
        type: 'resolved',
        key: K,
        since: 1000,
        detail: { reason: 'BuildFailed' },
        gone: false,
      },
    ]);
    expect(t.observe(K, ready, 62_000)).toEqual([]);
    expect(t.openKeys()).toEqual([]);
  });

  it('opens a new incident for a failure after the recovery', () => {
    t.observe(K, failing('BuildFailed'), 1000);
    t.due(1000 + DEBOUNCE);
    t.observe(K, ready, 50_000);
    t.observe(K, failing('ReconciliationFailed'), 60_000);
    expect(t.due(60_000 + DEBOUNCE)).toEqual([
      expect.objectContaining({
        type: 'opened',
        since: 60_000,
        detail: { reason: 'ReconciliationFailed' },
      }),
    ]);
  });

  it('ends an open incident when the object is deleted', () => {
    t.observe(K, failing('BuildFailed'), 1000);
    t.due(1000 + DEBOUNCE);
    expect(t.observe(K, gone, 50_000)).toEqual([
      expect.objectContaining({ type: 'resolved', gone: true }),
    ]);
  });

  it('does not announce a failure already there at the first listing, nor its end', () => {
    const other = 'lab/HelmRelease/vault/vault';
    t.observe(other, failing('ChartPullFailed'), 0, true);
    t.observe(other, failing('ChartPullFailed'), 10_000);
    expect(t.due(DEBOUNCE * 3)).toEqual([]);
    expect(t.observe(other, ready, DEBOUNCE * 4)).toEqual([]);
    // Once recovered, its next failure is an edge like any other.
    t.observe(other, failing('ChartPullFailed'), DEBOUNCE * 5);
    expect(t.due(DEBOUNCE * 6).map(e => e.key)).toEqual([other]);
  });

  it('treats an object created after the first listing that fails as an incident', () => {
    const created = 'lab/Kustomization/flux-system/api';
    t.observe(created, progressing, 1000);
    t.observe(created, failing('BuildFailed'), 2000);
    expect(t.due(2000 + DEBOUNCE).map(e => e.key)).toEqual([created]);
  });

  it('cancels a pending failure that turns idle (suspended), keeps an open one open', () => {
    t.observe(K, failing('BuildFailed'), 1000);
    t.observe(K, idle, 2000);
    expect(t.due(1000 + DEBOUNCE)).toEqual([]);

    t.observe(K, failing('BuildFailed'), 40_000);
    t.due(40_000 + DEBOUNCE);
    expect(t.observe(K, idle, 80_000)).toEqual([]);
    expect(t.openKeys()).toEqual([K]);
    expect(t.observe(K, ready, 90_000)).toHaveLength(1);
  });

  it('keeps objects apart', () => {
    const a = 'lab/Kustomization/flux-system/a';
    const b = 'lab/Kustomization/flux-system/b';
    t.observe(a, failing('A'), 1000);
    t.observe(b, failing('B'), 20_000);
    t.observe(a, ready, 2000);
    expect(t.due(20_000 + DEBOUNCE).map(e => [e.key, e.detail.reason])).toEqual(
      [[b, 'B']],
    );
  });
});
