import { KubeRest, statusMessage } from '../../kube/rest';

/** The Flux kinds `lab flux` shows, with their API paths. */
export const FLUX_KINDS = [
  { kind: 'GitRepository', api: 'source.toolkit.fluxcd.io/v1', plural: 'gitrepositories' },
  { kind: 'HelmRepository', api: 'source.toolkit.fluxcd.io/v1', plural: 'helmrepositories' },
  { kind: 'Kustomization', api: 'kustomize.toolkit.fluxcd.io/v1', plural: 'kustomizations' },
  { kind: 'HelmRelease', api: 'helm.toolkit.fluxcd.io/v2', plural: 'helmreleases' },
] as const;

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** A Flux object's state as `lab flux` reports it. */
export interface FluxState {
  kind: string;
  namespace: string;
  name: string;
  ready: string;
  reason: string;
  message: string;
  revision: string;
  inventory?: number;
  suspended: boolean;
  lastHandledReconcileAt?: string;
}

/** Pure: summarises one Flux object. */
export function fluxState(kind: string, o: any): FluxState {
  const conds: Condition[] = o.status?.conditions ?? [];
  const ready = conds.find(c => c.type === 'Ready');
  const stalled = conds.find(c => c.type === 'Stalled' && c.status === 'True');
  return {
    kind,
    namespace: o.metadata.namespace,
    name: o.metadata.name,
    ready: ready?.status ?? 'Unknown',
    reason: ready?.reason ?? stalled?.reason ?? '',
    message: ready?.message ?? stalled?.message ?? '',
    revision:
      o.status?.lastAppliedRevision ??
      o.status?.artifact?.revision ??
      o.status?.lastAttemptedRevision ??
      '',
    inventory: o.status?.inventory?.entries?.length,
    suspended: Boolean(o.spec?.suspend),
    lastHandledReconcileAt: o.status?.lastHandledReconcileAt,
  };
}

/** Lists every Flux object of the shown kinds. */
export async function listFlux(rest: KubeRest): Promise<FluxState[]> {
  const out: FluxState[] = [];
  for (const k of FLUX_KINDS) {
    const res = await rest.request('GET', `/apis/${k.api}/${k.plural}`);
    if (res.status === 404) continue;
    if (res.status !== 200)
      throw new Error(`list ${k.plural}: ${statusMessage(res)}`);
    for (const o of JSON.parse(res.body).items ?? [])
      out.push(fluxState(k.kind, o));
  }
  return out;
}

/** Pure: a fixed-width table of Flux states. */
export function formatFlux(states: FluxState[]): string {
  const rows = states.map(s => [
    s.kind,
    `${s.namespace}/${s.name}`,
    s.suspended ? 'Suspended' : s.ready,
    s.reason,
    s.revision.replace(/^(.{0,40}).*$/, '$1'),
    s.inventory === undefined ? '' : String(s.inventory),
    s.message.replace(/\s+/g, ' ').slice(0, 110),
  ]);
  const head = ['KIND', 'NAME', 'READY', 'REASON', 'REVISION', 'INV', 'MESSAGE'];
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map(r => r[i].length)),
  );
  return [head, ...rows]
    .map(r =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
        .join('  '),
    )
    .join('\n');
}

/**
 * Requests a reconcile the way the flux CLI does: sets `reconcile.fluxcd.io/requestedAt`. `name`
 * may be `Kind/name` or a bare name (matched over every shown kind in `namespace`).
 */
export async function requestReconcile(
  rest: KubeRest,
  name: string,
  namespace = 'flux-system',
): Promise<string[]> {
  const [kindPart, namePart] = name.includes('/')
    ? name.split('/', 2)
    : [undefined, name];
  const now = new Date().toISOString();
  const done: string[] = [];
  for (const k of FLUX_KINDS) {
    if (kindPart && k.kind.toLowerCase() !== kindPart.toLowerCase()) continue;
    const path = `/apis/${k.api}/namespaces/${namespace}/${k.plural}/${namePart}`;
    const res = await rest.request(
      'PATCH',
      path,
      JSON.stringify({
        metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': now } },
      }),
      'application/merge-patch+json',
    );
    if (res.status === 200) done.push(`${k.kind}/${namespace}/${namePart}`);
    else if (res.status !== 404)
      throw new Error(`annotate ${path}: ${statusMessage(res)}`);
  }
  if (!done.length)
    throw new Error(`no Flux object named ${name} in ${namespace}`);
  return done;
}
