import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { SignalApi } from '@backstage/plugin-signals-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { act, screen, waitFor } from '@testing-library/react';
import { piholeEntity, piholePlacement } from '../__fixtures__/placement';
import { mockMultiProviderApi } from '../__fixtures__/mockApi';
import { multiProviderApiRef } from '../api';
import { rememberAnswerVersion } from '../api/answerVersions';
import { EntityPlacementContent } from '../components/EntityPlacementContent';
import { useLiveAsync } from './useLiveAsync';

/** A signal API whose messages the test sends by hand. */
function fakeSignals() {
  const handlers = new Map<string, Set<(m: any) => void>>();
  const api: SignalApi = {
    subscribe(channel, onMessage) {
      if (!handlers.has(channel)) handlers.set(channel, new Set());
      handlers.get(channel)!.add(onMessage as (m: any) => void);
      return {
        unsubscribe: () => handlers.get(channel)!.delete(onMessage as any),
      };
    },
  };
  const send = (channel: string, message: unknown) =>
    act(() => handlers.get(channel)?.forEach(h => h(message)));
  const channels = () =>
    [...handlers].filter(([, hs]) => hs.size > 0).map(([c]) => c);
  return { api, send, channels };
}

/** An answer as the client returns it: the object, with the ETag it came with beside it. */
function served<T extends object>(answer: T, etag: string): T {
  rememberAnswerVersion(answer, etag);
  return answer;
}

function Shows(props: { load: () => Promise<{ text: string }> }) {
  const { value, loading } = useLiveAsync(props.load, [], ['ch']);
  if (loading) return <p>loading</p>;
  return <p>{value?.text}</p>;
}

describe('useLiveAsync', () => {
  it('loads again when a signal names another version, and not for the version shown', async () => {
    const signals = fakeSignals();
    const answers = [
      served({ text: 'first' }, '"v1"'),
      served({ text: 'second' }, '"v2"'),
    ];
    let resolveSecond: () => void = () => {};
    const load = jest
      .fn()
      .mockResolvedValueOnce(answers[0])
      .mockImplementationOnce(
        () => new Promise(r => (resolveSecond = () => r(answers[1]))),
      );
    await renderInTestApp(<Shows load={load} />, {
      apis: [[signalApiRef, signals.api]],
    });
    expect(await screen.findByText('first')).toBeInTheDocument();
    expect(signals.channels()).toEqual(['ch']);

    // The version on screen: nothing to fetch.
    await signals.send('ch', { version: '"v1"' });
    // Not a live signal (data, or no version): ignored.
    await signals.send('ch', { version: '"v9"', pods: ['x'] });
    await signals.send('ch', {});
    expect(load).toHaveBeenCalledTimes(1);

    await signals.send('ch', { version: '"v2"' });
    expect(load).toHaveBeenCalledTimes(2);
    // While the new answer loads, the old one stays on screen (no spinner in between).
    expect(screen.getByText('first')).toBeInTheDocument();
    expect(screen.queryByText('loading')).toBeNull();
    await act(async () => resolveSecond());
    expect(await screen.findByText('second')).toBeInTheDocument();
  });

  it('loads once when the app has no signals plugin', async () => {
    const load = jest.fn().mockResolvedValue({ text: 'only' });
    await renderInTestApp(<Shows load={load} />);
    expect(await screen.findByText('only')).toBeInTheDocument();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("subscribes the Placement tab to its entity's placement channel and reloads it", async () => {
    const signals = fakeSignals();
    const mock = mockMultiProviderApi({
      getEntityPlacement: async () => served(piholePlacement(), '"p1"'),
    });
    await renderInTestApp(
      <EntityProvider entity={piholeEntity()}>
        <EntityPlacementContent />
      </EntityProvider>,
      {
        apis: [
          [multiProviderApiRef, mock],
          [signalApiRef, signals.api],
        ],
      },
    );
    await waitFor(() => expect(mock.getEntityPlacement).toHaveBeenCalled());
    const channel = 'multi-provider:entity:placement:component:default/pihole';
    await waitFor(() => expect(signals.channels()).toContain(channel));
    await screen.findAllByText(/Hetzner/);
    await signals.send(channel, { version: '"p2"' });
    await waitFor(() =>
      expect(mock.getEntityPlacement).toHaveBeenCalledTimes(2),
    );
  });

  it('loads again after a load that was running when the signal came', async () => {
    const signals = fakeSignals();
    let finishFirst: () => void = () => {};
    const load = jest
      .fn()
      .mockImplementationOnce(
        () =>
          new Promise(
            r => (finishFirst = () => r(served({ text: 'old' }, '"a"'))),
          ),
      )
      .mockResolvedValueOnce(served({ text: 'new' }, '"b"'));
    await renderInTestApp(<Shows load={load} />, {
      apis: [[signalApiRef, signals.api]],
    });
    await waitFor(() => expect(signals.channels()).toEqual(['ch']));
    // The change lands while the first load is still running (it may have read the old answer).
    await signals.send('ch', { version: '"b"' });
    expect(load).toHaveBeenCalledTimes(1);
    await act(async () => finishFirst());
    expect(await screen.findByText('new')).toBeInTheDocument();
    expect(load).toHaveBeenCalledTimes(2);
  });
});
