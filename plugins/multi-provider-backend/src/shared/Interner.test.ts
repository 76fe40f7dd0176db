import { SlimPod } from '@cloudlab/plugin-multi-provider-common';
import { Interner } from './Interner';

const replica = (i: number): SlimPod =>
  JSON.parse(
    JSON.stringify({
      name: `web-${i}`,
      namespace: 'shop',
      phase: 'Running',
      nodeName: `node-${i % 2}`,
      owner: { kind: 'Deployment', name: 'web' },
      requests: { cpuMillis: 10, memoryBytes: 1024 },
      intent: { nodeSelector: { 'cfke.io/provider': 'hetzner' } },
    }),
  );

describe('Interner', () => {
  it('gives equal values one copy and leaves every value as it was', () => {
    const interner = new Interner();
    const pods = Array.from({ length: 10 }, (_, i) => replica(i));
    for (const p of pods) interner.internPod(p);
    expect(pods.map(p => JSON.stringify(p))).toEqual(
      Array.from({ length: 10 }, (_, i) => JSON.stringify(replica(i))),
    );
    expect(pods[3].intent).toBe(pods[7].intent);
    expect(pods[3].owner).toBe(pods[7].owner);
    expect(pods[3].requests).toBe(pods[7].requests);
    // A different intent is not merged.
    const other = replica(11);
    other.intent = { nodeSelector: { 'cfke.io/provider': 'scaleway' } };
    interner.internPod(other);
    expect(other.intent).not.toBe(pods[0].intent);
  });
});
