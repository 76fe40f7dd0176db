import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  currentSnapshots,
  GitopsTreeProvider,
  TreeSnapshots,
} from '@cloudlab/plugin-multi-provider-node';
import { createHash } from 'node:crypto';
import { FluxCatalogOptions } from '../config';
import { withoutOrigin } from '../entities/annotations';
import {
  CatalogSnapshot,
  nextSnapshotCaches,
  readSnapshot,
  SnapshotCaches,
  snapshotCaches,
} from './readSnapshot';

/** What one refresh did, for logs and tests. */
export interface RefreshResult {
  mutation: 'none' | 'full' | 'delta';
  added: string[];
  removed: string[];
  errors: CatalogSnapshot['errors'];
}

/** Whether an entity changed is decided without its source and revision. */
const hashEntity = (e: Entity) =>
  createHash('sha256')
    .update(JSON.stringify(withoutOrigin(e)))
    .digest('hex');

/**
 * Emits the entities of `gitops/` (see docs/catalog/index.md). The first refresh applies a full
 * mutation; later ones compare the content hash of every file read and, when something changed,
 * apply a delta of only the entities that were added, changed or removed.
 *
 * With a {@link GitopsTreeProvider} (the tree Flux applies, a Git host branch) it reads that
 * provider's current snapshot and refreshes when the provider announces a new revision; without
 * one it reads the configured folder on its schedule. A Kustomization in another source the
 * provider has (`sources()`: a tenant's repository) is read there. Every entity names the source
 * and revision it was read at; whether an entity changed is decided without them, so a new
 * revision of any source re-emits only the entities it changed.
 */
export class FluxEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  private caches?: SnapshotCaches;
  private lastFingerprint?: Map<string, string>;
  private emitted = new Map<string, string>();
  private snapshot?: CatalogSnapshot;
  /** Refreshes run one after another: a subscription and the schedule may both ask. */
  private running: Promise<unknown> = Promise.resolve();
  private unsubscribe?: () => void;

  constructor(
    private readonly options: FluxCatalogOptions,
    private readonly tree: GitopsTreeProvider,
    private readonly logger: LoggerService,
    private readonly schedule?: {
      scheduler: SchedulerService;
      definition: SchedulerServiceTaskScheduleDefinition;
    },
  ) {}

  getProviderName(): string {
    return 'cloudlab-flux';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    if (this.schedule) {
      await this.schedule.scheduler.scheduleTask({
        id: `${this.getProviderName()}:refresh`,
        ...this.schedule.definition,
        fn: async () => {
          await this.refresh();
        },
      });
    }
    // A provider that announces revisions (Flux, a Git host, a watched local folder) is
    // followed; the schedule re-reads whatever a provider does not announce.
    const refreshLogged = () =>
      this.refresh().catch(err =>
        this.logger.error(
          `Flux catalog: reading ${this.tree.description} failed: ${err}`,
        ),
      );
    this.unsubscribe = this.tree.subscribe(() => void refreshLogged());
    if (!this.schedule) void refreshLogged();
  }

  /** Stops following the tree provider. */
  disconnect(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** The latest snapshot (for the enrichment processor and tests). */
  latest(): CatalogSnapshot | undefined {
    return this.snapshot;
  }

  async refresh(): Promise<RefreshResult> {
    if (!this.connection) {
      throw new Error('FluxEntityProvider.refresh called before connect');
    }
    const run = this.running.then(() => this.refreshNow());
    this.running = run.catch(() => undefined);
    return run;
  }

  /** The tree to read now, and where it comes from. */
  private async currentTree(): Promise<{
    snapshots: TreeSnapshots;
    caches: SnapshotCaches;
  }> {
    const snapshots = await currentSnapshots(this.tree);
    const root = snapshots.root;
    // A new revision is a new tree: read from the previous one's caches where files did not change.
    if (!this.caches) {
      this.caches = snapshotCaches(this.options, root.source);
    } else if (this.caches.tree.source !== root.source) {
      this.caches = nextSnapshotCaches(this.caches, root);
    }
    return { snapshots, caches: this.caches };
  }

  private async refreshNow(): Promise<RefreshResult> {
    const connection = this.connection!;
    const previous = this.lastFingerprint;
    const { snapshots, caches } = await this.currentTree();
    // Cheap when nothing changed: a file is read again only when its size or mtime changed,
    // parsed again only when its content hash changed, and the read yields between files.
    const snapshot = await readSnapshot(caches, this.options, snapshots);
    if (previous && sameFingerprint(previous, snapshot.fingerprint)) {
      return {
        mutation: 'none',
        added: [],
        removed: [],
        errors: snapshot.errors,
      };
    }
    this.snapshot = snapshot;
    this.lastFingerprint = snapshot.fingerprint;
    for (const err of snapshot.errors) {
      this.logger.error(`Flux catalog: ${err.file}: ${err.reason}`, {
        file: err.file,
        reason: err.reason,
      });
    }
    const next = new Map(
      snapshot.emitted.map(e => [
        stringifyEntityRef(e),
        { entity: e, hash: hashEntity(e) },
      ]),
    );
    const locationKey = this.getProviderName();
    if (!previous) {
      await connection.applyMutation({
        type: 'full',
        entities: [...next.values()].map(({ entity }) => ({
          entity,
          locationKey,
        })),
      });
      this.emitted = new Map([...next].map(([ref, v]) => [ref, v.hash]));
      this.logger.info(`Flux catalog: emitted ${next.size} entities (full)`);
      return {
        mutation: 'full',
        added: [...next.keys()],
        removed: [],
        errors: snapshot.errors,
      };
    }
    const added = [...next].filter(
      ([ref, v]) => this.emitted.get(ref) !== v.hash,
    );
    const removed = [...this.emitted.keys()].filter(ref => !next.has(ref));
    if (added.length || removed.length) {
      await connection.applyMutation({
        type: 'delta',
        added: added.map(([, v]) => ({ entity: v.entity, locationKey })),
        removed: removed.map(entityRef => ({ entityRef, locationKey })),
      });
      this.logger.info(
        `Flux catalog: delta applied (${added.length} added or changed, ${removed.length} removed)`,
      );
    }
    this.emitted = new Map([...next].map(([ref, v]) => [ref, v.hash]));
    return {
      mutation: added.length || removed.length ? 'delta' : 'none',
      added: added.map(([ref]) => ref),
      removed,
      errors: snapshot.errors,
    };
  }
}

function sameFingerprint(
  a: Map<string, string>,
  b: Map<string, string>,
): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
