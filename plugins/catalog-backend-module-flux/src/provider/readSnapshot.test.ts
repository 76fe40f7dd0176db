import { stringifyEntityRef } from '@backstage/catalog-model';
import fs from 'node:fs';
import path from 'node:path';
import { copyFixtureRepo, repoLayout } from '../__fixtures__/copyFixtureRepo';
import { checkCatalog } from '../check/checkCatalog';
import { fluxCatalogOptions } from '../config';
import { providerEntriesFromDocuments } from '@cloudlab/plugin-multi-provider-node';
import { parse } from 'yaml';
import { LocalTreeSource } from '@cloudlab/plugin-multi-provider-node';
import { readSnapshot, snapshotCaches } from './readSnapshot';

const refs = (s: Awaited<ReturnType<typeof readSnapshot>>) =>
  s.entities.map(e => stringifyEntityRef(e));

describe('readSnapshot over a fixture tree', () => {
  let root: string;
  const read = () => {
    const options = fluxCatalogOptions(repoLayout(root), {
      grafanaUrl: 'https://grafana.example',
    });
    return readSnapshot(
      snapshotCaches(options, new LocalTreeSource(root)),
      options,
    );
  };
  beforeEach(() => {
    root = copyFixtureRepo();
  });

  it('emits services, sources, storage classes, clusters and providers', async () => {
    const s = await read();
    expect(s.errors).toEqual([]);
    expect(refs(s)).toEqual([
      'component:default/postgres',
      'resource:default/acme',
      'resource:default/fast',
      'resource:default/helmrepository-charts',
      'resource:default/prod',
    ]);
    const pg = s.entities.find(e => e.metadata.name === 'postgres')!;
    expect(pg.metadata.annotations).toMatchObject({
      'cloudlab.dev/flux-helmreleases': 'prod/db/postgres',
      'cloudlab.dev/flux-applied-by': 'prod/flux-system/infra-db',
      'backstage.io/kubernetes-label-selector':
        'app.kubernetes.io/instance=postgres',
      'backstage.io/kubernetes-namespace': 'db',
      'backstage.io/techdocs-entity': 'system:default/cloudlab-platform',
    });
    // Sources come through the HelmRelease's sourceRef, not the layer chain.
    expect(pg.spec?.dependsOn).toEqual([
      'resource:default/helmrepository-charts',
    ]);
    expect(pg.metadata.links?.map(l => l.title)).toContain(
      'Grafana: placement dashboard',
    );
    expect(
      s.entities.find(e => e.metadata.name === 'fast')!.spec?.dependsOn,
    ).toEqual(['resource:default/acme']);
    expect(s.entities.find(e => e.metadata.name === 'acme')!.spec?.type).toBe(
      'cloud-provider',
    );
  });

  it('lets a hand-written claim replace the generated entity, rewriting dependsOn', async () => {
    const s = await read();
    expect(refs(s)).not.toContain('component:default/apps-web');
    expect(s.replacedBy.get('component:default/apps-web')).toBe(
      'component:default/website',
    );
    const generatedWeb = s.generated.find(e => e.metadata.name === 'apps-web')!;
    expect(generatedWeb.metadata.annotations).toMatchObject({
      'backstage.io/kubernetes-label-selector': 'app.kubernetes.io/name=web',
      'backstage.io/kubernetes-namespace': 'web',
    });
    expect(checkCatalog(s)).toEqual([]);
  });

  it('lets a hand-written entity with the same ref win', async () => {
    fs.writeFileSync(
      path.join(root, 'catalog/prod.yaml'),
      'apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: prod\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: kubernetes-cluster\n  owner: group:default/ops\n  dependsOn: [resource:default/acme]\n',
    );
    const s = await read();
    expect(refs(s)).not.toContain('resource:default/prod');
    expect(checkCatalog(s)).toEqual([]);
  });

  it('checks: missing, duplicate and dangling claims, owner, docs and dependsOn', async () => {
    fs.writeFileSync(
      path.join(root, 'catalog/web.yaml'),
      [
        'apiVersion: backstage.io/v1alpha1',
        'kind: Component',
        'metadata:',
        '  name: website',
        '  annotations:',
        '    cloudlab.dev/flux-kustomizations: apps-web,apps-gone',
        'spec:',
        '  type: website',
        '---',
        'apiVersion: backstage.io/v1alpha1',
        'kind: Component',
        'metadata:',
        '  name: website-copy',
        '  annotations:',
        '    cloudlab.dev/flux-kustomizations: prod/flux-system/apps-web',
        '    backstage.io/techdocs-entity: system:default/x',
        'spec:',
        '  type: website',
        '  owner: group:default/web-team',
      ].join('\n'),
    );
    const problems = checkCatalog(await read());
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /Kustomization prod\/flux-system\/apps-web .* has 2 catalog entities/,
        ),
        expect.stringMatching(
          /website .* claims Kustomization apps-gone, which no cluster/,
        ),
        expect.stringMatching(/component:default\/website .* has no owner/),
        expect.stringMatching(/component:default\/website .* has no docs/),
        expect.stringMatching(/misses dependsOn component:default\/postgres/),
      ]),
    );
    fs.rmSync(path.join(root, 'catalog/web.yaml'));
    expect(checkCatalog(await read())).toEqual([]);
  });

  it('reports a Kustomization without an owner entity when nothing claims it', async () => {
    fs.rmSync(path.join(root, 'catalog/web.yaml'));
    const s = await read();
    expect(refs(s)).toContain('component:default/apps-web');
    expect(checkCatalog(s)).toEqual([]);
  });

  it('reports a malformed file with file and reason and keeps the other files', async () => {
    fs.writeFileSync(
      path.join(root, 'gitops/infra/db/helmrelease.yaml'),
      'kind: HelmRelease\n  bad: [\n',
    );
    const s = await read();
    expect(s.errors).toEqual([
      {
        file: 'gitops/infra/db/helmrelease.yaml',
        reason: expect.stringMatching(/^invalid YAML/),
      },
    ]);
    expect(refs(s)).toEqual(
      expect.arrayContaining([
        'resource:default/helmrepository-charts',
        'resource:default/fast',
      ]),
    );
    expect(checkCatalog(s)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/helmrelease.yaml: invalid YAML/),
      ]),
    );
  });

  it('reports Flux objects that do not make sense', async () => {
    fs.writeFileSync(
      path.join(root, 'gitops/clusters/prod/broken.yaml'),
      'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: nopath\n  namespace: flux-system\nspec:\n  dependsOn: [{ name: ghost }]\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: wrongpath\n  namespace: flux-system\nspec:\n  path: ./gitops/nowhere\n  dependsOn: [{ name: ghost }]\n',
    );
    const s = await read();
    expect(s.errors.map(e => `${e.file}: ${e.reason}`)).toEqual([
      'gitops/clusters/prod/broken.yaml: Flux Kustomization nopath has no spec.path',
      'gitops/clusters/prod/broken.yaml: Flux Kustomization wrongpath: spec.path ./gitops/nowhere is not a directory',
      'gitops/clusters/prod/broken.yaml: Flux Kustomization wrongpath depends on flux-system/ghost, which cluster prod does not define',
    ]);
  });

  it('puts what the reader could not follow on the entity and keeps every other entity', async () => {
    const before = refs(await read());
    fs.writeFileSync(
      path.join(root, 'gitops/clusters/prod/tenant.yaml'),
      'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: tenant\n  namespace: flux-system\nspec:\n  path: ./deploy\n  sourceRef: { kind: ExternalArtifact, name: tenant-artifact }\n  postBuild:\n    substituteFrom: [{ kind: Secret, name: tenant-secrets }]\n',
    );
    const s = await read();
    const reason =
      "Flux Kustomization tenant: source ExternalArtifact flux-system/tenant-artifact is not readable here (not this tree's own source, no ArtifactGenerator in the cluster makes it, and no reader of other sources is configured)";
    expect(s.errors.map(e => `${e.file}: ${e.reason}`)).toEqual([
      `gitops/clusters/prod/tenant.yaml: ${reason}`,
    ]);
    expect(refs(s)).toEqual([...before, 'component:default/tenant'].sort());
    const tenant = s.entities.find(e => e.metadata.name === 'tenant')!;
    expect(tenant.metadata.annotations).toMatchObject({
      'cloudlab.dev/flux-read-errors': `gitops/clusters/prod/tenant.yaml: ${reason}`,
      'cloudlab.dev/flux-unread-secrets': 'Secret flux-system/tenant-secrets',
    });
  });

  it('reports an invalid provider file and still emits the others', async () => {
    fs.writeFileSync(
      path.join(root, 'providers/bad.yaml'),
      'apiVersion: cloudlab.dev/v1alpha1\nkind: Provider\nmetadata: {}\n',
    );
    const s = await read();
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0].file).toBe('providers/bad.yaml');
    expect(refs(s)).toContain('resource:default/acme');
  });

  it('reads an inline registry: providers become entities without a repository link', async () => {
    const { providers: _dir, ...layout } = repoLayout(root);
    const acme = parse(
      fs.readFileSync(path.join(root, 'providers', 'acme.yaml'), 'utf8'),
    );
    fs.rmSync(path.join(root, 'providers'), { recursive: true });
    const options = fluxCatalogOptions({
      ...layout,
      providers: {
        type: 'entries',
        entries: providerEntriesFromDocuments([acme], 'app-config entries'),
      },
    });
    const s = await readSnapshot(
      snapshotCaches(options, new LocalTreeSource(root)),
      options,
    );
    expect(s.errors).toEqual([]);
    const provider = s.entities.find(e => e.metadata.name === 'acme')!;
    expect(provider.kind).toBe('Resource');
    expect(provider.metadata.links ?? []).toEqual([]);
    expect(
      provider.metadata.annotations!['backstage.io/managed-by-location'],
    ).toBe(`url:${options.repoUrl}/tree/${options.branch}`);
  });
});
