import { defaultKustomizeCommand } from '@cloudlab/plugin-multi-provider-node';
import {
  DesiredStorageResponse,
  EntityPlacementResponse,
} from '@cloudlab/plugin-multi-provider-common';
import { databaseConfig } from '@internal/cloudlab-bench/src/load/loadDatabase';
import {
  PortalBackend,
  startPortalBackend,
} from '@internal/cloudlab-bench/src/load/portalBackend';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { KubeRest } from '../kube/rest';
import {
  describeGitops,
  eventually,
  FLUX_GITREPOSITORIES,
  FLUX_KUSTOMIZATIONS,
  getJson,
  labFixture,
  LabFixture,
  labFluxArtifactUrl,
  placementPods,
  nodeProviders,
  providerOf,
  requireSourceController,
} from './labFixture';

/**
 * Read-only proof through the lab's real root: the real backend (as its own process, started as
 * gitopsPortal.test.ts starts it) configured with `cloudlab.gitopsTree.flux` and no local folder
 * reads the tree from the artifact of `GitRepository flux-system/flux-system`, the one the lab's
 * root Kustomization applies. Nothing is committed, applied or deleted: what the catalog, the
 * Placement route and the desired-storage view show is compared with what the API server says
 * Flux applied.
 *
 * The lab's apps are Components written by hand (catalog/components, claiming their Flux
 * Kustomizations), which replace the generated ones. The Flux catalog module reads those from the
 * artifact too (the checkout's `catalog-info.yaml` does not reach catalog/; the root GitRepository's
 * `ignore` keeps catalog/ in the artifact), so they name the root source and the revision it
 * serves, as generated entities do.
 */

jest.setTimeout(600_000);

// As the catalog module writes them (its entities/annotations.ts).
const SOURCE_ANNOTATION = 'cloudlab.dev/gitops-source';
const REVISION_ANNOTATION = 'cloudlab.dev/gitops-revision';
// As catalog/components declares them: the Flux Kustomizations a hand-written entity claims and
// the provider an instance is pinned to.
const CLAIMS_ANNOTATION = 'cloudlab.dev/flux-kustomizations';
const PROVIDER_ANNOTATION = 'cloudlab.dev/provider';
const ROOT_SOURCE = 'GitRepository/flux-system/flux-system';

/**
 * The lab's apps this proof covers, as Flux Kustomization names: Pi-hole per provider and the
 * plain-manifest services. A pattern, not a list, so that an app the tree drops or a provider it
 * adds changes what is checked rather than failing on a name.
 */
const APP_KUSTOMIZATION =
  /^apps-(pihole-[a-z0-9-]+|whoami|httpbin|redis-[a-z0-9-]+|memcached)$/;
const REDIS_KUSTOMIZATION = /^apps-redis-/;

type Obj = Record<string, any>;

const annotations = (e: Obj | undefined): Record<string, string> =>
  e?.metadata?.annotations ?? {};

/** The catalog entity of a Flux Kustomization: the hand-written one claiming it, else its generated one. */
const entityOf = (components: Obj[], kustomization: string) =>
  components.find(e =>
    (annotations(e)[CLAIMS_ANNOTATION] ?? '')
      .split(/[\s,]+/)
      .includes(kustomization),
  ) ?? components.find(e => e.metadata.name === kustomization);

/** `namespace/name` of every PersistentVolumeClaim in a Flux Kustomization's inventory. */
const inventoryClaims = (k: Obj): string[] =>
  ((k.status?.inventory?.entries ?? []) as Array<{ id: string }>)
    .map(e => e.id.split('_'))
    .filter(
      ([, , group, kind]) => group === '' && kind === 'PersistentVolumeClaim',
    )
    .map(([ns, name]) => `${ns}/${name}`)
    .sort();

describeGitops("the portal on the lab's real root, read-only", () => {
  let fx: LabFixture;
  let rest: KubeRest;
  /** The portal the first proof started, kept for the next one and stopped after all. */
  let workDir: string | undefined;
  let backend: PortalBackend | undefined;
  /** What the first proof read: the root's revision and the lab apps' Kustomization names. */
  let read:
    | {
        revision: string;
        names: string[];
        get: <T = any>(route: string) => Promise<T | undefined>;
        logFile: string;
      }
    | undefined;

  beforeAll(async () => {
    fx = await labFixture();
    rest = fx.clients.rest;
    await requireSourceController();
  });

  afterAll(async () => {
    await backend?.stop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('reads the root artifact into the catalog, placement and desired storage', async () => {
    // Read-only: the proof stands on what Flux applied. When the checkout's branch has just moved,
    // the root's artifact is ahead of the apps until kustomize-controller has applied it to them
    // (it follows the source's new revision by itself), so wait for the two to agree.
    const rootState = async () => {
      const root = await getJson(rest, `${FLUX_GITREPOSITORIES}/flux-system`);
      const kustomizations: Obj[] =
        (await getJson(rest, FLUX_KUSTOMIZATIONS))?.items ?? [];
      return {
        root,
        revision: root?.status?.artifact?.revision as string | undefined,
        kustomizations,
        apps: kustomizations.filter(
          k =>
            APP_KUSTOMIZATION.test(k.metadata.name) &&
            k.spec.sourceRef.kind === 'GitRepository' &&
            k.spec.sourceRef.name === 'flux-system',
        ),
      };
    };
    const { revision, kustomizations, apps } = await eventually(
      'the lab apps applied at the artifact revision of GitRepository flux-system/flux-system (else: yarn lab gitops up --wait)',
      rootState,
      st =>
        Boolean(st.revision) &&
        st.apps.length > 0 &&
        st.apps.every(k => k.status?.lastAppliedRevision === st.revision),
      st =>
        JSON.stringify({
          artifact: st.revision ?? st.root?.status?.conditions ?? 'absent',
          apps: st.apps.map(k => [
            k.metadata.name,
            k.status?.lastAppliedRevision,
          ]),
        }),
      300_000,
    );
    // The lab tree carries Pi-hole per provider and redis per provider at the least.
    expect(
      apps.filter(k => k.metadata.name.startsWith('apps-pihole-')).length,
    ).toBeGreaterThanOrEqual(2);
    expect(
      apps.filter(k => REDIS_KUSTOMIZATION.test(k.metadata.name)).length,
    ).toBeGreaterThanOrEqual(2);

    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'root-proof-'));
    {
      // What CLOUDLAB_GITOPS_TREE=flux writes (scripts/lib/lab-app-config.sh): the default root
      // Kustomization flux-system/flux-system, named here so the proof says what it reads.
      const layer = path.join(workDir, 'app-config.flux-tree.yaml');
      fs.writeFileSync(
        layer,
        YAML.stringify({
          cloudlab: {
            gitopsTree: {
              local: null,
              flux: {
                artifactBaseUrl: labFluxArtifactUrl(fx.paths),
                kustomization: {
                  namespace: 'flux-system',
                  name: 'flux-system',
                },
              },
              kustomizeCommand: defaultKustomizeCommand(fx.paths.root),
            },
          },
        }),
      );
      const t0 = Date.now();
      backend = await startPortalBackend({
        root: fx.paths.root,
        workDir,
        extraConfig: layer,
        database: databaseConfig('sqlite'),
      });
      const portal = backend;
      const get = portal.getJson;
      const names = apps.map(k => k.metadata.name as string);
      read = { revision: revision!, names, get, logFile: portal.logFile };

      // (a) The entities the module generates from the root tree (every root Kustomization no
      // hand-written entity replaces) name the root GitRepository and the revision source-controller
      // reports. The lab's apps are claimed by hand-written entities (catalog/components), which
      // replace their generated ones: those must all be in the catalog for (b).
      const rootNames = new Set(
        kustomizations
          .filter(
            k =>
              k.spec.sourceRef.kind === 'GitRepository' &&
              k.spec.sourceRef.name === 'flux-system',
          )
          .map(k => k.metadata.name as string),
      );
      const generatedOfRoot = (cs: Obj[]) =>
        cs.filter(
          e =>
            rootNames.has(e.metadata.name) &&
            !String(
              annotations(e)['backstage.io/managed-by-location'],
            ).startsWith('file:'),
        );
      const components = await eventually(
        `the catalog's generated entities of the root at ${revision} and the entities of ${names.join(
          ', ',
        )}`,
        async () =>
          (await get<Obj[]>('/api/catalog/entities?filter=kind=component')) ??
          [],
        cs =>
          generatedOfRoot(cs).length > 0 &&
          generatedOfRoot(cs).every(
            e => annotations(e)[REVISION_ANNOTATION] === revision,
          ) &&
          names.every(n => entityOf(cs, n)),
        cs =>
          `${JSON.stringify({
            generated: generatedOfRoot(cs).map(e => [
              e.metadata.name,
              annotations(e)[REVISION_ANNOTATION],
            ]),
            apps: names.map(n => [n, entityOf(cs, n)?.metadata?.name]),
          })} (log: ${portal.logFile})`,
        90_000,
      );
      const toEntities = Date.now() - t0;
      const generated = generatedOfRoot(components);
      for (const e of generated) {
        expect([e.metadata.name, annotations(e)]).toMatchObject([
          e.metadata.name,
          { [SOURCE_ANNOTATION]: ROOT_SOURCE, [REVISION_ANNOTATION]: revision },
        ]);
      }
      const entities = names.map(n => ({
        kustomization: n,
        entity: entityOf(components, n)!,
      }));

      // (b) Each entity's Placement route answers its live pods, where the API server runs them
      // and on the provider its intent names.
      const nodes = await nodeProviders(fx.clients);
      for (const { entity } of entities) {
        const ref = `default/component/${entity.metadata.name}`;
        const a = annotations(entity);
        const placement = (await eventually(
          `the placement of ${ref} listing its live pods`,
          () =>
            get<EntityPlacementResponse>(
              `/api/multi-provider/entity/${ref}/placement`,
            ),
          p => Boolean(p && placementPods(p).length > 0),
          p => JSON.stringify(p?.clusters ?? 'absent'),
          120_000,
        ))!;
        const live = (
          await fx.clients.core.listNamespacedPod({
            namespace: a['backstage.io/kubernetes-namespace'],
            labelSelector: a['backstage.io/kubernetes-label-selector'],
          })
        ).items.filter(p => p.spec?.nodeName);
        const shown = placementPods(placement);
        expect(shown.map(p => p.name).sort()).toEqual(
          live.map(p => p.metadata!.name!).sort(),
        );
        for (const pod of shown) {
          const nodeProvider = providerOf(nodes.get(pod.node));
          // Where the API server runs it, and the provider the entity pins it to when it names one
          // (a redundant service names none: its pods' intent check covers it).
          expect([ref, pod.name, pod.provider, pod.provider]).toEqual([
            ref,
            pod.name,
            nodeProvider,
            a[PROVIDER_ANNOTATION] ?? nodeProvider,
          ]);
          expect([ref, pod.name, pod.intentMatches]).toEqual([
            ref,
            pod.name,
            true,
          ]);
        }
      }
      const toPlacement = Date.now() - t0;

      // (c) The desired-storage view of redis: a claim per provider, the claims Flux applied from
      // this same revision (each redis Kustomization's inventory at lastAppliedRevision).
      const desired = (await get<DesiredStorageResponse>(
        '/api/multi-provider/platform/storage/desired?cluster=lab',
      ))!;
      const redis = apps.filter(k => REDIS_KUSTOMIZATION.test(k.metadata.name));
      const providers = new Set<string>();
      for (const k of redis) {
        const view = desired.kustomizations.find(
          d => d.name === k.metadata.name,
        );
        expect([k.metadata.name, view?.path, view?.error]).toEqual([
          k.metadata.name,
          k.spec.path.replace(/^\.\//, ''),
          undefined,
        ]);
        expect([
          k.metadata.name,
          view!.claims.map(c => `${c.namespace}/${c.name}`).sort(),
        ]).toEqual([k.metadata.name, inventoryClaims(k)]);
        expect(view!.claims.length).toBeGreaterThan(0);
        for (const c of view!.claims) {
          expect(c.provider).toBeDefined();
          providers.add(c.provider!);
        }
      }
      expect(providers.size).toBe(redis.length);

      // eslint-disable-next-line no-console
      console.log(
        `figure: real root ${revision} tree read from the artifact (real backend, no local tree): backend start -> ${
          generated.length
        } generated entities at that revision and the ${
          entities.length
        } app entities: ${(toEntities / 1000).toFixed(
          1,
        )}s; -> every placement answering its live pods: ${(
          toPlacement / 1000
        ).toFixed(1)}s`,
      );
    }
  });

  it("the lab apps' hand-written entities, read from the root artifact, carry its source and revision", async () => {
    if (!read) throw new Error('needs the portal the proof above started');
    const { revision, names, get, logFile } = read;
    const handWritten = (e: Obj | undefined) =>
      e !== undefined &&
      annotations(e)['cloudlab.dev/generated-by'] === undefined &&
      (annotations(e)[CLAIMS_ANNOTATION] ?? '') !== '';
    const components = await eventually(
      `the hand-written entities of ${names.join(', ')} at ${revision}`,
      async () =>
        (await get<Obj[]>('/api/catalog/entities?filter=kind=component')) ?? [],
      cs =>
        names.every(n => {
          const e = entityOf(cs, n);
          return (
            handWritten(e) && annotations(e)[REVISION_ANNOTATION] === revision
          );
        }),
      cs =>
        `${JSON.stringify(
          names.map(n => {
            const e = entityOf(cs, n);
            return [
              n,
              e?.metadata?.name,
              annotations(e)['backstage.io/managed-by-location'],
              annotations(e)[REVISION_ANNOTATION],
            ];
          }),
        )} (log: ${logFile})`,
      90_000,
    );
    const entities = names.map(n => [n, entityOf(components, n)!] as const);
    // Every lab app is claimed by hand (else this proof proves nothing about hand-written ones).
    expect(entities.filter(([, e]) => !handWritten(e))).toEqual([]);
    for (const [n, e] of entities) {
      const a = annotations(e);
      expect([n, e.metadata.name, a]).toMatchObject([
        n,
        e.metadata.name,
        { [SOURCE_ANNOTATION]: ROOT_SOURCE, [REVISION_ANNOTATION]: revision },
      ]);
      // Located in the source at that revision, not in the portal's checkout.
      expect([n, a['backstage.io/managed-by-location']]).toEqual([
        n,
        expect.not.stringMatching(/^file:/),
      ]);
    }
  });
});
