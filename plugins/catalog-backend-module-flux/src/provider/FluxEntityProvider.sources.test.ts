import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import {
  GitopsTreeProvider,
  LocalTreeSource,
  TreeSnapshot,
} from '@cloudlab/plugin-multi-provider-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { copyFixtureRepo, repoLayout } from '../__fixtures__/copyFixtureRepo';
import { fluxCatalogOptions } from '../config';
import { ANNOTATIONS } from '../entities/annotations';
import { FluxEntityProvider } from './FluxEntityProvider';

const PLATFORM = 'GitRepository/flux-system/flux-system';
const TENANT = 'GitRepository/flux-system/tenant-a';

/** The platform repository's cluster as `flux bootstrap` writes it, plus a tenant's Kustomization. */
const PLATFORM_FILES: Record<string, string> = {
  'gitops/clusters/prod/flux-system/gotk-sync.yaml': `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  url: https://git.example.test/platform.git
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  path: ./gitops/clusters/prod
  sourceRef: { kind: GitRepository, name: flux-system }
`,
  'gitops/clusters/prod/tenants.yaml': `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: tenant-a
  namespace: flux-system
spec:
  url: https://git.example.test/tenant-a.git
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: tenant-a
  namespace: flux-system
spec:
  path: ./apps
  sourceRef: { kind: GitRepository, name: tenant-a }
`,
  // The platform makes a view of the tenant's repository: what is read there is the tenant's.
  'gitops/clusters/prod/views.yaml': `apiVersion: source.extensions.fluxcd.io/v1beta1
kind: ArtifactGenerator
metadata:
  name: team-a-views
  namespace: flux-system
spec:
  sources:
    - alias: tenant
      kind: GitRepository
      name: tenant-a
  artifacts:
    - name: team-a-views
      copy:
        - from: '@tenant/views/**'
          to: '@artifact/'
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: team-a-views
  namespace: flux-system
spec:
  path: ./
  sourceRef: { kind: ExternalArtifact, name: team-a-views }
`,
};

const release = (name: string, version: string) => `---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${name}
spec:
  chart:
    spec:
      chart: ${name}
      version: ${version}
      sourceRef: { kind: HelmRepository, name: charts, namespace: flux-system }
`;

/** The tenant's own repository: its apps, at the path the platform's Kustomization names. */
function tenantFiles(apiVersion: string): Record<string, string> {
  return {
    'apps/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: team-a
resources:
  - api.yaml
  - worker.yaml
`,
    'apps/api.yaml': release('team-a-api', apiVersion),
    'apps/worker.yaml': release('team-a-worker', '2.0.0'),
    'views/cache.yaml': release('team-a-cache', '3.0.0'),
  };
}

function write(root: string, files: Record<string, string>) {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const snapshot = (
  root: string,
  location: string,
  revision: string,
  url: string,
): TreeSnapshot => ({
  source: new LocalTreeSource(root),
  origin: { kind: 'flux', location, revision, url },
});

/** The tenant's repository on a GitLab host; the platform's on a host the suite does not know. */
const TENANT_URL = 'https://gitlab.example.test/team/tenant-a.git';
const TENANT_WEB = 'https://gitlab.example.test/team/tenant-a';

/** Flux's view of two repositories: the platform's (the root) and a tenant's, each at its revision. */
class TwoSourceProvider implements GitopsTreeProvider {
  readonly description = 'fake Flux sources';
  readonly folders: string[] = [];
  private platform: TreeSnapshot;
  private tenant!: TreeSnapshot;
  private readonly listeners = new Set<(s: TreeSnapshot) => void>();

  constructor() {
    const root = write(copyFixtureRepo(), PLATFORM_FILES);
    this.folders.push(root);
    this.platform = snapshot(
      root,
      PLATFORM,
      'main@sha1:p1',
      'https://git.example.test/platform.git',
    );
    this.publishTenant('main@sha1:t1', tenantFiles('1.0.0'));
  }

  /** A new revision of the tenant's repository: Flux's provider calls listeners with the root. */
  publishTenant(revision: string, files: Record<string, string>) {
    const dir = write(
      fs.mkdtempSync(path.join(os.tmpdir(), 'tenant-a-')),
      files,
    );
    this.folders.push(dir);
    this.tenant = snapshot(dir, TENANT, revision, TENANT_URL);
    for (const l of this.listeners) l(this.platform);
  }

  async current() {
    return this.platform;
  }

  sources() {
    return new Map([
      [PLATFORM, this.platform],
      [TENANT, this.tenant],
    ]);
  }

  subscribe(listener: (s: TreeSnapshot) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const origin = (e: Entity) => {
  const a = e.metadata.annotations ?? {};
  return `${a[ANNOTATIONS.gitopsSource]} ${a[ANNOTATIONS.gitopsRevision]}`;
};

describe('FluxEntityProvider over a provider with several sources', () => {
  const logger = mockServices.logger.mock();
  let connection: jest.Mocked<EntityProviderConnection>;
  let tree: TwoSourceProvider;
  let provider: FluxEntityProvider;

  const mutations = () => connection.applyMutation.mock.calls.map(c => c[0]);

  beforeEach(async () => {
    connection = { applyMutation: jest.fn(), refresh: jest.fn() };
    tree = new TwoSourceProvider();
    provider = new FluxEntityProvider(
      fluxCatalogOptions(repoLayout(tree.folders[0])),
      tree,
      logger,
    );
    await provider.connect(connection);
    await provider.refresh();
  });

  afterEach(() => {
    provider.disconnect();
    for (const f of tree.folders)
      fs.rmSync(f, { recursive: true, force: true });
  });

  it("reads the tenant's Kustomization in the tenant's repository, and its entities name that source", async () => {
    const [first] = mutations();
    expect(first.type).toBe('full');
    const byName = new Map(
      (first.type === 'full' ? first.entities : []).map(({ entity }) => [
        entity.metadata.name,
        entity,
      ]),
    );
    expect(origin(byName.get('team-a-api')!)).toBe(`${TENANT} main@sha1:t1`);
    expect(origin(byName.get('team-a-worker')!)).toBe(`${TENANT} main@sha1:t1`);
    expect(
      byName.get('team-a-api')!.metadata.annotations![
        ANNOTATIONS.kubernetesNamespace
      ],
    ).toBe('team-a');
    // The platform's own entities (and its hand-written ones) name the platform's source.
    for (const name of ['postgres', 'prod', 'flux-system']) {
      expect(origin(byName.get(name)!)).toBe(`${PLATFORM} main@sha1:p1`);
    }
    expect(provider.latest()!.errors).toEqual([]);
  });

  it('locates each entity in the source it was read from, at the revision read', async () => {
    const [first] = mutations();
    const byName = new Map(
      (first.type === 'full' ? first.entities : []).map(({ entity }) => [
        entity.metadata.name,
        entity,
      ]),
    );
    const api = byName.get('team-a-api')!;
    expect(api.metadata.annotations).toMatchObject({
      'backstage.io/managed-by-location': `url:${TENANT_WEB}/-/blob/t1/apps/api.yaml`,
      'backstage.io/managed-by-origin-location': `url:${TENANT_WEB}/-/blob/t1/apps/api.yaml`,
      'backstage.io/source-location': `url:${TENANT_WEB}/-/tree/t1/apps/`,
    });
    // Links follow the branch, so a new revision alone does not change them.
    expect(api.metadata.links?.map(l => l.url)).toContain(
      `${TENANT_WEB}/-/blob/main/apps/api.yaml`,
    );
    // The platform's own entities: the configured repository, at the platform's commit.
    const postgres = byName.get('postgres')!;
    expect(
      postgres.metadata.annotations!['backstage.io/managed-by-location'],
    ).toMatch(
      /^url:https:\/\/github\.com\/cloudlab-dev\/cloudlab\/blob\/p1\/gitops\//,
    );
  });

  it("attributes what an ArtifactGenerator's view holds to the generator and the file's own source", async () => {
    const [first] = mutations();
    const cache = (first.type === 'full' ? first.entities : [])
      .map(({ entity }) => entity)
      .find(e => e.metadata.name === 'team-a-cache')!;
    expect(origin(cache)).toBe(`${TENANT} main@sha1:t1`);
    expect(cache.metadata.annotations).toMatchObject({
      [ANNOTATIONS.gitopsGenerator]:
        'ArtifactGenerator flux-system/team-a-views, ExternalArtifact team-a-views',
      'backstage.io/managed-by-location': `url:${TENANT_WEB}/-/blob/t1/views/cache.yaml`,
      [ANNOTATIONS.gitopsPath]: '.',
    });
  });

  it("re-emits only the tenant's entities it changed on a new revision of the tenant's repository", async () => {
    // A revision that changes nothing the catalog reads: nothing emitted.
    tree.publishTenant('main@sha1:t2', {
      ...tenantFiles('1.0.0'),
      'README.md': 'unrelated\n',
    });
    await provider.refresh();
    expect(mutations()).toHaveLength(1);

    tree.publishTenant('main@sha1:t3', tenantFiles('1.1.0'));
    await provider.refresh();
    expect(mutations()).toHaveLength(2);
    const last = mutations().at(-1)!;
    expect(last.type).toBe('delta');
    if (last.type !== 'delta') return;
    expect(
      last.added.map(a => `${a.entity.metadata.name} ${origin(a.entity)}`),
    ).toEqual([`team-a-api ${TENANT} main@sha1:t3`]);
    expect(last.removed).toEqual([]);
  });
});
