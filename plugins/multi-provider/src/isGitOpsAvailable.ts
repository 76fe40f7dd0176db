import type { Entity } from '@backstage/catalog-model';
import { hasFluxObjects } from '@cloudlab/plugin-multi-provider-common';

/**
 * Whether the entity names the Flux objects that reconcile it, so that the GitOps tab and the
 * Secrets card have something to show.
 *
 * @public
 */
export function isGitOpsAvailable(entity: Entity): boolean {
  return hasFluxObjects(entity.metadata.annotations);
}
