import { DependencyList, useEffect, useRef } from 'react';
import { useApiHolder } from '@backstage/frontend-plugin-api';
import { signalApiRef } from '@backstage/plugin-signals-react';
import {
  clusterGitOpsLiveChannel,
  liveSignalSchema,
} from '@cloudlab/plugin-multi-provider-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { answerVersion } from '../api/answerVersions';

/** The GitOps channels of the clusters an answer shows (the GitOps and Secrets views). */
export function gitopsChannels(shown?: {
  clusters: ReadonlyArray<{ cluster: string }>;
}): string[] {
  return shown?.clusters.map(c => clusterGitOpsLiveChannel(c.cluster)) ?? [];
}

/**
 * Loads an answer and keeps it live (docs/adr/0503-live-pages.md): subscribed to the answer's
 * signal channels, it loads the answer again, with the user's credentials through the fetch API,
 * whenever a signal names a version other than the one shown (a signal carries a version, never
 * data). Without the signals plugin it loads once, as before.
 *
 * `channels` may depend on the answer shown (a GitOps view follows the clusters it shows).
 * `loading` is true only while there is nothing to show: a live reload (or `retry`) keeps the
 * answer on screen and swaps it when the new one arrives, so the page does not blink.
 */
export function useLiveAsync<T>(
  load: () => Promise<T>,
  deps: DependencyList,
  channels: readonly string[] | ((shown: T | undefined) => readonly string[]),
) {
  const state = useAsyncRetry(load, deps);
  const signals = useApiHolder().get(signalApiRef);
  // Read by the signal handler: the answer shown now, and the retry of the current load.
  const shown = useRef(state.value);
  shown.current = state.value;
  const retry = useRef(state.retry);
  retry.current = state.retry;
  // `retry` does nothing while a load runs, and that load may have read the answer before the
  // change: a signal arriving meanwhile is kept and loads again once the running load ends.
  const loading = useRef(state.loading);
  loading.current = state.loading;
  const pending = useRef(false);
  useEffect(() => {
    if (!state.loading && pending.current) {
      pending.current = false;
      retry.current();
    }
  }, [state.loading]);
  const key = (
    typeof channels === 'function' ? channels(state.value) : channels
  ).join('\n');
  useEffect(() => {
    if (!signals || !key) return undefined;
    const subscriptions = key.split('\n').map(channel =>
      signals.subscribe(channel, message => {
        const signal = liveSignalSchema.safeParse(message);
        if (!signal.success) return;
        if (answerVersion(shown.current) === signal.data.version) return;
        if (loading.current) pending.current = true;
        else retry.current();
      }),
    );
    return () => subscriptions.forEach(s => s.unsubscribe());
  }, [signals, key]);
  return {
    ...state,
    loading: state.loading && state.value === undefined,
    live: Boolean(signals),
  };
}
