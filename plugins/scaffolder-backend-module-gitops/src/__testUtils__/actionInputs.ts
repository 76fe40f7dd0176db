import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActions } from '../actions';
import { GitopsConfig } from '../config';
import { CRD_PATH, mockContext, REPO_ROOT, REPOSITORY_TREE } from './workspace';

/** Inputs, configs and workspaces for the action tests (containment, inputs are data, examples). */

const tmp = () => fs.realpathSync(os.tmpdir());

/** A small local repository (cloudlab.gitops.localRepository) holding the tree on `main`. */
export function makeLocalRepository(): string {
  const repository = fs.mkdtempSync(path.join(tmp(), 'cloudlab-test-repo-'));
  for (const sub of REPOSITORY_TREE) {
    fs.cpSync(path.join(REPO_ROOT, sub), path.join(repository, sub), {
      recursive: true,
    });
  }
  const git = (...a: string[]) =>
    execFileSync('git', a, {
      cwd: repository,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@cloudlab.invalid',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@cloudlab.invalid',
      },
    });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'tree');
  return repository;
}

/** Config publishing to `repository`; the validator binary path is a placeholder (tests mock it). */
export const testConfig = (repository: string): GitopsConfig => ({
  publish: 'local',
  defaultBranch: 'main',
  sourceTree: REPO_ROOT,
  localRepository: repository,
  crdPath: CRD_PATH,
  validatorPath: path.join(tmp(), 'no-such-gitops-validate'),
  validatorTimeoutSeconds: 60,
});

/** Every action, publishing to `repository` (see `testConfig`). */
export const testActions = (repository: string) =>
  createActions(testConfig(repository));

/** The workload `notes` every prepared workspace holds (the actions of BASE extend it). */
export const PREPARE = {
  name: 'notes',
  providers: ['hetzner', 'scaleway'],
  image: 'ghcr.io/cloudlab/notes:2.1.0',
  port: 3000,
};

/** A fresh workspace: a copy of `from` (default: the repository's REPOSITORY_TREE and a docs/). */
export function copyTree(from?: string): string {
  const dir = fs.mkdtempSync(path.join(tmp(), 'cloudlab-ws-'));
  if (from) {
    fs.cpSync(from, dir, { recursive: true });
    return dir;
  }
  for (const sub of REPOSITORY_TREE) {
    fs.cpSync(path.join(REPO_ROOT, sub), path.join(dir, sub), {
      recursive: true,
    });
  }
  fs.mkdirSync(path.join(dir, 'docs'));
  fs.writeFileSync(path.join(dir, 'docs', 'index.md'), '# docs\n');
  return dir;
}

/** A valid input per action over the committed tree (every optional string field set). */
export const BASE: Record<string, Record<string, unknown>> = {
  'cloudlab:gitops:checkout': {},
  'cloudlab:workload:create': {
    name: 'webapp',
    providers: ['hetzner', 'scaleway'],
    image: 'ghcr.io/cloudlab/notes:2.1.0',
    port: 3000,
    storage: { size: '10Gi', mountPath: '/data' },
  },
  'cloudlab:vault-secret:create': {
    workload: 'pihole',
    secretName: 'extra',
    keys: ['password'],
    mount: 'kv',
    refreshAfter: '1h',
  },
  'cloudlab:tailscale:expose': {
    workload: 'pihole',
    service: 'pihole-web',
    hostname: 'dns-admin',
  },
  'cloudlab:flux-kustomization:create': {
    workload: 'notes',
    clusters: ['lab'],
    interval: '10m0s',
    timeout: '5m0s',
  },
  'cloudlab:catalog-entry:create': {
    workload: 'notes',
    owner: 'group:default/platform-team',
    description: 'Pi-hole',
    system: 'platform',
  },
  'cloudlab:provider:create': {
    name: 'ovhcloud',
    displayName: 'OVHcloud',
    regions: [
      { name: 'eu-west-gra', country: 'FR', eu: true, zones: ['gra-a'] },
    ],
    csiDriver: 'cinder.csi.openstack.org',
    topologyKey: 'topology.cinder.csi.openstack.org/zone',
    topologyLevel: 'zone',
    minVolumeSize: '1Gi',
    classes: [{ name: 'csi-cinder-high-speed' }],
  },
  'cloudlab:gitops:validate': {},
  'cloudlab:git:commit': {
    message: 'change',
    branch: 'cloudlab/change',
    author: 'Cloudlab',
  },
};

/** [path, value] of every string leaf of an input (nested objects and arrays too). */
export function stringLeaves(
  v: unknown,
  at: (string | number)[] = [],
): [(string | number)[], string][] {
  if (typeof v === 'string') return [[at, v]];
  if (Array.isArray(v)) return v.flatMap((x, i) => stringLeaves(x, [...at, i]));
  if (v && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => stringLeaves(x, [...at, k]));
  return [];
}
export function setAt(v: any, at: (string | number)[], value: unknown): any {
  if (at.length === 0) return value;
  const copy = Array.isArray(v) ? [...v] : { ...v };
  copy[at[0]] = setAt(v[at[0]], at.slice(1), value);
  return copy;
}

/** A workspace holding the tree and the workload PREPARE, to copy for each run. */
export async function prepareTree(repository: string): Promise<string> {
  const dir = copyTree();
  await testActions(repository)
    .find(a => a.id === 'cloudlab:workload:create')!
    .handler(mockContext(dir, PREPARE).ctx);
  return dir;
}
