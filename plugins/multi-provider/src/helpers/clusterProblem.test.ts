import { clusterErrorTypeSchema } from '@cloudlab/plugin-multi-provider-common';
import {
  ago,
  CLUSTER_PROBLEMS,
  clusterProblem,
  hasClusterData,
} from './clusterProblem';

describe('clusterProblem', () => {
  it('has its own label, explanation and fix for every error kind of the schema', () => {
    const kinds = clusterErrorTypeSchema.options;
    expect(Object.keys(CLUSTER_PROBLEMS).sort()).toEqual([...kinds].sort());
    for (const field of ['label', 'explanation', 'hint'] as const) {
      const texts = kinds.map(k => CLUSTER_PROBLEMS[k][field]);
      expect(new Set(texts).size).toBe(kinds.length);
    }
  });

  it('points a refused token to the ServiceAccount token of the kubernetes config', () => {
    expect(
      clusterProblem({ state: 'error', errorType: 'unauthorized' })?.hint,
    ).toContain(
      'kubernetes.clusterLocatorMethods[].clusters[].serviceAccountToken',
    );
  });

  it('is silent for a live cluster, generic for an untyped error', () => {
    expect(clusterProblem({ state: 'synced' })).toBeUndefined();
    expect(clusterProblem({ state: 'stale' })).toBeUndefined();
    expect(clusterProblem({ state: 'error', error: 'boom' })).toBe(
      CLUSTER_PROBLEMS.unknown,
    );
  });
});

describe('ago', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  it.each([
    ['2026-01-01T11:59:50Z', 'just now'],
    ['2026-01-01T11:55:00Z', '5 min ago'],
    ['2026-01-01T09:00:00Z', '3 h ago'],
    ['2025-12-29T12:00:00Z', '3 days ago'],
  ])('%s → %s', (iso, text) => expect(ago(iso, now)).toBe(text));
});

describe('hasClusterData', () => {
  it.each([
    ['synced', true],
    ['stale', true],
    ['syncing', false],
    ['error', false],
  ] as const)('%s → %s', (state, drawn) =>
    expect(hasClusterData({ state })).toBe(drawn),
  );
});
