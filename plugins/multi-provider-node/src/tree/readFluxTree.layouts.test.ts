import path from 'node:path';
import { readFluxTree, ReadFluxTreeOptions } from './readFluxTree';
import { LocalTreeSource } from './TreeSource';
import { YamlDocumentCache } from './YamlDocumentCache';

// Tests run from source, where __dirname is this directory.
// eslint-disable-next-line no-restricted-syntax
const layouts = path.join(__dirname, '../__fixtures__/layouts');

async function read(layout: string, options?: ReadFluxTreeOptions) {
  const cache = new YamlDocumentCache(
    new LocalTreeSource(path.join(layouts, layout)),
  );
  cache.begin();
  const model = await readFluxTree(cache, '.', options);
  return { model, errors: cache.fileErrors() };
}

// Expected values below are written by hand from the fixture files, not from a run.
describe('readFluxTree on adopters’ layouts', () => {
  it('one repository per cluster, layered infrastructure → platform → apps', async () => {
    const { model, errors } = await read('layered');
    expect(errors).toEqual([]);
    expect(model.clusters.map(c => [c.name, c.dir])).toEqual([
      ['production', 'clusters/production'],
    ]);
    const ks = model.clusters[0].kustomizations;
    expect(ks.map(k => [k.name, k.layer, k.path, k.dependsOn])).toEqual([
      [
        'apps',
        'apps',
        'apps/production',
        [{ namespace: 'flux-system', name: 'platform' }],
      ],
      ['flux-system', 'flux-system', 'clusters/production', []],
      ['infrastructure', 'infrastructure', 'infrastructure', []],
      [
        'platform',
        'platform',
        'platform',
        [{ namespace: 'flux-system', name: 'infrastructure' }],
      ],
    ]);
    // namePrefix and targetNamespace of the Flux Kustomization, commonLabels of the overlay.
    expect(ks[0].workloads).toEqual([
      {
        name: 'prod-shop',
        namespace: 'shop',
        selector: 'app=shop,env=production',
      },
    ]);
    expect(ks[2].storageClasses.map(s => s.name)).toEqual(['standard']);
    expect(ks[3].helmReleases).toMatchObject([
      {
        name: 'ingress',
        namespace: 'ingress',
        targetNamespace: 'edge',
        releaseName: 'edge-ingress',
        sourceRef: {
          kind: 'OCIRepository',
          namespace: 'ingress',
          name: 'ingress-chart',
        },
      },
    ]);
    expect(ks[3].sources.map(s => [s.kind, s.name])).toEqual([
      ['OCIRepository', 'ingress-chart'],
    ]);
  });

  it('base + per-environment overlays with flat clusters/<env>/*.yaml', async () => {
    const { model, errors } = await read('overlays');
    expect(errors).toEqual([]);
    expect(model.clusters.map(c => c.name)).toEqual(['production', 'staging']);
    for (const env of ['production', 'staging']) {
      const apps = model.clusters
        .find(c => c.name === env)!
        .kustomizations.find(k => k.name === 'apps')!;
      // substituteFrom ConfigMap in the tree sets the namespace; the overlay's patch the label.
      expect(apps.workloads).toEqual([
        { name: 'web', namespace: `web-${env}`, selector: `app=web-${env}` },
      ]);
      expect(apps.unread).toEqual([
        { kind: 'Secret', namespace: 'flux-system', name: 'cluster-secrets' },
      ]);
    }
  });

  it('several tenants’ repositories: an unreadable tenant source is an error on that Kustomization only', async () => {
    const { model, errors } = await read('tenants');
    const ks = model.clusters[0].kustomizations;
    expect(ks.map(k => `${k.namespace}/${k.name}`)).toEqual([
      'flux-system/flux-system',
      'flux-system/tenants',
      'team-a/team-a',
    ]);
    const reason =
      'Flux Kustomization team-a: source GitRepository team-a/team-a is not readable here (not this tree’s own source, and no reader of other sources is configured)'.replace(
        '’',
        "'",
      );
    expect(errors).toEqual([{ file: 'tenants/team-a.yaml', reason }]);
    expect(ks[2].errors).toEqual([`tenants/team-a.yaml: ${reason}`]);
  });

  it('several tenants’ repositories: a tenant source read through resolveSource', async () => {
    const tenant = new LocalTreeSource(
      path.join(layouts, 'tenant-team-a-repo'),
    );
    const asked: string[] = [];
    const { model, errors } = await read('tenants', {
      resolveSource: ref => {
        asked.push(`${ref.kind}/${ref.namespace}/${ref.name}`);
        return ref.name === 'team-a' ? tenant : undefined;
      },
    });
    expect(asked).toEqual(['GitRepository/team-a/team-a']);
    const teamA = model.clusters[0].kustomizations[2];
    expect(teamA.sourceTree).toBe(tenant.description);
    expect(teamA.helmReleases).toMatchObject([
      {
        name: 'api',
        namespace: 'team-a',
        releaseName: 'api',
        sourceRef: {
          kind: 'OCIRepository',
          namespace: 'team-a',
          name: 'api-chart',
        },
        valuesFrom: [
          { kind: 'ConfigMap', namespace: 'team-a', name: 'api-values' },
          { kind: 'Secret', namespace: 'team-a', name: 'api-credentials' },
        ],
      },
    ]);
    expect(teamA.unread).toEqual([
      { kind: 'Secret', namespace: 'team-a', name: 'api-credentials' },
    ]);
    expect(errors).toEqual([]);
  });

  it('a monorepo split by ArtifactGenerator: each Kustomization reads its ExternalArtifact', async () => {
    const { model, errors } = await read('monorepo');
    const ks = model.clusters[0].kustomizations;
    expect(ks.map(k => [k.name, k.sourceRef?.kind, k.path])).toEqual([
      ['frontend', 'ExternalArtifact', '.'],
      ['backend', 'ExternalArtifact', 'backend'],
      ['orphan', 'ExternalArtifact', '.'],
      ['flux-system', 'GitRepository', 'clusters/prod'],
    ]);
    expect(ks[1].workloads).toEqual([
      { name: 'backend', namespace: 'backend', selector: 'app=backend' },
    ]);
    expect(ks[0].workloads).toEqual([
      { name: 'frontend', namespace: 'frontend', selector: 'app=frontend' },
    ]);
    expect(ks[1].sourceTree).toBe(
      'ExternalArtifact backend (ArtifactGenerator flux-system/apps)',
    );
    // Each view's files, traced to the file of the repository they were copied from.
    const repo = path.join(layouts, 'monorepo');
    expect(ks[1].generatedBy).toEqual({
      generator: 'flux-system/apps',
      artifact: 'backend',
      copiedFrom: {
        'backend/deployment.yaml': {
          sourceTree: repo,
          path: 'deploy/backend/deployment.yaml',
        },
      },
    });
    expect(ks[0].generatedBy?.copiedFrom).toEqual({
      'deployment.yaml': {
        sourceTree: repo,
        path: 'deploy/frontend/deployment.yaml',
      },
    });
    expect(ks[3].generatedBy).toBeUndefined();
    expect(ks[2].workloads).toEqual([]);
    expect(errors).toEqual([
      {
        file: 'clusters/prod/artifacts.yaml',
        reason:
          "Flux Kustomization orphan: source ExternalArtifact flux-system/nobody-makes-this is not readable here (not this tree's own source, no ArtifactGenerator in the cluster makes it, and no reader of other sources is configured)",
      },
    ]);
  });
});
