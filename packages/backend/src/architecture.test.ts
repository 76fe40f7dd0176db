import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';

// The package graph of docs/architecture/index.md ("Packages and what each may import"), checked
// against both what each package declares and what its source actually imports: hoisting lets a
// package import a workspace package it never declared, so the manifest alone proves nothing.
const root = path.resolve(__dirname, '../../..');

const COMMON = '@cloudlab/plugin-multi-provider-common';
const NODE = '@cloudlab/plugin-multi-provider-node';

/** Workspace packages each package's shipped source may import (tests and dev tooling excepted). */
const allowed: Record<string, string[]> = {
  'plugins/multi-provider-common': [],
  'plugins/multi-provider-node': [COMMON],
  'plugins/multi-provider-backend': [COMMON, NODE],
  'plugins/multi-provider': [COMMON],
  'plugins/catalog-backend-module-flux': [COMMON, NODE],
  'plugins/scaffolder-backend-module-gitops': [COMMON, NODE],
  'plugins/scaffolder-frontend-module-cloudlab': [COMMON],
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(d => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) {
      return d.name === 'node_modules' || d.name.startsWith('__')
        ? []
        : sourceFiles(p);
    }
    return /\.tsx?$/.test(d.name) && !/\.test\.tsx?$/.test(d.name) ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [
    ...text.matchAll(/(?:from|import|require\()\s*['"]([^'"]+)['"]/g),
  ];
  return specs.map(m => m[1]);
}

const workspacePackage = (spec: string) =>
  /^@(internal|cloudlab)\//.test(spec)
    ? spec.split('/').slice(0, 2).join('/')
    : undefined;

describe('package graph (docs/architecture)', () => {
  it('knows every plugin package', () => {
    const plugins = fs
      .readdirSync(path.join(root, 'plugins'), { withFileTypes: true })
      .filter(d => d.isDirectory())
      .map(d => `plugins/${d.name}`);
    expect(plugins.sort()).toEqual(Object.keys(allowed).sort());
  });

  it.each(Object.entries(allowed))(
    '%s imports only the workspace packages it may, and declares them',
    (dir, may) => {
      const manifest = JSON.parse(
        fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8'),
      );
      const declared = Object.keys(manifest.dependencies ?? {}).filter(d =>
        workspacePackage(d),
      );
      expect(declared.filter(d => !may.includes(d))).toEqual([]);
      const offending = sourceFiles(path.join(root, dir, 'src')).flatMap(f =>
        importsOf(f)
          .filter(spec => {
            const pkg = workspacePackage(spec);
            if (pkg) return !may.includes(pkg) || !declared.includes(pkg);
            // A relative import that leaves the package reaches another package's internals.
            return (
              spec.startsWith('.') &&
              !path
                .resolve(path.dirname(f), spec)
                .startsWith(path.join(root, dir) + path.sep)
            );
          })
          .map(spec => `${path.relative(root, f)}: ${spec}`),
      );
      expect(offending).toEqual([]);
    },
  );

  it('-common stays pure: its shipped source imports no Node built-in', () => {
    const builtins = new Set(
      builtinModules.flatMap(m => [m, `node:${m}`, m.split('/')[0]]),
    );
    const offending = sourceFiles(
      path.join(root, 'plugins/multi-provider-common/src'),
    ).flatMap(f =>
      importsOf(f)
        .filter(spec => builtins.has(spec) || builtins.has(spec.split('/')[0]))
        .map(spec => `${path.relative(root, f)}: ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it('no shipped package depends on the bench or lab tooling', () => {
    const tooling = ['@internal/cloudlab-bench', '@cloudlab/lab'];
    const offending = Object.keys(allowed).filter(dir => {
      const manifest = JSON.parse(
        fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8'),
      );
      return Object.keys(manifest.dependencies ?? {}).some(d =>
        tooling.includes(d),
      );
    });
    expect(offending).toEqual([]);
  });
});
