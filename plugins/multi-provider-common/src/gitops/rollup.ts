import {
  DependencyLink,
  FluxKind,
  FluxObject,
  FluxObjectRef,
  FluxState,
  Rollup,
  RollupVerdict,
  SlimFluxObject,
  SlimVsoObject,
  SyncState,
  fluxKindSchema,
} from '../api/gitops';

/**
 * A Flux object's state as {@link fluxObjectState} decides it, with the condition's reason and
 * message.
 *
 * @public
 */
export type Decided = { state: FluxState; reason?: string; message?: string };

const conditionOf = (o: { conditions: SlimFluxObject['conditions'] }, type: string) =>
  o.conditions.find(c => c.type === type);

/**
 * One Flux object's state (kstatus as Flux reports it): suspended first; Stalled=True; then
 * Ready: True (for the current generation) → ready, False → failed (`waiting` when only a
 * dependency is not ready), Unknown or an older observedGeneration → reconciling.
 *
 * @public
 */
export function fluxObjectState(o: SlimFluxObject): Decided {
  const ready = conditionOf(o, 'Ready');
  const with_ = (state: FluxState, c?: { reason?: string; message?: string }): Decided => ({
    state,
    ...(c?.reason ? { reason: c.reason } : {}),
    ...(c?.message ? { message: c.message } : {}),
  });
  if (o.suspended) return with_('suspended', ready);
  const stalled = conditionOf(o, 'Stalled');
  if (stalled?.status === 'True') return with_('stalled', stalled);
  if (!ready) return with_('unknown');
  const current =
    o.generation === undefined ||
    o.observedGeneration === undefined ||
    o.observedGeneration >= o.generation;
  if (ready.status === 'True')
    return with_(current ? 'ready' : 'reconciling', ready);
  if (ready.status === 'False')
    return with_(ready.reason === 'DependencyNotReady' ? 'waiting' : 'failed', ready);
  return with_('reconciling', conditionOf(o, 'Reconciling') ?? ready);
}

/**
 * A VSO object's sync state from its conditions (and `status.valid` for VaultAuths).
 *
 * @public
 */
export function vsoObjectState(o: SlimVsoObject): {
  state: SyncState;
  reason?: string;
  message?: string;
} {
  const pick = (type: string) => o.conditions.find(c => c.type === type);
  const out = (state: SyncState, c?: { reason?: string; message?: string }) => ({
    state,
    ...(c?.reason ? { reason: c.reason } : {}),
    ...(c?.message ? { message: c.message } : {}),
  });
  if (o.kind === 'VaultStaticSecret' || o.kind === 'VaultDynamicSecret') {
    const synced = pick('SecretSynced');
    const ready = pick('Ready');
    const failing = [synced, ready, pick('Healthy')].find(c => c?.status === 'False');
    if (failing) return out('failing', failing);
    if (synced?.status === 'True') return out('synced', synced);
    return out('pending', ready);
  }
  if (o.valid === false || o.error)
    return out('invalid', { reason: 'Invalid', message: o.error });
  const failing = o.conditions.find(
    c => ['Ready', 'Healthy', 'Available'].includes(c.type) && c.status === 'False',
  );
  if (failing) return out('invalid', failing);
  if (o.valid === true || pick('Ready')?.status === 'True') return out('valid', pick('Ready'));
  if (o.kind === 'VaultAuthGlobal' && o.conditions.length === 0) return out('unreported');
  return out('pending');
}

/**
 * Looks up a cached Flux object of one cluster.
 *
 * @public
 */
export type FluxLookup = (
  kind: FluxKind,
  namespace: string,
  name: string,
) => SlimFluxObject | undefined;

/**
 * A slim object as it appears in an answer (state, cluster; inventory as-is).
 *
 * @public
 */
export function describeFluxObject(cluster: string, o: SlimFluxObject): FluxObject {
  return { ...o, cluster, ...fluxObjectState(o) };
}

/**
 * The answer entry for an object the entity claims but the cluster does not have.
 *
 * @public
 */
export function missingFluxObject(ref: FluxObjectRef): FluxObject {
  return {
    ...ref,
    suspended: false,
    conditions: [],
    dependsOn: [],
    state: 'missing',
    reason: 'NotFound',
    message: `${ref.kind} ${ref.namespace}/${ref.name} does not exist in cluster ${ref.cluster}`,
  };
}

const refOf = (cluster: string, o: { kind: FluxKind; namespace: string; name: string }): FluxObjectRef => ({
  cluster,
  kind: o.kind,
  namespace: o.namespace,
  name: o.name,
});
/** @public */
export const fluxRefKey = (r: { cluster: string; kind: string; namespace: string; name: string }) =>
  `${r.cluster}/${r.kind}/${r.namespace}/${r.name}`;

/**
 * Walks from the roots along `dependsOn` (same kind), `sourceRef` and the given appliers,
 * transitively; returns every object reached (roots excluded) and every link with its target's
 * state. Cycles are walked once.
 *
 * @public
 */
export function dependencyChain(
  cluster: string,
  roots: SlimFluxObject[],
  lookup: FluxLookup,
  appliers: Array<{ of: SlimFluxObject; applier: FluxObjectRef }> = [],
): { related: FluxObject[]; links: DependencyLink[] } {
  const seen = new Set(roots.map(r => fluxRefKey(refOf(cluster, r))));
  const related: FluxObject[] = [];
  const links: DependencyLink[] = [];
  const queue = [...roots];
  const visit = (from: SlimFluxObject, to: FluxObjectRef, relation: DependencyLink['relation']) => {
    const target = lookup(to.kind, to.namespace, to.name);
    const described = target ? describeFluxObject(cluster, target) : missingFluxObject(to);
    links.push({
      from: refOf(cluster, from),
      to,
      relation,
      state: described.state,
      ...(described.reason ? { reason: described.reason } : {}),
      ...(described.message ? { message: described.message } : {}),
    });
    const key = fluxRefKey(to);
    if (seen.has(key)) return;
    seen.add(key);
    related.push(described);
    if (target) queue.push(target);
  };
  for (const { of, applier } of appliers) visit(of, applier, 'appliedBy');
  while (queue.length) {
    const o = queue.shift()!;
    for (const d of o.dependsOn)
      visit(o, { cluster, kind: o.kind, namespace: d.namespace, name: d.name }, 'dependsOn');
    if (o.sourceRef) {
      const kind = fluxKindSchema.safeParse(o.sourceRef.kind);
      if (kind.success)
        visit(o, { cluster, kind: kind.data, namespace: o.sourceRef.namespace, name: o.sourceRef.name }, 'source');
    }
  }
  return { related, links };
}

const RED: FluxState[] = ['stalled', 'failed', 'missing'];
const severity = (s: FluxState) => {
  const i = RED.indexOf(s);
  return i < 0 ? RED.length : i;
};

const WORDS: Record<RollupVerdict, string> = {
  healthy: 'Every Flux object and its dependencies are ready',
  progressing: 'Flux is reconciling',
  suspended: 'Reconciliation is suspended',
  degraded: 'Ready, but a dependency or source is not',
  failing: 'Flux cannot reconcile',
  unknown: 'No Flux object found',
};

/**
 * The roll-up rule, in order: no own object → `unknown`; an own object stalled, failed or
 * missing → `failing`; suspended → `suspended`; reconciling, waiting or without status →
 * `progressing` (or `degraded` when a link of its chain is red); a link of the chain (source,
 * applier, `dependsOn`) red or suspended → `degraded`; else `healthy`. The object and Flux
 * reason behind the verdict come with it (the worst one: stalled before failed before missing).
 *
 * @public
 */
export function rollup(own: FluxObject[], links: DependencyLink[]): Rollup {
  const verdict = (v: RollupVerdict, o?: { cluster: string; kind: FluxKind; namespace: string; name: string; reason?: string; message?: string }): Rollup => ({
    verdict: v,
    summary: o ? `${WORDS[v]}: ${o.kind} ${o.namespace}/${o.name}${o.cluster ? ` (${o.cluster})` : ''}` : WORDS[v],
    ...(o ? { object: refOf(o.cluster, o) } : {}),
    ...(o?.reason ? { reason: o.reason } : {}),
    ...(o?.message ? { message: o.message } : {}),
  });
  if (own.length === 0) return verdict('unknown');
  const red = own.filter(o => RED.includes(o.state)).sort((a, b) => severity(a.state) - severity(b.state));
  if (red.length) return verdict('failing', red[0]);
  const suspended = own.find(o => o.state === 'suspended');
  if (suspended) return verdict('suspended', suspended);
  const badLinks = links
    .filter(l => RED.includes(l.state) || l.state === 'suspended')
    .sort((a, b) => severity(a.state) - severity(b.state));
  const link = badLinks[0]
    ? { ...badLinks[0].to, reason: badLinks[0].reason, message: badLinks[0].message }
    : undefined;
  const pending = own.find(o => o.state !== 'ready');
  if (pending) return link ? verdict('degraded', link) : verdict('progressing', pending);
  if (link) return verdict('degraded', link);
  return verdict('healthy');
}
