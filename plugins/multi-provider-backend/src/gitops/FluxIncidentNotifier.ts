import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  Entity,
  RELATION_OWNED_BY,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  FluxKind,
  SlimFluxObject,
  SlimVsoObject,
  VsoKind,
  fluxObjectState,
  fluxRefKey,
  vsoObjectState,
} from '@cloudlab/plugin-multi-provider-common';
import { FluxNotificationsConfig } from '@cloudlab/plugin-multi-provider-node';
import { durationToMilliseconds } from '@backstage/types';
import { GitOpsService } from './GitOpsService';
import { IncidentEvent, IncidentHealth, IncidentTracker } from './IncidentTracker';
import { GitOpsInformers } from './resources';

/** The Flux kinds whose failure is an incident: what Flux applies, not the sources it reads. */
export const FLUX_INCIDENT_KINDS = ['Kustomization', 'HelmRelease'] as const;
/** The VSO kinds whose failure to sync is an incident: the secrets, not their auth objects. */
export const VSO_INCIDENT_KINDS = [
  'VaultStaticSecret',
  'VaultDynamicSecret',
] as const;

/** A watched object of one cluster. */
export type IncidentRef = {
  cluster: string;
  kind: FluxKind | VsoKind;
  namespace: string;
  name: string;
};
const isVso = (kind: IncidentRef['kind']): kind is VsoKind =>
  (VSO_INCIDENT_KINDS as readonly string[]).includes(kind);

/** The notification topic of Flux incidents (a user may mute it in their settings). */
export const FLUX_INCIDENT_TOPIC = 'flux-incident';

/** One scope per object: Backstage replaces a notification of the same scope and origin. */
export const fluxIncidentScope = (ref: IncidentRef) =>
  `cloudlab:flux:${fluxRefKey(ref)}`;

type Detail = { ref: IncidentRef; reason?: string; message?: string };

/** Incident health of a Flux object, from the one state rule the views use. */
export function fluxIncidentHealth(
  ref: IncidentRef,
  o: SlimFluxObject | undefined,
): IncidentHealth<Detail> {
  if (!o) return { kind: 'gone' };
  const { state, reason, message } = fluxObjectState(o);
  switch (state) {
    case 'failed':
    case 'stalled':
      return { kind: 'failing', detail: { ref, reason, message } };
    case 'ready':
      return { kind: 'ready' };
    // A dependency's failure is that dependency's incident; a suspension is a person's choice.
    case 'waiting':
    case 'suspended':
      return { kind: 'idle' };
    default:
      return { kind: 'progressing' };
  }
}

/** `<kind>:<namespace>/<name>` of the entity's owner (relation first, then `spec.owner`). */
export function ownerOf(entity: Entity): string | undefined {
  const related = entity.relations?.find(r => r.type === RELATION_OWNED_BY);
  if (related) return related.targetRef;
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || !owner) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    );
  } catch {
    return undefined;
  }
}

/** The entity page's GitOps tab, relative to the app (the notifications page resolves it). */
export function gitopsTabLink(entity: Entity): string {
  const ref = parseEntityRef(stringifyEntityRef(entity));
  return `/catalog/${ref.namespace}/${ref.kind.toLowerCase()}/${ref.name}/gitops`;
}

/** Incident health of a VSO secret, from the Secrets card's sync rule. */
export function vsoIncidentHealth(
  ref: IncidentRef,
  o: SlimVsoObject | undefined,
): IncidentHealth<Detail> {
  if (!o) return { kind: 'gone' };
  const { state, reason, message } = vsoObjectState(o);
  if (state === 'failing')
    return { kind: 'failing', detail: { ref, reason, message } };
  return state === 'synced' ? { kind: 'ready' } : { kind: 'progressing' };
}

const describeRef = (r: IncidentRef) =>
  `${isVso(r.kind) ? '' : 'Flux '}${r.kind} ${r.namespace}/${r.name} (${
    r.cluster
  })`;

/** Whole seconds or minutes, for a person reading how long an incident lasted. */
function lasted(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

/** Where an opened incident was sent, so its resolution goes to the same people. */
type Sent = { recipients: string[]; link?: string; entities: string[] };

/**
 * Tells the owners of catalog entities when a Flux Kustomization or HelmRelease they own fails
 * and when it recovers, from the GitOps watch caches: the informers report every change, the
 * {@link IncidentTracker} decides what is an incident, the GitOps service maps the object to the
 * entities the entity route shows it for, and the notifications backend delivers.
 */
export class FluxIncidentNotifier {
  private readonly tracker: IncidentTracker<Detail>;
  private readonly sent = new Map<string, Sent>();
  private timer?: NodeJS.Timeout;
  /** Sends run one after another, so an incident's resolution never overtakes its opening. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: {
      clusters: GitOpsInformers[];
      gitops: Pick<GitOpsService, 'entitiesClaiming' | 'entitiesWithVsoObject'>;
      notifications: NotificationService;
      auth: AuthService;
      config: FluxNotificationsConfig;
      logger: LoggerService;
      now?: () => number;
    },
  ) {
    this.tracker = new IncidentTracker(
      durationToMilliseconds(options.config.debounce),
    );
  }

  private now() {
    return (this.options.now ?? Date.now)();
  }

  /** Subscribes to the informers (before they start) and starts the debounce clock. */
  start() {
    for (const c of this.options.clusters) {
      for (const kind of FLUX_INCIDENT_KINDS)
        this.watch(c.cache.name, kind, c.flux[kind], fluxIncidentHealth);
      for (const kind of VSO_INCIDENT_KINDS)
        this.watch(c.cache.name, kind, c.vso[kind], vsoIncidentHealth);
    }
    const debounceMs = durationToMilliseconds(this.options.config.debounce);
    this.timer = setInterval(
      () => this.tick(),
      Math.min(1000, Math.max(100, debounceMs / 4)),
    );
    this.timer.unref();
  }

  stop() {
    clearInterval(this.timer);
  }

  private watch<S>(
    cluster: string,
    kind: IncidentRef['kind'],
    informer: {
      relists: number;
      subscribe(l: (key: string, prev?: S, next?: S) => void): void;
    },
    health: (ref: IncidentRef, o: S | undefined) => IncidentHealth<Detail>,
  ) {
    informer.subscribe((key, _prev, next) => {
      const [namespace, name] = key.split('/');
      const ref = { cluster, kind, namespace, name };
      // The first listing tells what is, not what changed.
      const baseline = informer.relists === 0;
      this.announce(
        this.tracker.observe(
          fluxRefKey(ref),
          health(ref, next),
          this.now(),
          baseline,
        ),
      );
    });
  }

  /** Opens the incidents whose debounce has passed; resolves when everything sent so far is. */
  tick(): Promise<void> {
    this.announce(this.tracker.due(this.now()));
    return this.queue;
  }

  private announce(events: IncidentEvent<Detail>[]) {
    for (const e of events) {
      this.queue = this.queue.then(() =>
        this.send(e).catch(err =>
          this.options.logger.warn(
            `Flux incident notification for ${describeRef(
              e.detail.ref,
            )} not sent: ${err}`,
          ),
        ),
      );
    }
  }

  private async recipientsOf(ref: IncidentRef): Promise<Sent> {
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const { gitops } = this.options;
    const entities = (
      await (isVso(ref.kind)
        ? gitops.entitiesWithVsoObject({ ...ref, kind: ref.kind }, credentials)
        : gitops.entitiesClaiming({ ...ref, kind: ref.kind }, credentials))
    ).sort((a, b) =>
      stringifyEntityRef(a).localeCompare(stringifyEntityRef(b)),
    );
    const routing = this.options.config.recipients;
    const recipients =
      routing.type === 'entity'
        ? [routing.entityRef]
        : [
            ...new Set(
              entities.flatMap(e => {
                const owner = ownerOf(e);
                return owner ? [owner] : [];
              }),
            ),
          ];
    return {
      recipients,
      entities: entities.map(e => stringifyEntityRef(e)),
      ...(entities[0] ? { link: gitopsTabLink(entities[0]) } : {}),
    };
  }

  private async send(e: IncidentEvent<Detail>) {
    const { ref, reason, message } = e.detail;
    const key = fluxRefKey(ref);
    let to: Sent | undefined;
    if (e.type === 'opened') {
      to = await this.recipientsOf(ref);
      if (to.recipients.length === 0) {
        this.options.logger.info(
          `${describeRef(ref)} is failing; no catalog entity claiming it has an owner to notify`,
        );
        return;
      }
      this.sent.set(key, to);
    } else {
      to = this.sent.get(key);
      this.sent.delete(key);
      // Its opening reached nobody: its end has nobody to reach either.
      if (!to) return;
    }
    const flux = [reason, message].filter(Boolean).join(': ');
    const entities = to.entities.length
      ? ` Entities: ${to.entities.join(', ')}.`
      : '';
    const payload =
      e.type === 'opened'
        ? {
            title: `${describeRef(ref)} ${
              isVso(ref.kind) ? 'stopped syncing' : 'is failing'
            }`,
            description: `${flux || 'Not Ready'}.${entities}`,
            severity: 'high' as const,
          }
        : {
            title: e.gone
              ? `${describeRef(ref)} was deleted while failing`
              : `${describeRef(ref)} ${
                  isVso(ref.kind) ? 'is synced again' : 'is Ready again'
                }`,
            description: `Resolved after ${lasted(
              this.now() - e.since,
            )}; it failed with ${flux || 'Not Ready'}.${entities}`,
            severity: 'normal' as const,
          };
    await this.options.notifications.send({
      recipients: { type: 'entity', entityRef: to.recipients },
      payload: {
        ...payload,
        topic: FLUX_INCIDENT_TOPIC,
        scope: fluxIncidentScope(ref),
        ...(to.link ? { link: to.link } : {}),
      },
    });
    this.options.logger.info(
      `Flux incident ${e.type}: ${describeRef(ref)} → ${to.recipients.join(
        ', ',
      )}`,
    );
  }
}
