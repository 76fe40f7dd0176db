import {
  Condition,
  FluxKind,
  InventoryEntry,
  SlimFluxObject,
  SlimVsoObject,
  VsoKind,
} from '../api/gitops';

/**
 * The annotation `flux reconcile` sets to request a reconciliation.
 *
 * @public
 */
export const RECONCILE_REQUESTED_AT_ANNOTATION = 'reconcile.fluxcd.io/requestedAt';

/**
 * A custom object as the API server returns it; only the fields read below are typed.
 *
 * @public
 */
export interface KubeCustomObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    generation?: number;
    resourceVersion?: string;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, any>;
  status?: Record<string, any>;
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;
const num = (v: unknown): number | undefined =>
  typeof v === 'number' ? v : undefined;

function conditionsOf(status: Record<string, any> | undefined): Condition[] {
  const list: unknown[] = Array.isArray(status?.conditions)
    ? status!.conditions
    : [];
  return list.flatMap(c => {
    const o = c as Record<string, unknown>;
    if (!str(o.type) || !str(o.status)) return [];
    const out: Condition = { type: o.type as string, status: o.status as string };
    if (str(o.reason)) out.reason = o.reason as string;
    if (str(o.message)) out.message = o.message as string;
    if (str(o.lastTransitionTime))
      out.lastTransitionTime = o.lastTransitionTime as string;
    return [out];
  });
}

/**
 * Parses an inventory id `<namespace>_<name>_<group>_<kind>` (names never contain `_`).
 *
 * @public
 */
export function parseInventoryId(
  id: string,
  version: string,
): InventoryEntry | undefined {
  const parts = id.split('_');
  if (parts.length !== 4) return undefined;
  const [namespace, name, group, kind] = parts;
  return { namespace, name, group, kind, version };
}

function identity(obj: KubeCustomObject) {
  return {
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
  };
}

/**
 * Trims a Flux object to what the views show.
 *
 * @public
 */
export function slimFluxObject(
  kind: FluxKind,
  obj: KubeCustomObject,
): SlimFluxObject {
  const spec = obj.spec ?? {};
  const status = obj.status ?? {};
  const { namespace, name } = identity(obj);
  const out: SlimFluxObject = {
    kind,
    namespace,
    name,
    suspended: spec.suspend === true,
    conditions: conditionsOf(status),
    dependsOn: (Array.isArray(spec.dependsOn) ? spec.dependsOn : [])
      .filter((d: any) => str(d?.name))
      .map((d: any) => ({ namespace: str(d.namespace) ?? namespace, name: d.name })),
  };
  const set = <K extends keyof SlimFluxObject>(k: K, v: SlimFluxObject[K]) => {
    if (v !== undefined) out[k] = v;
  };
  set('generation', num(obj.metadata?.generation));
  set('observedGeneration', num(status.observedGeneration));
  set('interval', str(spec.interval));
  set('requestedAt', str(obj.metadata?.annotations?.[RECONCILE_REQUESTED_AT_ANNOTATION]));
  set('lastHandledReconcileAt', str(status.lastHandledReconcileAt));
  set('lastAttemptedRevision', str(status.lastAttemptedRevision));
  set('lastAppliedRevision', str(status.lastAppliedRevision));
  if (kind === 'Kustomization') {
    set('path', str(spec.path));
    const entries: unknown[] = Array.isArray(status.inventory?.entries)
      ? status.inventory.entries
      : [];
    out.inventory = entries.flatMap(e => {
      const o = e as { id?: unknown; v?: unknown };
      const parsed = str(o.id) && parseInventoryId(o.id as string, str(o.v) ?? '');
      return parsed ? [parsed] : [];
    });
  }
  const ref = kind === 'HelmRelease' ? spec.chart?.spec?.sourceRef ?? spec.chartRef : spec.sourceRef;
  if (str(ref?.kind) && str(ref?.name)) {
    out.sourceRef = {
      kind: ref.kind,
      namespace: str(ref.namespace) ?? namespace,
      name: ref.name,
    };
  }
  if (kind === 'HelmRelease') {
    const chart = str(spec.chart?.spec?.chart);
    const version = str(spec.chart?.spec?.version);
    set('chart', chart && (version ? `${chart}@${version}` : chart));
    // helm-controller v2 keeps the deployed revisions in history (newest first).
    const deployed = (Array.isArray(status.history) ? status.history : []).find(
      (h: any) => h?.status === 'deployed',
    );
    if (!out.lastAppliedRevision && str(deployed?.chartVersion)) {
      out.lastAppliedRevision = `${deployed.chartName ?? chart ?? ''}@${deployed.chartVersion}`;
    }
  }
  if (kind === 'GitRepository' || kind === 'HelmRepository' || kind === 'OCIRepository') {
    set('url', str(spec.url));
    set('lastAppliedRevision', out.lastAppliedRevision ?? str(status.artifact?.revision));
  }
  return out;
}

function durationSeconds(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+)s?$/.exec(v);
  return m ? Number(m[1]) : undefined;
}

/**
 * Trims a VSO object to what the Secrets view shows. Only named spec fields and conditions are
 * copied: never `status.secretMAC`, never anything from the destination Secret, never
 * `spec.destination.transformation` templates.
 *
 * @public
 */
export function slimVsoObject(kind: VsoKind, obj: KubeCustomObject): SlimVsoObject {
  const spec = obj.spec ?? {};
  const status = obj.status ?? {};
  const out: SlimVsoObject = {
    kind,
    ...identity(obj),
    conditions: conditionsOf(status),
  };
  const set = <K extends keyof SlimVsoObject>(k: K, v: SlimVsoObject[K]) => {
    if (v !== undefined) out[k] = v;
  };
  set('generation', num(obj.metadata?.generation));
  switch (kind) {
    case 'VaultAuth':
    case 'VaultAuthGlobal': {
      if (typeof status.valid === 'boolean') out.valid = status.valid;
      set('error', str(status.error));
      const method = str(spec.method) ?? str(spec.defaultAuthMethod);
      set('method', method);
      const k8s = spec.kubernetes ?? {};
      set('role', str(k8s.role));
      set('serviceAccount', str(k8s.serviceAccount));
      if (Array.isArray(k8s.audiences))
        out.audiences = k8s.audiences.filter((a: unknown) => typeof a === 'string');
      if (str(spec.vaultAuthGlobalRef?.name)) {
        out.vaultAuthGlobalRef = {
          namespace: str(spec.vaultAuthGlobalRef.namespace) ?? out.namespace,
          name: spec.vaultAuthGlobalRef.name,
        };
      }
      set('vaultConnectionRef', str(spec.vaultConnectionRef));
      if (Array.isArray(spec.allowedNamespaces))
        out.allowedNamespaces = spec.allowedNamespaces.filter(
          (a: unknown) => typeof a === 'string',
        );
      break;
    }
    case 'VaultConnection':
      if (typeof status.valid === 'boolean') out.valid = status.valid;
      set('address', str(spec.address));
      break;
    case 'VaultStaticSecret':
    case 'VaultDynamicSecret': {
      set('vaultAuthRef', str(spec.vaultAuthRef));
      set('mount', str(spec.mount));
      set('path', str(spec.path));
      set('type', str(spec.type));
      set('refreshAfter', str(spec.refreshAfter));
      if (str(spec.destination?.name)) {
        out.destination = {
          name: spec.destination.name,
          create: spec.destination.create === true,
        };
      }
      if (Array.isArray(spec.rolloutRestartTargets)) {
        out.rolloutRestartTargets = spec.rolloutRestartTargets
          .filter((t: any) => str(t?.kind) && str(t?.name))
          .map((t: any) => ({ kind: t.kind, name: t.name }));
      }
      if (kind === 'VaultDynamicSecret') {
        set('lastRenewalTime', typeof status.lastRenewalTime === 'number'
          ? new Date(status.lastRenewalTime * 1000).toISOString()
          : str(status.lastRenewalTime));
        set('leaseDurationSeconds', durationSeconds(status.secretLease?.duration));
      }
      break;
    }
    default:
      break;
  }
  return out;
}
