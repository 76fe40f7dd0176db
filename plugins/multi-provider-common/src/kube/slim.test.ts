import { bytes, cpuMillis, parseQuantity } from './quantity';
import { slimNode, slimPod } from './slim';
import { nodes, pods, rawPods } from '../__fixtures__/load';
import { termMatches, untoleratedTaints } from './matching';

describe('quantities', () => {
  it('parses cpu and memory', () => {
    expect(cpuMillis('100m')).toBe(100);
    expect(cpuMillis('1.5')).toBe(1500);
    expect(cpuMillis(2)).toBe(2000);
    expect(bytes('128Mi')).toBe(128 * 1024 * 1024);
    expect(bytes('1G')).toBe(1e9);
    expect(bytes('1e3')).toBe(1000);
    expect(() => parseQuantity('lots')).toThrow(
      '"lots" is not a Kubernetes quantity',
    );
    expect(bytes('lots')).toBe(0);
    expect(cpuMillis(undefined)).toBe(0);
  });
});

describe('slimPod / slimNode', () => {
  it('resolves ReplicaSets to their Deployment and keeps intent', () => {
    const web = pods.find(p => p.name === 'web-7c4b9-ccccc')!;
    expect(web.owner).toEqual({ kind: 'Deployment', name: 'web' });
    expect(web.requests).toEqual({ cpuMillis: 100, memoryBytes: 134217728 });
    expect(web.intent?.preferred?.[0].weight).toBe(100);
    const db = pods.find(p => p.name === 'db-0')!;
    expect(db.owner).toEqual({ kind: 'StatefulSet', name: 'db' });
    expect(db.claims).toEqual(['data-db-0']);
    const pending = pods.find(p => p.name === 'web-7c4b9-ddddd')!;
    expect(pending.pendingReason).toMatch(/^Unschedulable: 0\/7 nodes/);
  });

  it('counts init containers as the scheduler does', () => {
    const pod = slimPod({
      spec: {
        containers: [{ resources: { requests: { cpu: '100m' } } }],
        initContainers: [{ resources: { requests: { cpu: '1' } } }],
      },
    });
    expect(pod.requests?.cpuMillis).toBe(1000);
  });

  it('stays under 500 bytes per pod', () => {
    const total = pods.reduce((n, p) => n + JSON.stringify(p).length, 0);
    const raw = rawPods.reduce((n, p) => n + JSON.stringify(p).length, 0);
    expect(total / pods.length).toBeLessThan(500);
    expect(total).toBeLessThan(raw / 4);
  });

  it('keeps node capacity, taints and readiness', () => {
    const gpu = nodes.find(n => n.name === 'scw-par2-gpu')!;
    expect(gpu.allocatable).toEqual({
      cpuMillis: 4000,
      memoryBytes: 8 * 1024 ** 3,
      pods: 110,
    });
    expect(gpu.taints).toEqual([
      { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' },
    ]);
    expect(slimNode({}).ready).toBe(false);
  });
});

describe('matching', () => {
  const node = { name: 'n1', labels: { zone: 'a', size: '4' } };
  it('evaluates operators', () => {
    const t = (operator: string, values?: string[], key = 'zone') =>
      termMatches({ matchExpressions: [{ key, operator, values }] }, node);
    expect(t('In', ['a'])).toBe(true);
    expect(t('NotIn', ['a'])).toBe(false);
    expect(t('Exists')).toBe(true);
    expect(t('DoesNotExist')).toBe(false);
    expect(t('Gt', ['3'], 'size')).toBe(true);
    expect(t('Lt', ['3'], 'size')).toBe(false);
    expect(termMatches({}, node)).toBe(false);
    expect(
      termMatches(
        {
          matchFields: [
            { key: 'metadata.name', operator: 'In', values: ['n1'] },
          ],
        },
        node,
      ),
    ).toBe(true);
  });

  it('checks tolerations against NoSchedule taints', () => {
    const taints = [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }];
    expect(untoleratedTaints([], { taints })).toEqual(['gpu=true:NoSchedule']);
    expect(
      untoleratedTaints([{ key: 'gpu', operator: 'Exists' }], { taints }),
    ).toEqual([]);
    expect(untoleratedTaints([{ operator: 'Exists' }], { taints })).toEqual([]);
    expect(
      untoleratedTaints([{ key: 'gpu', value: 'false' }], { taints }),
    ).toHaveLength(1);
    expect(untoleratedTaints([], { unschedulable: true })).toHaveLength(1);
  });
});

describe('slimPod scheduling constraints that depend on other pods', () => {
  it('keeps required pod anti-affinity and the selector of DoNotSchedule spread only', () => {
    const selector = { matchLabels: { app: 'web' } };
    const zoneSpread = {
      topologyKey: 'topology.kubernetes.io/zone',
      maxSkew: 1,
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: selector,
    };
    const hostSpread = {
      topologyKey: 'kubernetes.io/hostname',
      maxSkew: 1,
      whenUnsatisfiable: 'ScheduleAnyway',
    };
    const antiAffinity = {
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: selector,
    };
    const slim = slimPod({
      metadata: { name: 'w', namespace: 'shop', labels: { app: 'web' } },
      spec: {
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [antiAffinity],
          },
        },
        topologySpreadConstraints: [
          zoneSpread,
          { ...hostSpread, labelSelector: selector },
        ],
      },
    });
    expect(slim.intent?.podAntiAffinity).toEqual([antiAffinity]);
    expect(slim.intent?.topologySpread).toEqual([zoneSpread, hostSpread]);
  });

  it('keeps nodeTaintsPolicy Honor (which changes the domains) and drops the default Ignore', () => {
    const spread = (nodeTaintsPolicy: string) =>
      slimPod({
        metadata: { name: 'w', namespace: 'shop' },
        spec: {
          topologySpreadConstraints: [
            {
              topologyKey: 'cfke.io/provider',
              maxSkew: 1,
              whenUnsatisfiable: 'DoNotSchedule',
              nodeTaintsPolicy,
            },
          ],
        },
      }).intent?.topologySpread?.[0];
    expect(spread('Honor')?.nodeTaintsPolicy).toBe('Honor');
    expect(spread('Ignore')).not.toHaveProperty('nodeTaintsPolicy');
  });
});
