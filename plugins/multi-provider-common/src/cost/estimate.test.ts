import fc from 'fast-check';
import { costEstimateResponseSchema } from '../api/costEstimate';
import { TEMPLATE_WORKLOAD_REQUESTS, estimateTemplateCost } from './estimate';
import { testRegistry } from './testRegistry';

describe('estimateTemplateCost', () => {
  const registry = testRegistry();

  it('prices each instance on its cheapest fitting type, plus its volume', () => {
    const out = estimateTemplateCost(registry, {
      providers: ['alpha', 'beta'],
      replicas: 2,
      storageSize: '5Gi',
    });
    expect(costEstimateResponseSchema.safeParse(out).success).toBe(true);
    expect(out.requests).toEqual(TEMPLATE_WORKLOAD_REQUESTS);
    // By hand: 50m / 64Mi weighs less on a-large (4 vCPU, 8 GiB, 6.80 a month: 0.0690625 a pod)
    // than on a-small (2 vCPU, 4 GiB, 4.00: 0.08125), and on b-small (2 vCPU, 2 GiB, 6.42) than on
    // b-large; the volume is raised to the 10 GiB minimum at 0.05 a GiB-month.
    const mib64 = 64 / 1024;
    const alpha = 2 * 6.8 * ((0.05 / 4 + mib64 / 8) / 2) + 10 * 0.05;
    const beta = 2 * 6.42 * ((0.05 / 2 + mib64 / 2) / 2) + 10 * 0.05;
    expect(out.instances.map(i => i.monthly)).toEqual([
      expect.closeTo(alpha, 9),
      expect.closeTo(beta, 9),
    ]);
    expect(out.instances[0].pods).toMatchObject({ serverType: 'a-large' });
    expect(out.instances[0].volume).toEqual({ billedGiB: 10, monthly: 0.5 });
    expect(out.monthly).toBeCloseTo(alpha + beta, 9);
  });

  it('says a provider outside the registry has no price rather than zero', () => {
    const out = estimateTemplateCost(registry, {
      providers: ['alpha', 'gamma'],
      replicas: 1,
    });
    expect(out.instances[1]).toMatchObject({
      monthly: null,
      pods: { fits: false, reason: 'not in the provider registry' },
    });
    expect(out.monthly).toBeNull();
  });

  it('grows with replicas and size, and never goes negative', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 500 }),
        (replicas, gib) => {
          const a = estimateTemplateCost(registry, {
            providers: ['alpha', 'beta'],
            replicas,
            storageSize: `${gib}Gi`,
          });
          const b = estimateTemplateCost(registry, {
            providers: ['alpha', 'beta'],
            replicas: replicas + 1,
            storageSize: `${gib + 1}Gi`,
          });
          expect(a.monthly!).toBeGreaterThan(0);
          expect(b.monthly!).toBeGreaterThan(a.monthly!);
        },
      ),
      { numRuns: 50 },
    );
  });
});
