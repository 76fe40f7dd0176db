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

/** A source over `root` that records the files whose text it reads. */
function recordingReads(root: string) {
  const source = new LocalTreeSource(root);
  const reads: string[] = [];
  const readText = source.readText.bind(source);
  source.readText = rel => {
    reads.push(rel);
    return readText(rel);
  };
  return { source, reads };
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
    const { source, reads } = recordingReads(root);
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

  it('lets the event loop run while it reads many files', async () => {
    const source = new LocalTreeSource(fixture);
    const stat = source.stat.bind(source);
    // Every look at a file holds the thread for a while, as a large tree's parse would.
    source.stat = rel => {
      const until = performance.now() + 6;
      while (performance.now() < until);
      return stat(rel);
    };
    const cache = new YamlDocumentCache(source, { parsePool: false });
    cache.begin();
    const files = await cache.listYaml('gitops');
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    await cache.readMany(files);
    ticking = false;
    expect(files.length).toBeGreaterThan(5);
    expect(turns).toBeGreaterThan(2);
  });

  it('re-reads only what changed, and builds what a fresh read of the same tree builds', async () => {
    const root = copyFixture();
    const write = (rel: string, text: string) =>
      fs.writeFileSync(path.join(root, rel), text);
    const fresh = async () => {
      const cache = new YamlDocumentCache(new LocalTreeSource(root));
      cache.begin();
      return { model: await readFluxTree(cache, 'gitops'), cache };
    };
    const sorted = (errors: Array<{ file: string; reason: string }>) =>
      [...errors].sort((a, b) =>
        `${a.file}${a.reason}`.localeCompare(`${b.file}${b.reason}`),
      );
    const cache = new YamlDocumentCache(new LocalTreeSource(root));
    cache.begin();
    await readFluxTree(cache, 'gitops');
    const edits: Array<() => string[]> = [
      // A ConfigMap a Kustomization substitutes from appears in another file.
      () => {
        write(
          'gitops/clusters/demo/cluster-values.yaml',
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-values\n  namespace: flux-system\ndata:\n  region: eu\n',
        );
        return ['gitops/clusters/demo/cluster-values.yaml'];
      },
      // A file one Kustomization applies changes.
      () => {
        const file = 'gitops/infrastructure/storageclass.yaml';
        const text = fs.readFileSync(path.join(root, file), 'utf8');
        write(file, text.replace('csi.alpha.example', 'csi.beta.example'));
        return [file];
      },
      // The ConfigMap goes away again.
      () => {
        fs.rmSync(path.join(root, 'gitops/clusters/demo/cluster-values.yaml'));
        return ['gitops/clusters/demo/cluster-values.yaml'];
      },
    ];
    for (const edit of edits) {
      const changed = edit();
      cache.begin(changed);
      const model = await readFluxTree(cache, 'gitops');
      const expected = await fresh();
      expect(model).toEqual(expected.model);
      expect(sorted(cache.fileErrors())).toEqual(
        sorted(expected.cache.fileErrors()),
      );
      expect(cache.fingerprint()).toEqual(expected.cache.fingerprint());
    }
    const storage = (await fresh()).model.clusters[0].kustomizations.find(
      k => k.name === 'infrastructure',
    );
    expect(storage?.storageClasses[0].provisioner).toBe('csi.beta.example');
  });

  it('reuses a Kustomization read only while the reads it made answer the same', async () => {
    const root = copyFixture();
    const { source, reads } = recordingReads(root);
    const cache = new YamlDocumentCache(source);
    cache.begin();
    const first = await readFluxTree(cache, 'gitops');
    const file = 'gitops/infrastructure/storageclass.yaml';
    fs.appendFileSync(path.join(root, file), '# a comment\n');
    reads.length = 0;
    cache.begin([file]);
    const second = await readFluxTree(cache, 'gitops');
    // Only the changed file was read again; its documents are the same, so is the model.
    expect(reads).toEqual([file]);
    expect(second).toEqual(first);
  });

  it('never leaves the tree', async () => {
    const source = new LocalTreeSource(fixture);
    await expect(source.readText('../../package.json')).rejects.toThrow(
      /leaves the tree/,
    );
  });
});
