import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultKustomizeCommand } from './kustomizeBuild';
import { orderByDependsOn } from './orderByDependsOn';
import { readFluxTree } from './readFluxTree';
import { renderClusterTree, renderFluxKustomizations } from './renderFluxTree';
import { LocalTreeSource } from './TreeSource';
import { YamlDocumentCache } from './YamlDocumentCache';
import { ClusterInfo } from './types';

// Tests run from source, where __dirname is this directory.
// eslint-disable-next-line no-restricted-syntax
const fixture = path.join(__dirname, '../__fixtures__/tree');
// eslint-disable-next-line no-restricted-syntax
const repoRoot = path.resolve(__dirname, '../../../..');
const command = defaultKustomizeCommand(repoRoot);

async function read(root: string): Promise<ClusterInfo> {
  const cache = new YamlDocumentCache(new LocalTreeSource(root));
  cache.begin();
  return (await readFluxTree(cache, 'gitops')).clusters[0];
}

/** The fixture without its deliberate mistakes: a tree that can be applied. */
function applicableTree(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-render-'));
  fs.cpSync(fixture, dir, { recursive: true });
  fs.rmSync(path.join(dir, 'gitops/clusters/demo/broken.yaml'));
  const apps = path.join(dir, 'gitops/clusters/demo/apps.yml');
  fs.writeFileSync(
    apps,
    fs.readFileSync(apps, 'utf8').split('\n---\n')[0].concat('\n'),
  );
  return dir;
}

describe('renderFluxKustomizations', () => {
  it('renders each spec.path with kustomize and applies postBuild substitution', async () => {
    const source = new LocalTreeSource(fixture);
    const cluster = await read(fixture);
    const rendered = await renderFluxKustomizations(
      source,
      cluster.kustomizations,
      {
        command,
        configMaps: { 'cluster-values': { region: 'al1', replicas: '9' } },
      },
    );
    const byName = new Map(rendered.map(r => [r.kustomization.name, r]));
    const apps = byName.get('apps')!;
    expect(apps.error).toBeUndefined();
    expect(apps.objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'PersistentVolumeClaim/demo-data',
      'Deployment/demo-web',
    ]);
    const deployment = apps.objects[1] as any;
    // The Kustomization's own substitute wins over substituteFrom, as in Flux.
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.containers[0].image).toBe(
      'example/web:1.0',
    );
    expect(deployment.spec.template.spec.containers[0].env[0].value).toBe(
      'al1',
    );
    // A plain directory renders as Flux generates it: every manifest in it.
    expect(
      byName.get('infrastructure')!.objects.map(o => o.metadata.name),
    ).toEqual(['fast']);
  });

  it('gives a Kustomization pointing at a missing path an error and renders the others', async () => {
    const cluster = await read(fixture);
    const rendered = await renderFluxKustomizations(
      new LocalTreeSource(fixture),
      cluster.kustomizations,
      { command },
    );
    const ghost = rendered.find(r => r.kustomization.name === 'ghost')!;
    expect(ghost).toMatchObject({
      objects: [],
      error:
        'Kustomization ghost: spec.path gitops/apps/does-not-exist does not exist',
    });
    expect(rendered.filter(r => r.error)).toHaveLength(1);
  });

  it('reports kustomize’s own error for an overlay that does not build', async () => {
    const root = applicableTree();
    fs.writeFileSync(
      path.join(root, 'gitops/apps/web/overlay/kustomization.yaml'),
      'resources:\n  - ../missing\n',
    );
    const cluster = await read(root);
    const [apps] = await renderFluxKustomizations(
      new LocalTreeSource(root),
      cluster.kustomizations.filter(k => k.name === 'apps'),
      { command },
    );
    expect(apps.objects).toEqual([]);
    expect(apps.error).toMatch(/missing/);
  });
});

describe('renderClusterTree', () => {
  it('renders the cluster directory and every layer in dependsOn order', async () => {
    const root = applicableTree();
    const tree = await renderClusterTree(
      new LocalTreeSource(root),
      await read(root),
      { command },
    );
    expect(tree.clusterObjects.map(o => o.metadata.name)).toEqual([
      'apps',
      'infrastructure',
    ]);
    expect(tree.layers.map(l => l.kustomization.name)).toEqual([
      'infrastructure',
      'apps',
    ]);
  });

  it('refuses a tree it cannot render completely', async () => {
    await expect(
      renderClusterTree(new LocalTreeSource(fixture), await read(fixture), {
        command,
      }),
    ).rejects.toThrow(/ghost/);
  });
});

describe('orderByDependsOn', () => {
  const k = (name: string, ...deps: string[]) =>
    ({
      name,
      namespace: 'flux-system',
      dependsOn: deps.map(d => ({ name: d, namespace: 'flux-system' })),
    } as any);

  it('puts dependencies first and keeps tree order otherwise', () => {
    expect(
      orderByDependsOn([k('apps', 'infra'), k('other'), k('infra')]).map(
        x => x.name,
      ),
    ).toEqual(['infra', 'apps', 'other']);
  });

  it('names a cycle and a missing dependency', () => {
    expect(() => orderByDependsOn([k('a', 'b'), k('b', 'a')])).toThrow(
      'dependsOn cycle: a -> b -> a',
    );
    expect(() => orderByDependsOn([k('a', 'nope')])).toThrow(
      'Kustomization a dependsOn nope, which does not exist',
    );
  });
});
