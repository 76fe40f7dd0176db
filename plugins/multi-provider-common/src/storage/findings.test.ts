import {
  StorageFinding,
  storageFindings,
  storageFindingSchema,
  supersedes,
} from './findings';
import { sortFindings } from './views';
import { pods, registry } from '../__fixtures__/load';
import fixture from '../__fixtures__/storage.json';

const run = (overrides: Partial<typeof fixture> = {}) =>
  storageFindings({ registry, pods, ...fixture, ...overrides } as any);

describe('storageFindings', () => {
  const findings = run();
  const ids = (id: string) => findings.filter(f => f.id === id);

  it('produces findings the API schema accepts', () => {
    for (const f of findings) expect(storageFindingSchema.parse(f)).toEqual(f);
  });

  it('flags a claim without class, and more than one default class as an error', () => {
    expect(ids('pvc-without-class').map(f => f.objects[0].name)).toEqual([
      'no-class',
    ]);
    expect(ids('multiple-default-classes')[0]).toMatchObject({
      severity: 'error',
    });
    const one = run({
      storageClasses: fixture.storageClasses.slice(0, 1) as any,
    });
    expect(one.find(f => f.id === 'default-class')?.severity).toBe('warning');
    expect(one.some(f => f.id === 'multiple-default-classes')).toBe(false);
  });

  it('checks sizes against the provider minimum and whole GiB, not firing on 10Gi', () => {
    expect(ids('size-below-minimum').map(f => f.objects[0].name)).toEqual([
      'tiny',
    ]);
    expect(ids('size-not-whole-gib').map(f => f.objects[0].name)).toEqual([
      'odd',
    ]);
    // Scaleway has a 1G minimum and no whole-GiB rule: 1Gi claims are fine.
    expect(
      findings.some(
        f => f.id.startsWith('size') && f.objects[0].namespace === 'dns',
      ),
    ).toBe(false);
  });

  it('flags a volume on one provider used by a pod pinned to another', () => {
    expect(ids('claim-provider-conflict')).toEqual([
      expect.objectContaining({
        severity: 'error',
        objects: [
          expect.objectContaining({ name: 'pihole-hetzner-data' }),
          expect.objectContaining({
            kind: 'Pod',
            name: 'pihole-hetzner-5d9f8-abcde',
          }),
        ],
      }),
    ]);
  });

  it('flags Immediate binding on a multi-zone provider only', () => {
    expect(
      ids('immediate-binding-multi-zone').map(f => f.objects[0].name),
    ).toEqual(['scw-bssd']);
  });

  it('flags Retain classes with Released volumes and pending claims with their event', () => {
    expect(ids('retain-released-volumes')[0].objects.map(o => o.name)).toEqual([
      'scw-bssd-retain',
      'pv-old',
    ]);
    expect(ids('pending-claim')[0]).toMatchObject({ severity: 'info' });
    expect(ids('pending-claim')[0].message).toMatch(/WaitForFirstConsumer/);
  });

  it('finds nothing in a clean setup (must not fire)', () => {
    expect(
      storageFindings({
        registry,
        storageClasses: [
          fixture.storageClasses[2] as any,
          // The claim's class, not marked default.
          {
            ...fixture.storageClasses[0],
            metadata: { name: 'hcloud-volumes' },
          },
        ],
        pvcs: [fixture.pvcs[5] as any],
        pvs: [],
        pods,
      }),
    ).toEqual([]);
  });
});

describe('the latest event and the finding order do not depend on reading order', () => {
  const event = (reason: string, at: string, message = reason) => ({
    reason,
    message,
    lastTimestamp: at,
  });

  it('prefers the later event, then the greater reason, then the greater message', () => {
    const early = event('B', '2026-01-01T00:00:00Z');
    const late = event('A', '2026-01-02T00:00:00Z');
    expect(supersedes(late, early)).toBe(true);
    expect(supersedes(early, late)).toBe(false);
    const tieA = event('A', '2026-01-01T00:00:00Z');
    expect(supersedes(early, tieA)).toBe(true);
    expect(supersedes(tieA, early)).toBe(false);
    const m1 = event('A', '2026-01-01T00:00:00Z', 'm1');
    const m2 = event('A', '2026-01-01T00:00:00Z', 'm2');
    expect(supersedes(m2, m1)).toBe(true);
    expect(supersedes(m1, m2)).toBe(false);
    expect(supersedes(m1, undefined)).toBe(true);
  });

  it('sorts findings of one rule by the objects they name', () => {
    const finding = (name: string): StorageFinding => ({
      id: 'pending-claim',
      severity: 'warning',
      objects: [{ kind: 'PersistentVolumeClaim', namespace: 'shop', name }],
      message: 'Claim is Pending',
      fix: '',
    });
    const error = {
      ...finding('z'),
      id: 'pvc-without-class',
      severity: 'error' as const,
    };
    const names = (list: StorageFinding[]) =>
      sortFindings(list).map(f => `${f.id} ${f.objects[0].name}`);
    const expected = [
      'pvc-without-class z',
      'pending-claim a',
      'pending-claim b',
      'pending-claim c',
    ];
    expect(names([finding('c'), finding('a'), error, finding('b')])).toEqual(
      expected,
    );
    expect(names([finding('b'), error, finding('c'), finding('a')])).toEqual(
      expected,
    );
  });
});
