import { parseSteps } from './bench';
import { OUTAGE_TAINT, withOutageTaint } from './outage';
import { deploymentReplicas } from './scale';
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

  it('counts by key', () => {
    expect(countBy(['b', 'a', 'b'])).toBe('a=1 b=2');
    expect(countBy([])).toBe('-');
  });
});
