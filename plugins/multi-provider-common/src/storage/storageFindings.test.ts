import { storageFindings } from './findings';
import {
  isStorageEvent,
  slimEvent,
  slimPV,
  slimPVC,
  slimStorageClass,
} from './slim';
import { nodes, pods, registry } from '../__fixtures__/load';
import { SlimPod } from '../kube/slim';

const pinnedPod = (over: Partial<SlimPod> = {}): SlimPod => ({
  name: 'web-0',
  namespace: 'shop',
  phase: 'Pending',
  claims: ['data'],
  intent: { nodeSelector: { 'cfke.io/provider': 'hetzner' } },
  ...over,
});
const claim = (name: string, cls: string | undefined, size = '10Gi') =>
  slimPVC({
    metadata: { name, namespace: 'shop' },
    spec: {
      storageClassName: cls,
      resources: { requests: { storage: size } },
      accessModes: ['ReadWriteOnce'],
    },
    status: { phase: 'Pending' },
  });
const hcloud = slimStorageClass({
  metadata: { name: 'hcloud-volumes' },
  provisioner: 'csi.hetzner.cloud',
  volumeBindingMode: 'WaitForFirstConsumer',
});
const event = (
  kind: string,
  name: string,
  reason: string,
  message: string,
  at = '2026-01-01T00:00:00Z',
) =>
  slimEvent({
    involvedObject: { kind, name, namespace: 'shop' },
    reason,
    message,
    lastTimestamp: at,
  });
const CONFLICT =
  "0/8 nodes are available: 4 node(s) had volume node affinity conflict, 4 node(s) didn't match Pod's node affinity/selector.";

describe('storage findings read from events, classes and CSINodes', () => {
  it('reports a pending pod with a volume node affinity conflict, with the scheduler message', () => {
    const f = storageFindings({
      registry,
      storageClasses: [hcloud],
      pvcs: [],
      pods: [pinnedPod()],
      events: [
        event(
          'Pod',
          'web-0',
          'FailedScheduling',
          'old: unbound',
          '2025-01-01T00:00:00Z',
        ),
        event('Pod', 'web-0', 'FailedScheduling', CONFLICT),
      ],
    });
    expect(f).toEqual([
      expect.objectContaining({
        id: 'volume-node-affinity-conflict',
        severity: 'error',
        objects: [
          { kind: 'Pod', namespace: 'shop', name: 'web-0' },
          { kind: 'PersistentVolumeClaim', namespace: 'shop', name: 'data' },
        ],
      }),
    ]);
    expect(f[0].message).toContain('volume node affinity conflict');
  });

  it("recognises the newer scheduler wording (didn't match PersistentVolume's node affinity)", () => {
    const f = storageFindings({
      registry,
      storageClasses: [hcloud],
      pvcs: [],
      pods: [pinnedPod()],
      events: [
        event(
          'Pod',
          'web-0',
          'FailedScheduling',
          "0/8 nodes are available: 4 node(s) didn't match PersistentVolume's node affinity, 4 node(s) didn't match Pod's node affinity/selector.",
        ),
      ],
    });
    expect(f.map(x => x.id)).toEqual(['volume-node-affinity-conflict']);
  });

  it('does not report a pod that has since been scheduled, nor other pods', () => {
    const events = [event('Pod', 'web-0', 'FailedScheduling', CONFLICT)];
    for (const pod of [
      pinnedPod({ nodeName: 'n1', phase: 'Running' }),
      pinnedPod({ name: 'other' }),
    ]) {
      expect(
        storageFindings({
          registry,
          storageClasses: [hcloud],
          pvcs: [],
          pods: [pod],
          events,
        }),
      ).toEqual([]);
    }
  });

  it('reports other volume scheduling failures as pod-pending-volume', () => {
    const f = storageFindings({
      registry,
      storageClasses: [hcloud],
      pvcs: [],
      pods: [pinnedPod()],
      events: [
        event(
          'Pod',
          'web-0',
          'FailedScheduling',
          "0/8 nodes are available: 8 node(s) didn't find available persistent volumes to bind.",
        ),
      ],
    });
    expect(f.map(x => [x.id, x.severity])).toEqual([
      ['pod-pending-volume', 'warning'],
    ]);
  });

  it('gives a ProvisioningFailed claim a warning with the provisioner reason', () => {
    const f = storageFindings({
      registry,
      storageClasses: [hcloud],
      pvcs: [claim('data', 'hcloud-volumes')],
      events: [
        event(
          'PersistentVolumeClaim',
          'data',
          'ProvisioningFailed',
          'quota exceeded',
        ),
      ],
    });
    expect(f).toEqual([
      expect.objectContaining({
        id: 'pending-claim',
        severity: 'warning',
        message: 'Claim is Pending: ProvisioningFailed: quota exceeded',
      }),
    ]);
  });

  it('flags a claim naming a class that does not exist, not one that does', () => {
    const f = storageFindings({
      registry,
      storageClasses: [hcloud],
      pvcs: [claim('a', 'hcloud-volume'), claim('b', 'hcloud-volumes')],
    }).filter(x => x.id === 'unknown-class');
    expect(f.map(x => x.objects[0].name)).toEqual(['a']);
    expect(f[0].fix).toContain('hcloud-volumes');
  });

  it('treats an explicit empty class as a class choice, an absent one as missing', () => {
    const ids = (c: ReturnType<typeof claim>) =>
      storageFindings({ registry, storageClasses: [hcloud], pvcs: [c] }).map(
        x => x.id,
      );
    expect(ids(claim('x', undefined))).toContain('pvc-without-class');
    expect(ids(claim('y', ''))).not.toContain('pvc-without-class');
  });

  it('flags nodes whose CSINode lacks their provider driver, ignoring nodes without a CSINode', () => {
    const base = nodes.find(n => n.labels['cfke.io/provider'] === 'hetzner')!;
    const hetznerNodes = ['h1', 'h2', 'h3'].map(name => ({ ...base, name }));
    expect(hetznerNodes.length).toBeGreaterThan(1);
    const [with_, without, ...rest] = hetznerNodes;
    const f = storageFindings({
      registry,
      storageClasses: [],
      pvcs: [],
      nodes: hetznerNodes,
      csiNodes: [
        { name: with_.name, drivers: [{ name: 'csi.hetzner.cloud' }] },
        { name: without.name, drivers: [{ name: 'csi.scaleway.com' }] },
      ],
    });
    expect(f).toEqual([
      expect.objectContaining({
        id: 'csi-node-plugin-missing',
        objects: [
          { kind: 'CSIDriver', name: 'csi.hetzner.cloud' },
          { kind: 'Node', name: without.name },
        ],
      }),
    ]);
    expect(rest.every(n => !JSON.stringify(f).includes(n.name))).toBe(true);
  });

  it('grows linearly: an object costs under 3 times as much in a cluster 8 times larger', () => {
    // Every object of each kind lands in one group (one Retain class, one namespace, one CSI
    // driver), so work per object that grows with its group's size makes the large cluster's
    // objects 8 times dearer. CPU time of this process, not wall time: a busy machine delays the
    // test without adding to it. The small cluster is judged 8 times per measurement, so both
    // measurements judge as many objects and are long enough for the clock's resolution.
    const hetznerNode = nodes.find(
      n => n.labels['cfke.io/provider'] === 'hetzner',
    )!;
    const cluster = (n: number) => {
      const ids = Array.from({ length: n }, (_, i) => i);
      return {
        registry,
        storageClasses: [
          slimStorageClass({
            metadata: { name: 'hcloud-volumes' },
            provisioner: 'csi.hetzner.cloud',
            reclaimPolicy: 'Retain',
            volumeBindingMode: 'WaitForFirstConsumer',
          }),
        ],
        pvcs: ids.map(i => claim(`c${i}`, 'hcloud-volumes')),
        pvs: ids.map(i =>
          slimPV({
            metadata: { name: `pv${i}` },
            spec: {
              storageClassName: 'hcloud-volumes',
              csi: { driver: 'csi.hetzner.cloud' },
            },
            status: { phase: 'Released' },
          }),
        ),
        pods: ids.map(i =>
          pinnedPod({
            name: `p${i}`,
            claims: [`c${i}`],
            intent: { nodeSelector: { 'cfke.io/provider': 'scaleway' } },
          }),
        ),
        events: ids.flatMap(i => [
          event('PersistentVolumeClaim', `c${i}`, 'ProvisioningFailed', 'x'),
          event('Pod', `p${i}`, 'FailedScheduling', CONFLICT),
        ]),
        nodes: ids.map(i => ({ ...hetznerNode, name: `n${i}` })),
        csiNodes: ids.map(i => ({ name: `n${i}`, drivers: [] })),
      };
    };
    const small = cluster(2000);
    const large = cluster(16000);
    // Each rule fires once per object (and once for the class and the driver).
    expect(storageFindings(small)).toHaveLength(3 * 2000 + 2);
    const cpuMs = (input: typeof small, times: number) => {
      const before = process.cpuUsage();
      for (let i = 0; i < times; i++) storageFindings(input);
      const used = process.cpuUsage(before);
      return (used.user + used.system) / 1000;
    };
    // Interleaved, best of five: a pause or a busy neighbour hits both sizes alike.
    let smallMs = Infinity;
    let largeMs = Infinity;
    for (let i = 0; i < 5; i++) {
      smallMs = Math.min(smallMs, cpuMs(small, 8));
      largeMs = Math.min(largeMs, cpuMs(large, 1));
    }
    // eslint-disable-next-line no-console
    console.log(
      `storage findings CPU time: 8 clusters of 2,000 objects per kind ${smallMs.toFixed(
        1,
      )} ms, 1 of 16,000 ${largeMs.toFixed(1)} ms: ${(
        largeMs / smallMs
      ).toFixed(2)}× per object (linear 1×, quadratic 8×)`,
    );
    expect(largeMs / smallMs).toBeLessThan(3);
  });

  it('uses the fixture pods without false conflicts', () => {
    expect(
      storageFindings({
        registry,
        storageClasses: [hcloud],
        pvcs: [],
        pods,
      }).filter(f => f.id === 'claim-provider-conflict'),
    ).toEqual([]);
  });
});

describe('slim storage objects', () => {
  it('keeps only storage events about claims or pod volumes', () => {
    expect(
      isStorageEvent({
        involvedObject: { kind: 'Pod' },
        reason: 'FailedScheduling',
        message: '0/3 nodes are available: 3 Insufficient cpu.',
      }),
    ).toBe(false);
    expect(
      isStorageEvent({
        involvedObject: { kind: 'Pod' },
        reason: 'FailedScheduling',
        message: CONFLICT,
      }),
    ).toBe(true);
    expect(
      isStorageEvent({
        involvedObject: { kind: 'PersistentVolumeClaim' },
        reason: 'WaitForFirstConsumer',
      }),
    ).toBe(true);
    expect(
      isStorageEvent({
        involvedObject: { kind: 'Pod' },
        reason: 'Pulled',
        message: 'volume',
      }),
    ).toBe(false);
  });

  it('flattens a PV to driver, capacity, claim and CSI topology', () => {
    expect(
      slimPV({
        metadata: { name: 'pv1' },
        spec: {
          storageClassName: 'scw-bssd',
          csi: { driver: 'csi.scaleway.com' },
          capacity: { storage: '10Gi' },
          claimRef: { name: 'data', namespace: 'shop' },
          persistentVolumeReclaimPolicy: 'Delete',
          nodeAffinity: {
            required: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [
                    {
                      key: 'topology.csi.scaleway.com/zone',
                      operator: 'In',
                      values: ['fr-par-1'],
                    },
                  ],
                },
              ],
            },
          },
        },
        status: { phase: 'Bound' },
      }),
    ).toEqual({
      metadata: { name: 'pv1' },
      spec: {
        storageClassName: 'scw-bssd',
        csi: { driver: 'csi.scaleway.com' },
        capacity: '10Gi',
        claimRef: { name: 'data', namespace: 'shop' },
        reclaimPolicy: 'Delete',
      },
      status: { phase: 'Bound' },
      topology: [
        { key: 'topology.csi.scaleway.com/zone', values: ['fr-par-1'] },
      ],
    });
  });
});
