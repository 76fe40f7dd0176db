import {
  LabelRequirement,
  SlimPod,
} from '@cloudlab/plugin-multi-provider-common';
import fc from 'fast-check';
import { podQuery } from './entityPods';
import { PodIndex, selectPods } from './PodIndex';

const KEYS = ['app', 'tier', 'backstage.io/kubernetes-id'];
const VALUES = ['a', 'b', 'c'];
const NAMESPACES = ['ns1', 'ns2', 'ns3'];

const podArb = fc.record({
  name: fc.constantFrom('p0', 'p1', 'p2', 'p3', 'p4', 'p5'),
  namespace: fc.constantFrom(...NAMESPACES),
  labels: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES)),
});

const requirementArb: fc.Arbitrary<LabelRequirement> = fc.oneof(
  fc.record({
    key: fc.constantFrom(...KEYS),
    operator: fc.constantFrom('In', 'NotIn'),
    values: fc.uniqueArray(fc.constantFrom(...VALUES), {
      minLength: 1,
      maxLength: 3,
    }),
  }),
  fc.record({
    key: fc.constantFrom(...KEYS),
    operator: fc.constantFrom('Exists', 'DoesNotExist'),
  }),
);

const query = podQuery;

const sortKeys = (pods: SlimPod[]) =>
  pods.map(p => `${p.namespace}/${p.name}`).sort();

describe('PodIndex', () => {
  it('selects exactly what a full scan selects, after any sequence of upserts and deletes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ pod: podArb, remove: fc.boolean() }), {
          maxLength: 40,
        }),
        fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }),
        fc.array(requirementArb, { minLength: 1, maxLength: 3 }),
        (changes, namespace, requirements) => {
          const items = new Map<string, SlimPod>();
          const index = new PodIndex();
          for (const { pod, remove } of changes) {
            const slim: SlimPod = { ...pod, phase: 'Running' };
            const key = `${slim.namespace}/${slim.name}`;
            const prev = items.get(key);
            if (remove) {
              items.delete(key);
              index.update(key, prev, undefined);
            } else {
              items.set(key, slim);
              index.update(key, prev, slim);
            }
          }
          const q = query(namespace, requirements);
          const expected = [...items.values()].filter(q.matches);
          expect(sortKeys(selectPods(items, index, q))).toEqual(
            sortKeys(expected),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('narrows a kubernetes-id lookup to the groups carrying that label value', () => {
    const index = new PodIndex();
    for (let i = 0; i < 1000; i++) {
      const pod: SlimPod = {
        name: `p${i}`,
        namespace: `ns-${i % 10}`,
        phase: 'Running',
        labels: { 'backstage.io/kubernetes-id': `app-${i % 100}` },
      };
      index.update(`${pod.namespace}/${pod.name}`, undefined, pod);
    }
    // The query's predicate runs once per group the index examines (one test decides a group).
    const examined = (q: ReturnType<typeof query>) => {
      const matches = jest.fn(q.matches);
      index.select({ ...q, matches });
      return matches.mock.calls.length;
    };
    // 100 apps x 10 namespaces, but app-i always lands in namespace i % 10: 100 groups.
    expect(examined(query(undefined, []))).toBe(100);
    const q = query(undefined, [
      { key: 'backstage.io/kubernetes-id', operator: 'In', values: ['app-7'] },
    ]);
    expect(examined(q)).toBe(1);
    expect(index.select(q)).toHaveLength(10);
    // Only negative requirements and no namespace: every group is examined (never every pod).
    expect(
      examined(
        query(undefined, [{ key: 'app', operator: 'NotIn', values: ['x'] }]),
      ),
    ).toBe(100);
    // The namespace narrows when the labels cannot.
    expect(
      examined(
        query('ns-3', [{ key: 'app', operator: 'NotIn', values: ['x'] }]),
      ),
    ).toBe(10);
  });
});
