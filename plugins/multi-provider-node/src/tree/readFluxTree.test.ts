import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFluxTree } from './readFluxTree';
import { LocalTreeSource } from './TreeSource';
import { YamlDocumentCache } from './YamlDocumentCache';

// Tests run from source, where __dirname is this directory.
// eslint-disable-next-line no-restricted-syntax
const fixture = path.join(__dirname, '../__fixtures__/tree');

function copyFixture(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-tree-'));
  fs.cpSync(fixture, dir, { recursive: true });
  return dir;
}

describe('readFluxTree', () => {
  it('reads the Flux Kustomizations of every cluster, .yml files included', async () => {
    const cache = new YamlDocumentCache(new LocalTreeSource(fixture));
    cache.begin();
    const model = await readFluxTree(cache, 'gitops');
    expect(model.clusters.map(c => c.name)).toEqual(['demo']);
    const [demo] = model.clusters;
    expect(demo.dir).toBe('gitops/clusters/demo');
    expect(demo.kustomizations.map(k => [k.name, k.path, k.layer])).toEqual([
      ['apps', 'gitops/apps/web/overlay', 'apps'],
      ['ghost', 'gitops/apps/does-not-exist', 'apps'],
      ['flux-system', 'gitops/clusters/demo', 'flux-system'],
      ['infrastructure', 'gitops/infrastructure', 'infrastructure'],
    ]);
    const apps = demo.kustomizations[0];
    expect(apps).toMatchObject({
      file: 'gitops/clusters/demo/apps.yml',
      dependsOn: [{ namespace: 'flux-system', name: 'infrastructure' }],
      targetNamespace: 'web',
      substitute: { replicas: '2' },
      // Secrets are named in substituteFrom but never read.
      substituteFrom: ['cluster-values'],
      workloads: [{ selector: 'app=web' }],
    });
    expect(demo.kustomizations[3].storageClasses).toMatchObject([
      { name: 'fast', provisioner: 'csi.alpha.example' },
    ]);
  });

  it('reports a broken document and a missing spec.path with the file and reason, and keeps the rest', async () => {
    const cache = new YamlDocumentCache(new LocalTreeSource(fixture));
    cache.begin();
    await readFluxTree(cache, 'gitops');
    expect(cache.fileErrors()).toEqual([
      {
        file: 'gitops/clusters/demo/broken.yaml',
        reason: expect.stringMatching(/^invalid YAML at line 7: /),
      },
      {
        file: 'gitops/clusters/demo/apps.yml',
        reason:
          'Flux Kustomization apps: substituteFrom ConfigMap flux-system/cluster-values is not in the tree; its variables are left as they are',
      },
      {
        file: 'gitops/clusters/demo/apps.yml',
        reason:
          'Flux Kustomization ghost: spec.path ./gitops/apps/does-not-exist is not a directory',
      },
    ]);
  });

  it('reports a tree without clusters instead of failing', async () => {
    const cache = new YamlDocumentCache(new LocalTreeSource(fixture));
    cache.begin();
    expect(await readFluxTree(cache, 'nowhere')).toEqual({ clusters: [] });
    expect(cache.fileErrors()).toEqual([
      {
        file: 'nowhere/clusters',
        reason: 'is not a directory: no cluster trees to read',
      },
    ]);
  });

  it('reads a changed file again and reuses unchanged ones', async () => {
    const root = copyFixture();
    const source = new LocalTreeSource(root);
    const reads: string[] = [];
    const readText = source.readText.bind(source);
    source.readText = rel => {
      reads.push(rel);
      return readText(rel);
    };
    const cache = new YamlDocumentCache(source);
    cache.begin();
    await readFluxTree(cache, 'gitops');
    const first = cache.fingerprint();
    reads.length = 0;
    const file = path.join(root, 'gitops/infrastructure/storageclass.yaml');
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('name: fast', 'name: faster'),
    );
    cache.begin();
    const model = await readFluxTree(cache, 'gitops');
    expect(reads).toEqual(['gitops/infrastructure/storageclass.yaml']);
    expect(model.clusters[0].kustomizations[3].storageClasses[0].name).toBe(
      'faster',
    );
    const second = cache.fingerprint();
    expect(
      [...second.keys()].filter(k => second.get(k) !== first.get(k)),
    ).toEqual(['gitops/infrastructure/storageclass.yaml']);
  });

  it('keeps the last valid version of a file that stops parsing', async () => {
    const root = copyFixture();
    const cache = new YamlDocumentCache(new LocalTreeSource(root));
    cache.begin();
    await readFluxTree(cache, 'gitops');
    fs.appendFileSync(
      path.join(root, 'gitops/infrastructure/storageclass.yaml'),
      'metadata: [unclosed\n',
    );
    cache.begin();
    const model = await readFluxTree(cache, 'gitops');
    expect(model.clusters[0].kustomizations[3].storageClasses[0].name).toBe(
      'fast',
    );
    expect(cache.fileErrors()).toContainEqual({
      file: 'gitops/infrastructure/storageclass.yaml',
      reason: expect.stringContaining('(keeping its last valid version)'),
    });
  });

  it('yields to the event loop before each file it reads', async () => {
    const source = new LocalTreeSource(fixture);
    const order: string[] = [];
    const stat = source.stat.bind(source);
    source.stat = rel => {
      order.push(`stat ${rel}`);
      return stat(rel);
    };
    const cache = new YamlDocumentCache(source);
    setImmediate(() => order.push('other work'));
    await cache.read('gitops/infrastructure/storageclass.yaml');
    expect(order).toEqual([
      'other work',
      'stat gitops/infrastructure/storageclass.yaml',
    ]);
  });

  it('never leaves the tree', async () => {
    const source = new LocalTreeSource(fixture);
    await expect(source.readText('../../package.json')).rejects.toThrow(
      /leaves the tree/,
    );
  });
});
