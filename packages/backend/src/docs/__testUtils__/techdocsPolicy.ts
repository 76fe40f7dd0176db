import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/**
 * The top-level mkdocs keys Cloudlab uses; a subset of what Backstage's TechDocs keeps when it
 * sanitizes an mkdocs configuration (`sanitizeMkdocsYml` in @backstage/plugin-techdocs-node, which
 * the test also runs). Anything else — `hooks`, `INHERIT`, `extra_javascript`, `theme.custom_dir`… —
 * can run code or pull files into the build.
 */
export const ALLOWED_MKDOCS_KEYS = [
  'site_name',
  'site_description',
  'site_url',
  'repo_url',
  'repo_name',
  'edit_uri',
  'docs_dir',
  'nav',
  'plugins',
  'validation',
  'theme',
  'copyright',
] as const;

/**
 * Theme settings the handbook may set: TechDocs forces the material theme, and `custom_dir` or
 * template overrides would let the docs inject markup and scripts into the portal.
 */
export const ALLOWED_THEME_KEYS = [
  'name',
  'font',
  'palette',
  'features',
] as const;

/** The only mkdocs plugin the handbook builds with. */
export const ALLOWED_MKDOCS_PLUGINS = ['techdocs-core'] as const;

const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  '.cache',
  '.yarn',
  'dist',
  'dist-types',
  'site',
  'e2e-artifacts',
]);

/** Every mkdocs configuration file under `root` (build output and caches skipped). */
export function findMkdocsConfigs(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) walk(path.join(dir, entry.name));
      } else if (/^mkdocs\.ya?ml$/.test(entry.name)) {
        found.push(path.join(dir, entry.name));
      }
    }
  };
  walk(root);
  return found.sort();
}

function pluginName(p: unknown): string {
  if (typeof p === 'string') return p;
  if (p && typeof p === 'object') return Object.keys(p)[0];
  return String(p);
}

/** Files and directories under `dir` that are symbolic links (none may exist in a docs tree). */
function symlinksUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) out.push(full);
    else if (entry.isDirectory()) out.push(...symlinksUnder(full));
  }
  return out;
}

/**
 * What is wrong with one mkdocs configuration, in words naming the file and the rule; empty when
 * it holds only keys TechDocs allows, no `hooks` or `INHERIT`, only the techdocs-core plugin, no
 * YAML tags (`!ENV`, `!!python/…`), and a docs directory inside the configuration's directory
 * that holds no symbolic links — so the handbook is built from this repository's files only.
 */
export function mkdocsFindings(configPath: string, repoRoot: string): string[] {
  const rel = path.relative(repoRoot, configPath);
  const text = fs.readFileSync(configPath, 'utf8');
  const findings: string[] = [];
  const doc = YAML.parseDocument(text);
  if (doc.errors.length) {
    return [`${rel}: does not parse: ${doc.errors[0].message}`];
  }
  YAML.visit(doc, {
    Node(_key, node) {
      if (node.tag)
        findings.push(`${rel}: YAML tag ${node.tag} is not allowed`);
    },
  });
  const config = doc.toJS() as Record<string, unknown> | null;
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    return [...findings, `${rel}: is not a mapping`];
  }
  for (const key of Object.keys(config)) {
    if (key === 'hooks' || key === 'INHERIT') {
      findings.push(`${rel}: ${key} is not allowed (runs or pulls in code)`);
    } else if (!(ALLOWED_MKDOCS_KEYS as readonly string[]).includes(key)) {
      findings.push(`${rel}: key ${key} is not in the allowed keys`);
    }
  }
  const theme = config.theme;
  if (theme !== undefined) {
    if (!theme || typeof theme !== 'object' || Array.isArray(theme)) {
      findings.push(`${rel}: theme must be a mapping with name material`);
    } else {
      const t = theme as Record<string, unknown>;
      if (t.name !== 'material') {
        findings.push(`${rel}: theme ${String(t.name)} is not material`);
      }
      for (const key of Object.keys(t)) {
        if (!(ALLOWED_THEME_KEYS as readonly string[]).includes(key)) {
          findings.push(`${rel}: theme key ${key} is not allowed`);
        }
      }
    }
  }
  const plugins = config.plugins;
  if (!Array.isArray(plugins)) {
    findings.push(`${rel}: plugins must be a list holding techdocs-core`);
  } else {
    for (const p of plugins.map(pluginName)) {
      if (!(ALLOWED_MKDOCS_PLUGINS as readonly string[]).includes(p)) {
        findings.push(`${rel}: plugin ${p} is not allowed`);
      }
    }
    if (!plugins.map(pluginName).includes('techdocs-core')) {
      findings.push(`${rel}: plugin techdocs-core is missing`);
    }
  }
  const base = path.dirname(configPath);
  const docsDir = path.resolve(base, String(config.docs_dir ?? 'docs'));
  const inside = path.relative(base, docsDir);
  if (inside.startsWith('..') || path.isAbsolute(inside)) {
    findings.push(
      `${rel}: docs_dir ${config.docs_dir} leaves ${
        path.relative(repoRoot, base) || '.'
      }`,
    );
  } else if (!fs.existsSync(docsDir)) {
    findings.push(
      `${rel}: docs_dir ${config.docs_dir ?? 'docs'} does not exist`,
    );
  } else {
    for (const link of symlinksUnder(docsDir)) {
      findings.push(
        `${rel}: ${path.relative(repoRoot, link)} is a symbolic link`,
      );
    }
  }
  return findings;
}
