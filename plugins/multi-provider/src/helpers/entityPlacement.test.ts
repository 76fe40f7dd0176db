import { entityPlacementResponseSchema } from '@cloudlab/plugin-multi-provider-common';
import { bigPlacement, piholePlacement } from '../__fixtures__/placement';
import {
  countIntent,
  flattenPods,
  nodesIn,
  podsIn,
  providerShares,
} from './entityPlacement';

describe('entity placement helpers', () => {
  it('fixtures satisfy the shared schema', () => {
    expect(() =>
      entityPlacementResponseSchema.parse(piholePlacement()),
    ).not.toThrow();
  });

  it('flattens pods with where they run, unscheduled last', () => {
    const rows = flattenPods(piholePlacement().clusters[0]);
    expect(rows.map(r => [r.provider, r.zone, r.node, r.pod.name])).toEqual([
      ['Hetzner', 'fsn1-dc14', 'hz-fsn1-1', 'pihole-hetzner-7d9f-abcde'],
      ['Scaleway', 'fr-par-1', 'scw-par1-1', 'pihole-scaleway-5c8b-fghij'],
      ['—', '—', '—', 'pihole-hetzner-7d9f-zzzzz'],
    ]);
    expect(new Set(rows.map(r => r.id)).size).toBe(rows.length);
  });

  it('returns no rows for a cluster that answered with an error', () => {
    expect(flattenPods(piholePlacement().clusters[1])).toEqual([]);
  });

  it('counts intent outcomes', () => {
    const rows = flattenPods(piholePlacement().clusters[0]);
    expect(countIntent(rows.map(r => r.pod))).toEqual({
      matches: 1,
      warning: 1,
      violated: 0,
      pending: 1,
    });
  });

  it('counts pods and nodes per group and shares per provider', () => {
    const cluster = bigPlacement(5000, 50);
    expect(podsIn(cluster.providers[0])).toBe(2500);
    expect(nodesIn(cluster.providers[0])).toBe(100);
    expect(nodesIn(cluster.providers[0].regions[0].zones[0])).toBe(50);
    expect(providerShares(cluster).map(s => s.share)).toEqual([0.5, 0.5]);
    expect(flattenPods(cluster)).toHaveLength(5000);
  });

  it('gives zero shares when nothing is scheduled', () => {
    expect(providerShares(bigPlacement(0, 1)).map(s => s.share)).toEqual([
      0, 0,
    ]);
  });
});
