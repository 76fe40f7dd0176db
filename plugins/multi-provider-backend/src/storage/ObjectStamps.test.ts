import { ObjectStamps } from './ObjectStamps';

describe('ObjectStamps', () => {
  const make = (shared = false) => {
    let t = 0;
    return new ObjectStamps({ tick: () => (t += 1) }, shared);
  };

  it('versions a key set by count and highest stamp, never returning to an earlier value', () => {
    const s = make();
    s.update('a', undefined, 'a');
    s.update('b', undefined, 'b');
    const seen = new Set([s.version(['a', 'b', 'c'])]);
    expect(s.version(['a', 'b', 'c'])).toBe('2:2');
    s.update('a', 'a', 'a'); // a changes
    seen.add(s.version(['a', 'b', 'c']));
    s.update('a', 'a'); // a is deleted
    seen.add(s.version(['a', 'b', 'c']));
    s.update('c', undefined, 'c'); // c appears
    seen.add(s.version(['a', 'b', 'c']));
    expect(seen.size).toBe(4);
    // Changes outside the set leave its version alone.
    const before = s.version(['b']);
    s.update('d', undefined, 'd');
    expect(s.version(['b'])).toBe(before);
  });

  it('files several items under one key when shared, dropping the key with its last item', () => {
    const s = make(true);
    s.update('e1', undefined, 'pod-a');
    s.update('e2', undefined, 'pod-a');
    expect([...s.items('pod-a')]).toEqual(['e1', 'e2']);
    const v = s.version(['pod-a']);
    s.update('e1', 'pod-a');
    expect([...s.items('pod-a')]).toEqual(['e2']);
    expect(s.version(['pod-a'])).not.toBe(v);
    s.update('e2', 'pod-a');
    expect(s.version(['pod-a'])).toBe('0:0');
    expect(s.items('pod-a').size).toBe(0);
    // Without sharing no item sets are kept.
    const own = make();
    own.update('x', undefined, 'x');
    expect(own.items('x').size).toBe(0);
    expect(own.version(['x'])).toBe('1:1');
  });
});
