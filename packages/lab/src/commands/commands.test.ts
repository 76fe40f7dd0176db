import { parseSteps } from './bench';
import { OUTAGE_TAINT, withOutageTaint } from './outage';
import {
  awaitNamespaceGone,
  deploymentReplicas,
  parseScaleFlags,
} from './scale';
import { countBy } from './statusHelpers';

describe('outage taint', () => {
  it('adds the NoExecute taint and keeps other taints', () => {
    const taints = withOutageTaint(
      [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }],
      'hetzner',
      true,
    );
    expect(taints).toEqual([
      { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
      { ...OUTAGE_TAINT, value: 'hetzner' },
    ]);
  });

  it('is idempotent and removes only its own taint on restore', () => {
    const once = withOutageTaint(undefined, 'scaleway', true);
    expect(withOutageTaint(once, 'scaleway', true)).toEqual(once);
    expect(
      withOutageTaint(
        [...once, { key: 'x', effect: 'NoSchedule' }],
        'scaleway',
        false,
      ),
    ).toEqual([{ key: 'x', effect: 'NoSchedule' }]);
  });
});

describe('scale helpers', () => {
  it('splits pods into deployments of at most 1000', () => {
    expect(deploymentReplicas(0)).toEqual([]);
    expect(deploymentReplicas(2500)).toEqual([1000, 1000, 500]);
  });

  it('parses bench steps and rejects nonsense', () => {
    expect(parseSteps('100x2000, 1000x20000')).toEqual([
      { nodes: 100, pods: 2000 },
      { nodes: 1000, pods: 20000 },
    ]);
    expect(() => parseSteps('lots')).toThrow(/bad step "lots"/);
  });

  it('parses the scale flags with zod: claims default to 0, errors name the flag', () => {
    expect(parseScaleFlags(['--nodes', '10', '--pods', '200'])).toEqual({
      nodes: 10,
      pods: 200,
      claims: 0,
    });
    expect(
      parseScaleFlags(['--claims', '300', '--nodes', '10', '--pods', '200']),
    ).toEqual({ nodes: 10, pods: 200, claims: 300 });
    expect(
      parseScaleFlags(['--nodes', '0', '--pods', '0', '--claims', '0']),
    ).toEqual({ nodes: 0, pods: 0, claims: 0 });
    expect(() => parseScaleFlags(['--pods', '10'])).toThrow(
      /--nodes is required/,
    );
    expect(() =>
      parseScaleFlags(['--nodes', '1', '--pods', '2', '--claims', '-3']),
    ).toThrow(/--claims must be a whole number, 0 or more/);
    expect(() => parseScaleFlags(['--nodes', '1.5', '--pods', '2'])).toThrow(
      /--nodes must be a whole number/,
    );
    expect(() =>
      parseScaleFlags(['--nodes', '1', '--pods', '2', '--claims', 'many']),
    ).toThrow(/--claims must be a whole number/);
    expect(() =>
      parseScaleFlags(['--nodes', '1', '--pods', '0', '--claims', '5']),
    ).toThrow(/--claims needs --nodes > 0 and --pods > 0/);
    expect(() =>
      parseScaleFlags(['--nodes', '1', '--pods', '1', '--volumes', '5']),
    ).toThrow(/unknown flag --volumes/);
    expect(() =>
      parseScaleFlags(['--nodes', '9999999', '--pods', '1']),
    ).toThrow(/--nodes must be at most 5000/);
  });

  it('counts by key', () => {
    expect(countBy(['b', 'a', 'b'])).toBe('a=1 b=2');
    expect(countBy([])).toBe('-');
  });
});

describe('lab scale waits for an earlier removal of its namespace', () => {
  /** A core client whose namespace reads answer from a script: phases, then 404. */
  const core = (phases: string[]) => {
    let reads = 0;
    return {
      reads: () => reads,
      clients: {
        core: {
          readNamespace: async () => {
            const phase = phases[reads++];
            if (phase === undefined)
              throw Object.assign(
                new Error('namespaces "lab-scale" not found'),
                {
                  code: 404,
                },
              );
            return { status: { phase } };
          },
        },
      } as any,
    };
  };

  it('returns once the terminating namespace is gone', async () => {
    const c = core(['Terminating', 'Terminating']);
    await awaitNamespaceGone(c.clients, { pollMs: 1 });
    expect(c.reads()).toBe(3);
  });

  it('returns at once for an active namespace', async () => {
    const c = core(['Active']);
    await awaitNamespaceGone(c.clients, { pollMs: 1 });
    expect(c.reads()).toBe(1);
  });

  it('gives up with an error that names the namespace', async () => {
    const c = core(Array(1000).fill('Terminating'));
    await expect(
      awaitNamespaceGone(c.clients, { pollMs: 1, timeoutMs: 20 }),
    ).rejects.toThrow(/namespace lab-scale is still being deleted after 0.02s/);
  });
});
