import fc from 'fast-check';
import {
  ArtifactGeneratorSpec,
  ArtifactTreeSource,
  globToRegExp,
  resolveArtifactGenerator,
} from './artifactGenerator';
import { TreeDirEntry, TreeSource } from './TreeSource';

/** An in-memory tree: path → content. */
function memoryTree(name: string, files: Record<string, string>): TreeSource {
  const has = (dir: string) =>
    dir === '.' || Object.keys(files).some(f => f.startsWith(`${dir}/`));
  return {
    description: name,
    async stat(rel) {
      const p = rel.replace(/\/$/, '') || '.';
      if (p in files)
        return { kind: 'file', size: files[p].length, mtimeMs: 1 };
      return has(p) ? { kind: 'directory', size: 0, mtimeMs: 0 } : undefined;
    },
    async list(rel) {
      const prefix = rel === '.' ? '' : `${rel}/`;
      const out = new Map<string, TreeDirEntry>();
      for (const f of Object.keys(files).filter(k => k.startsWith(prefix))) {
        const [head, ...rest] = f.slice(prefix.length).split('/');
        out.set(head, { name: head, kind: rest.length ? 'directory' : 'file' });
      }
      return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    },
    async readText(rel) {
      if (!(rel in files)) throw new Error(`no ${rel}`);
      return files[rel];
    },
  };
}

async function allFiles(tree: ArtifactTreeSource): Promise<string[]> {
  return [...tree.files.keys()].sort();
}

// Sources shaped after the examples in Flux's ArtifactGenerator documentation.
const backend = memoryTree('backend', {
  'deploy/deployment.yaml': 'a',
  'deploy/service.yaml': 'b',
  'deploy/charts/sub/chart.yaml': 'c',
  'README.md': 'd',
});
const frontend = memoryTree('frontend', {
  'deploy/web/deployment.yaml': 'e',
  'deploy/web/notes.txt': 'f',
  'deploy/ingress.yaml': 'g',
  'manifests/service.yaml': 'h',
});
const config = memoryTree('config', {
  'envs/prod/configmap.yaml': 'i',
  'envs/dev/configmap.yaml': 'j',
  'configs/a.yaml': 'k',
  'configs/doc.md': 'l',
  'configs/sub/b.yaml': 'm',
  'configs/testdata/t.yaml': 'n',
});
const sources = new Map([
  ['backend', backend],
  ['frontend', frontend],
  ['config', config],
]);

const generate = (copy: ArtifactGeneratorSpec['artifacts'][0]['copy']) =>
  resolveArtifactGenerator(
    'apps/my-app',
    {
      sources: [...sources.keys()].map(alias => ({
        alias,
        kind: 'GitRepository',
        name: alias,
      })),
      artifacts: [{ name: 'out', copy }],
    },
    sources,
  );

describe('resolveArtifactGenerator', () => {
  it('composes several sources as in the documented composition example', async () => {
    const { artifacts, errors } = await generate([
      { from: '@backend/deploy/**', to: '@artifact/my-app/backend/' },
      { from: '@frontend/deploy/**/*.yaml', to: '@artifact/my-app/frontend/' },
      {
        from: '@config/envs/prod/configmap.yaml',
        to: '@artifact/my-app/env.yaml',
      },
    ]);
    expect(errors).toEqual([]);
    expect(await allFiles(artifacts[0].tree)).toEqual([
      'my-app/backend/charts/sub/chart.yaml',
      'my-app/backend/deployment.yaml',
      'my-app/backend/service.yaml',
      'my-app/env.yaml',
      'my-app/frontend/ingress.yaml',
      'my-app/frontend/web/deployment.yaml',
    ]);
    expect(await artifacts[0].tree.readText('my-app/env.yaml')).toBe('i');
  });

  it('copies a file to a path, a file into a directory, and a single-level glob', async () => {
    const { artifacts } = await generate([
      {
        from: '@config/envs/prod/configmap.yaml',
        to: '@artifact/apps/app.yaml',
      },
      { from: '@config/envs/dev/configmap.yaml', to: '@artifact/dev/' },
      { from: '@config/configs/*.yaml', to: '@artifact/flat/' },
    ]);
    expect(await allFiles(artifacts[0].tree)).toEqual([
      'apps/app.yaml',
      'dev/configmap.yaml',
      'flat/a.yaml',
    ]);
  });

  it('copies `dir/` as a subdirectory and `dir/**` as its content, with excludes', async () => {
    const { artifacts } = await generate([
      { from: '@config/configs/', to: '@artifact/apps/' },
      {
        from: '@config/configs/**',
        to: '@artifact/content/',
        exclude: ['*.md', '**/testdata/**'],
      },
    ]);
    expect(await allFiles(artifacts[0].tree)).toEqual([
      'apps/configs/a.yaml',
      'apps/configs/doc.md',
      'apps/configs/sub/b.yaml',
      'apps/configs/testdata/t.yaml',
      'content/a.yaml',
      'content/sub/b.yaml',
    ]);
  });

  it('lets a later copy to the same path win (Overwrite)', async () => {
    const { artifacts } = await generate([
      { from: '@config/envs/prod/configmap.yaml', to: '@artifact/values.yaml' },
      { from: '@config/envs/dev/configmap.yaml', to: '@artifact/values.yaml' },
    ]);
    expect(await artifacts[0].tree.readText('values.yaml')).toBe('j');
  });

  it('splits one source into several artifacts (decomposition)', async () => {
    const { artifacts } = await resolveArtifactGenerator(
      'apps/split',
      {
        sources: [{ alias: 'repo', kind: 'GitRepository', name: 'mono' }],
        artifacts: [
          {
            name: 'web',
            copy: [{ from: '@repo/deploy/web/**', to: '@artifact/' }],
          },
          {
            name: 'edge',
            copy: [{ from: '@repo/deploy/*.yaml', to: '@artifact/' }],
          },
        ],
      },
      new Map([['repo', frontend]]),
    );
    expect(
      await Promise.all(
        artifacts.map(async a => [a.name, await allFiles(a.tree)]),
      ),
    ).toEqual([
      ['web', ['deployment.yaml', 'notes.txt']],
      ['edge', ['ingress.yaml']],
    ]);
    expect(await artifacts[0].tree.list('.')).toEqual([
      { name: 'deployment.yaml', kind: 'file' },
      { name: 'notes.txt', kind: 'file' },
    ]);
  });

  it('reports rules it cannot follow by artifact and rule, and keeps the other copies', async () => {
    const { artifacts, errors } = await generate([
      { from: '@nowhere/x.yaml', to: '@artifact/' },
      { from: '@config/envs/prod/configmap.yaml', to: 'artifact/x.yaml' },
      { from: '@config/envs/prod/configmap.yaml', to: '@artifact/../x.yaml' },
      { from: '@config/missing/**', to: '@artifact/' },
      {
        from: '@config/envs/prod/configmap.yaml',
        to: '@artifact/v.yaml',
        strategy: 'Merge',
      },
    ]);
    expect(errors).toEqual([
      'ArtifactGenerator apps/my-app, artifact out, copy[0]: no source with alias nowhere is available',
      'ArtifactGenerator apps/my-app, artifact out, copy[1]: to artifact/x.yaml does not start with @artifact/',
      'ArtifactGenerator apps/my-app, artifact out, copy[2]: to @artifact/../x.yaml leaves the artifact',
      'ArtifactGenerator apps/my-app, artifact out, copy[3]: @config/missing/** matches no file',
      'ArtifactGenerator apps/my-app, artifact out, copy[4]: strategy Merge changes file content and is not followed (files copied as Overwrite)',
    ]);
    expect(await allFiles(artifacts[0].tree)).toEqual(['v.yaml']);
  });

  it('never lets a path leave the artifact view', async () => {
    const { artifacts } = await generate([
      { from: '@config/configs/**', to: '@artifact/' },
    ]);
    await expect(artifacts[0].tree.readText('../x')).rejects.toThrow(
      /leaves the tree/,
    );
  });
});

describe('globToRegExp', () => {
  const segment = fc.stringMatching(/^[a-z0-9_.-]{1,8}$/);
  const paths = fc.array(segment, { minLength: 1, maxLength: 5 });

  it('`**` matches any path below its directory, `*` never crosses a slash', () => {
    fc.assert(
      fc.property(segment, paths, (dir, rest) => {
        const file = [dir, ...rest].join('/');
        expect(globToRegExp(`${dir}/**`).test(file)).toBe(true);
        expect(globToRegExp(`${dir}/*`).test(file)).toBe(rest.length === 1);
      }),
    );
  });

  it('a pattern without glob characters matches only itself', () => {
    fc.assert(
      fc.property(paths, paths, (a, b) => {
        expect(globToRegExp(a.join('/')).test(b.join('/'))).toBe(
          a.join('/') === b.join('/'),
        );
      }),
    );
  });
});
