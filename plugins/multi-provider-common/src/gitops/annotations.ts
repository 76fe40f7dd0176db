/**
 * Claim annotations: an entity carrying one is the catalog entry of these Flux objects. Values
 * are comma-separated items `name`, `namespace/name` or `cluster/namespace/name`, where the
 * cluster is the directory under `gitops/clusters/` (and the configured cluster name). The Flux
 * catalog module writes them; the GitOps views read them.
 *
 * @public
 */
export const FLUX_CLAIM_ANNOTATIONS = {
  Kustomization: 'cloudlab.dev/flux-kustomizations',
  HelmRelease: 'cloudlab.dev/flux-helmreleases',
  HelmRepository: 'cloudlab.dev/flux-helmrepositories',
  OCIRepository: 'cloudlab.dev/flux-ocirepositories',
} as const;

/**
 * Flux Kustomizations that apply the entity's objects, `cluster/namespace/name`, comma-separated.
 *
 * @public
 */
export const FLUX_APPLIED_BY_ANNOTATION = 'cloudlab.dev/flux-applied-by';

/**
 * A parsed claim item; absent parts match anything.
 *
 * @public
 */
export interface FluxClaim {
  kind: keyof typeof FLUX_CLAIM_ANNOTATIONS;
  cluster?: string;
  namespace?: string;
  name: string;
  /** Only Kustomizations applying the entity (`flux-applied-by`), not the entity itself. */
  appliedBy?: true;
}

/**
 * Splits a claim annotation value into trimmed, non-empty items.
 *
 * @public
 */
export function splitClaimItems(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
}

function parseItem(item: string): Omit<FluxClaim, 'kind'> | undefined {
  const parts = item.split('/');
  if (parts.some(p => !p)) return undefined;
  if (parts.length === 1) return { name: parts[0] };
  if (parts.length === 2) return { namespace: parts[0], name: parts[1] };
  if (parts.length === 3)
    return { cluster: parts[0], namespace: parts[1], name: parts[2] };
  return undefined;
}

/**
 * Every Flux object an entity's annotations point at (claims first, then appliers).
 *
 * @public
 */
export function fluxClaimsOf(
  annotations: Record<string, string> | undefined,
): FluxClaim[] {
  const claims: FluxClaim[] = [];
  for (const [kind, key] of Object.entries(FLUX_CLAIM_ANNOTATIONS)) {
    for (const item of splitClaimItems(annotations?.[key])) {
      const parsed = parseItem(item);
      if (parsed)
        claims.push({ kind: kind as FluxClaim['kind'], ...parsed });
    }
  }
  for (const item of splitClaimItems(annotations?.[FLUX_APPLIED_BY_ANNOTATION])) {
    const parsed = parseItem(item);
    if (parsed) claims.push({ kind: 'Kustomization', ...parsed, appliedBy: true });
  }
  return claims;
}

/**
 * Whether the entity is linked to any Flux object, i.e. the GitOps views have something to show.
 *
 * @public
 */
export function hasFluxObjects(
  annotations: Record<string, string> | undefined,
): boolean {
  return fluxClaimsOf(annotations).length > 0;
}
