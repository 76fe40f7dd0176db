import path from 'node:path';
import { byName, TreeDirEntry, TreeEntryStat, TreeSource } from './TreeSource';

/**
 * One copy rule of an ArtifactGenerator artifact (`source.extensions.fluxcd.io/v1beta1`).
 *
 * @public
 */
export interface ArtifactCopyRule {
  /** `@alias/pattern`: a file, a directory, or a glob (`*`, `**`) inside the aliased source. */
  from: string;
  /** `@artifact/path`: a file, or a directory when it ends with `/`. */
  to: string;
  exclude?: string[];
  /** `Overwrite` (default); `Merge` and `Extract` change file content and are not followed. */
  strategy?: string;
}

/**
 * The part of an ArtifactGenerator's spec that decides which files each ExternalArtifact holds.
 *
 * @public
 */
export interface ArtifactGeneratorSpec {
  sources: Array<{
    alias: string;
    kind: string;
    name: string;
    namespace?: string;
  }>;
  artifacts: Array<{ name: string; copy: ArtifactCopyRule[] }>;
}

/**
 * An ExternalArtifact as the generator would produce it: a view of the source files it copies.
 *
 * @public
 */
export interface GeneratedArtifact {
  name: string;
  tree: ArtifactTreeSource;
}

/**
 * A virtual tree: artifact paths mapped to files of other tree sources. Reads go to the source
 * file, so a parse cache keyed by size and modification time still reuses unchanged files.
 *
 * @public
 */
export class ArtifactTreeSource implements TreeSource {
  private readonly dirs = new Map<string, Map<string, TreeDirEntry>>();

  constructor(
    readonly description: string,
    /** Artifact path → where its content comes from. */
    readonly files: ReadonlyMap<string, { source: TreeSource; path: string }>,
    /** The ArtifactGenerator (`namespace/name`) and the ExternalArtifact it makes of these files. */
    readonly generatedBy?: { generator: string; artifact: string },
  ) {
    this.dirs.set('.', new Map());
    for (const file of files.keys()) {
      const parts = file.split('/');
      for (let i = 0; i < parts.length; i++) {
        const parent = i === 0 ? '.' : parts.slice(0, i).join('/');
        if (!this.dirs.has(parent)) this.dirs.set(parent, new Map());
        const last = i === parts.length - 1;
        this.dirs.get(parent)!.set(parts[i], {
          name: parts[i],
          kind: last ? 'file' : 'directory',
        });
      }
    }
  }

  private key(relPath: string): string {
    const p = path.posix.normalize(relPath.replace(/^\.\//, ''));
    if (p.startsWith('..') || path.posix.isAbsolute(p)) {
      throw new Error(`path ${relPath} leaves the tree ${this.description}`);
    }
    return p.replace(/\/$/, '') || '.';
  }

  async stat(relPath: string): Promise<TreeEntryStat | undefined> {
    const k = this.key(relPath);
    const file = this.files.get(k);
    if (file) return file.source.stat(file.path);
    return this.dirs.has(k)
      ? { kind: 'directory', size: 0, mtimeMs: 0 }
      : undefined;
  }

  async list(relDir: string): Promise<TreeDirEntry[]> {
    const entries = this.dirs.get(this.key(relDir));
    if (!entries)
      throw new Error(`no directory ${relDir} in ${this.description}`);
    return [...entries.values()].sort((a, b) => byName(a.name, b.name));
  }

  async readText(relPath: string): Promise<string> {
    const file = this.files.get(this.key(relPath));
    if (!file) throw new Error(`no file ${relPath} in ${this.description}`);
    return file.source.readText(file.path);
  }

  /**
   * The file a path of this view was copied from, through views of views (a generator copying
   * from another generator's artifact) down to a source that is not a view; `undefined` for a
   * path the view does not hold.
   */
  copiedFrom(
    relPath: string,
  ): { source: TreeSource; path: string } | undefined {
    const file = this.files.get(this.key(relPath));
    if (!file) return undefined;
    return file.source instanceof ArtifactTreeSource
      ? file.source.copiedFrom(file.path)
      : file;
  }
}

const GLOB_CHARS = /[*?[]/;

/**
 * A glob as a regular expression over `/`-separated paths: `**` spans directories, `*` does not.
 *
 * @public
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slashAfter = glob[i + 2] === '/';
      // `**/` also matches no directory at all; a trailing `**` matches everything below.
      re += slashAfter ? '(?:.*/)?' : '.*';
      i += slashAfter ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

async function listFiles(source: TreeSource, dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for (const e of await source.list(rel)) {
      const child = rel === '.' ? e.name : `${rel}/${e.name}`;
      if (e.kind === 'directory') await walk(child);
      else out.push(child);
    }
  };
  await walk(dir);
  return out;
}

function excluded(rel: string, patterns: RegExp[]): boolean {
  const base = rel.split('/').pop()!;
  return patterns.some(p => p.test(rel) || p.test(base));
}

/**
 * Where one copy rule puts which source files, as Flux documents it (`cp`-like): a file goes to
 * `to`, or into it when `to` ends with `/`; a directory (`dir` or `dir/`) is copied as a
 * subdirectory of `to`; a glob copies what it matches, keeping each file's path below the glob's
 * directory part (`dir/**` therefore copies the directory's content, not the directory). An
 * `exclude` pattern without `/` matches a file name at any depth, else the path below that
 * directory part.
 */
async function expandRule(
  source: TreeSource,
  pattern: string,
  to: string,
  exclude: RegExp[],
): Promise<Array<{ from: string; to: string }>> {
  const toDir = to.endsWith('/') || to === '';
  const target = (rel: string) => path.posix.join(to, rel);
  const clean = pattern.replace(/^\/+/, '');
  if (!GLOB_CHARS.test(clean)) {
    const p = clean.replace(/\/+$/, '') || '.';
    const stat = await source.stat(p);
    if (!stat) return [];
    if (stat.kind === 'file') {
      return excluded(path.posix.basename(p), exclude)
        ? []
        : [{ from: p, to: toDir ? target(path.posix.basename(p)) : to }];
    }
    const name = p === '.' ? '' : path.posix.basename(p);
    return (await listFiles(source, p))
      .map(f => ({ f, rel: p === '.' ? f : f.slice(p.length + 1) }))
      .filter(({ rel }) => !excluded(rel, exclude))
      .map(({ f, rel }) => ({
        from: f,
        to: target(path.posix.join(name, rel)),
      }));
  }
  const segments = clean.split('/');
  const firstGlob = segments.findIndex(s => GLOB_CHARS.test(s));
  const base = segments.slice(0, firstGlob).join('/') || '.';
  const matcher = globToRegExp(clean);
  if ((await source.stat(base))?.kind !== 'directory') return [];
  return (await listFiles(source, base))
    .filter(f => matcher.test(f))
    .map(f => ({ f, rel: base === '.' ? f : f.slice(base.length + 1) }))
    .filter(({ rel }) => !excluded(rel, exclude))
    .map(({ f, rel }) => ({ from: f, to: target(rel) }));
}

/**
 * Resolves an ArtifactGenerator's copy rules into one virtual tree per ExternalArtifact, without
 * running source-watcher: rules run in order and a later copy to the same path wins. A rule that
 * names an unknown alias, writes outside `@artifact/`, copies nothing, or uses a strategy that
 * changes file content is an error naming the artifact and the rule; the artifact keeps the
 * files the other rules copied.
 *
 * @public
 */
export async function resolveArtifactGenerator(
  generator: string,
  spec: ArtifactGeneratorSpec,
  sources: ReadonlyMap<string, TreeSource>,
): Promise<{ artifacts: GeneratedArtifact[]; errors: string[] }> {
  const errors: string[] = [];
  const artifacts: GeneratedArtifact[] = [];
  for (const artifact of spec.artifacts) {
    const files = new Map<string, { source: TreeSource; path: string }>();
    for (const [i, rule] of artifact.copy.entries()) {
      const where = `ArtifactGenerator ${generator}, artifact ${artifact.name}, copy[${i}]`;
      const from = /^@([A-Za-z0-9_-]+)\/?(.*)$/.exec(rule.from ?? '');
      const to = /^@artifact(?:\/(.*))?$/.exec(rule.to ?? '');
      if (!from) {
        errors.push(`${where}: from ${rule.from} is not @alias/path`);
        continue;
      }
      if (!to) {
        errors.push(`${where}: to ${rule.to} does not start with @artifact/`);
        continue;
      }
      const toPath = to[1] ?? '';
      const normalized = path.posix.normalize(toPath || '.');
      if (normalized.startsWith('..') || path.posix.isAbsolute(toPath)) {
        errors.push(`${where}: to ${rule.to} leaves the artifact`);
        continue;
      }
      if (rule.strategy && rule.strategy !== 'Overwrite') {
        errors.push(
          `${where}: strategy ${rule.strategy} changes file content and is not followed (files copied as Overwrite)`,
        );
      }
      const source = sources.get(from[1]);
      if (!source) {
        errors.push(`${where}: no source with alias ${from[1]} is available`);
        continue;
      }
      const copies = await expandRule(
        source,
        from[2],
        toPath === '' ? '' : toPath,
        (rule.exclude ?? []).map(globToRegExp),
      );
      if (copies.length === 0) {
        errors.push(`${where}: ${rule.from} matches no file`);
      }
      for (const c of copies) {
        files.set(path.posix.normalize(c.to), { source, path: c.from });
      }
    }
    artifacts.push({
      name: artifact.name,
      tree: new ArtifactTreeSource(
        `ExternalArtifact ${artifact.name} (ArtifactGenerator ${generator})`,
        files,
        { generator, artifact: artifact.name },
      ),
    });
  }
  return { artifacts, errors };
}
