import { nodes, pods, registry } from '../__fixtures__/load';
import type { ClusterPlacement } from '../api';
import { buildClusterPlacement } from './entityPlacement';
import { summariseWorkloadIntents } from './workloadIntent';

function cluster(options: { pins?: Record<string, string> } = {}) {
  const placement: ClusterPlacement = {
    cluster: 'lab',
    state: 'synced',
    ...buildClusterPlacement({
      pods: pods.filter(p => p.namespace === 'shop'),
      nodes,
      registry,
      namespacePins: options.pins,
    }),
  };
  return placement;
}

const byName = (c: ClusterPlacement) =>
  Object.fromEntries(summariseWorkloadIntents(c).map(w => [w.name, w]));

describe('summariseWorkloadIntents', () => {
  const workloads = byName(cluster());

  it('turns each declared intent into an aspect, hard or soft', () => {
    const db = workloads.db;
    expect(db.aspects.map(a => [a.kind, a.hard, a.status])).toEqual([
      ['nodeSelector', true, 'matches'],
    ]);
    expect(db.aspects[0].detail).toMatch(/^nodeSelector: only nodes labelled /);
    expect(db.status).toBe('matches');
    expect(db.reasons).toEqual([]);

    const web = Object.values(workloads).find(w =>
      w.aspects.some(a => a.kind === 'topologySpread'),
    )!;
    const spread = web.aspects.find(a => a.kind === 'topologySpread')!;
    expect(spread.label).toMatch(/^spread \S+ ≤\d+$/);
    expect(spread.detail).toMatch(/topology spread over \S+, max skew \d+/);
  });

  it('marks the broken hard intent violated, with the reason and how many pods it concerns', () => {
    const api = Object.values(workloads).find(w => w.name.startsWith('api'))!;
    expect(api.status).toBe('violated');
    const affinity = api.aspects.find(a => a.kind === 'nodeAffinity')!;
    expect(affinity.status).toBe('violated');
    expect(affinity.reasons).toHaveLength(1);
    expect(affinity.reasons[0]).toMatch(
      /required node affinity .*fr-par.* does not match node hz-fsn1-a \(1 of 2 pods\)/,
    );
    expect(api.reasons).toEqual(affinity.reasons);
  });

  it('a missed preference is a warning on its soft aspect, a pending pod is told with its reason', () => {
    const web = Object.values(workloads).find(w => w.name.startsWith('web'))!;
    expect(web.pending).toBe(1);
    expect(web.status).toBe('warning');
    expect(web.aspects.find(a => a.kind === 'preferredAffinity')?.status).toBe(
      'warning',
    );
    expect(web.reasons.join('\n')).toMatch(/prefers cfke.io\/provider/);
    expect(web.reasons.join('\n')).toMatch(/pending: .*Insufficient cpu/);
  });

  it('a workload without constraints matches and has no aspect', () => {
    expect(workloads.debug.aspects).toEqual([]);
    expect(workloads.debug.status).toBe('matches');
  });

  it('counts a namespace pin and workload warnings among the reasons', () => {
    const pinned = byName(cluster({ pins: { shop: 'scaleway' } }));
    expect(pinned.debug.status).toBe('warning');
    expect(pinned.debug.reasons[0]).toMatch(/pinned to scaleway/);
  });

  it('ties a spread skew warning of the backend to the spread aspect', () => {
    const c = cluster();
    const web = summariseWorkloadIntents(c).find(w =>
      w.name.startsWith('web'),
    )!;
    const spread = web.aspects.find(a => a.kind === 'topologySpread')!;
    c.warnings.push(
      `${web.key}: spread over ${spread.topologyKey} has skew 3 > maxSkew 1 (DoNotSchedule)`,
    );
    const after = summariseWorkloadIntents(c).find(w => w.key === web.key)!;
    const skewed = after.aspects.find(a => a.kind === 'topologySpread')!;
    expect(skewed.status).not.toBe('matches');
    expect(skewed.reasons[0]).toMatch(/^spread over .* has skew 3 > maxSkew 1/);
    expect(after.reasons.join('\n')).toMatch(/has skew 3/);
  });

  it('lists the worst workloads first', () => {
    const order = summariseWorkloadIntents(cluster()).map(w => w.status);
    const rank = { violated: 3, warning: 2, pending: 1, matches: 0 };
    expect([...order].sort((a, b) => rank[b] - rank[a])).toEqual(order);
  });
});
