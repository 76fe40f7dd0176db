import { createServiceRef } from '@backstage/backend-plugin-api';
import { FluxObjectRef } from '@cloudlab/plugin-multi-provider-common';

/**
 * A merge patch of one Flux object, sent with the operator credential.
 *
 * @public
 */
export type FluxPatch =
  | { metadata: { annotations: Record<string, string> } }
  | { spec: { suspend: boolean } };

/**
 * Writes to Flux objects; separate from the read-only cache connection.
 *
 * @public
 */
export interface FluxOperator {
  /** Clusters with an operator credential. */
  clusters(): string[];
  patch(ref: FluxObjectRef, patch: FluxPatch): Promise<void>;
}

/**
 * How the multi-provider backend's GitOps actions (reconcile, suspend, resume) reach Flux. The
 * backend's default patches with the ServiceAccount tokens of
 * `multiProvider.gitops.operator.clusters`; install another factory for this ref to act through
 * something else (an approval flow, a Git commit).
 *
 * @public
 */
export const fluxOperatorServiceRef = createServiceRef<FluxOperator>({
  id: 'multi-provider.flux-operator',
});
