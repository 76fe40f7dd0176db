import { z } from 'zod';

/**
 * The answers a page can follow live: each has a signal channel, and the backend publishes on it
 * when the answer's version changes (docs/adr/0503-live-pages.md).
 *
 * @public
 */
export type LiveAnswer = 'placement' | 'storage';

/**
 * The signal channel of one entity's answer. `entityRef` is the entity's reference as
 * `stringifyEntityRef` writes it (kind in lower case).
 *
 * @public
 */
export function entityLiveChannel(
  entityRef: string,
  answer: LiveAnswer,
): string {
  return `multi-provider:entity:${answer}:${entityRef}`;
}

/**
 * The signal channel of a platform answer (every cluster's placement or storage view).
 *
 * @public
 */
export function platformLiveChannel(answer: LiveAnswer): string {
  return `multi-provider:platform:${answer}`;
}

/**
 * The signal channel of one cluster's GitOps state (its Flux and VSO objects and its state): the
 * GitOps views follow the channels of the clusters they show.
 *
 * @public
 */
export function clusterGitOpsLiveChannel(cluster: string): string {
  return `multi-provider:cluster:gitops:${cluster}`;
}

/**
 * What a live signal carries: the answer's new version and nothing else. For placement and
 * storage it is the ETag the route now answers with; a page showing that ETag has nothing to
 * fetch. Never data: the page fetches the answer with its user's credentials.
 *
 * @public
 */
export const liveSignalSchema = z
  .object({ version: z.string().min(1) })
  .strict();

/**
 * A live signal's message.
 *
 * @public
 */
export type LiveSignal = z.infer<typeof liveSignalSchema>;
