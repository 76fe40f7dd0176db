#!/usr/bin/env node
// Aligns every @backstage/* dependency in the workspace to the newest published release.
// `backstage-cli versions:bump` needs a release-manifest host that is not reachable here, so
// this reads versions from the npm registry configured for npm itself.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const manifests = ['package.json'];
for (const dir of ['packages', 'plugins']) {
  if (!existsSync(join(root, dir))) continue;
  for (const name of readdirSync(join(root, dir))) {
    const p = join(dir, name, 'package.json');
    if (existsSync(join(root, p))) manifests.push(p);
  }
}
const latest = new Map();
const lookup = name => {
  if (!latest.has(name)) {
    const v = execFileSync('npm', ['view', name, 'version'], {
      encoding: 'utf8',
    }).trim();
    latest.set(name, v);
  }
  return latest.get(name);
};
let changed = 0;
for (const m of manifests) {
  const file = join(root, m);
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
    for (const [dep, range] of Object.entries(pkg[field] ?? {})) {
      if (!dep.startsWith('@backstage/') || range.startsWith('workspace:'))
        continue;
      const want = `^${lookup(dep)}`;
      if (range !== want && field !== 'peerDependencies') {
        pkg[field][dep] = want;
        changed++;
        console.log(`${m}: ${dep} ${range} -> ${want}`);
      }
    }
  }
  writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
}
console.log(`aligned ${changed} dependencies`);
