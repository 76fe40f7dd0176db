import fs from 'node:fs';
import path from 'node:path';

/**
 * Finds the repository root: the nearest ancestor of the working directory holding `providers/`
 * and `lab/` (`yarn workspace` runs commands in packages/lab), or `CLOUDLAB_ROOT`.
 */
export function findRepoRoot(start: string = process.cwd()): string {
  if (process.env.CLOUDLAB_ROOT) return path.resolve(process.env.CLOUDLAB_ROOT);
  let dir = path.resolve(start);
  for (;;) {
    if (
      fs.existsSync(path.join(dir, 'providers')) &&
      fs.existsSync(path.join(dir, 'lab'))
    ) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(
        `cannot find the Cloudlab repository root above ${start}`,
      );
    }
    dir = parent;
  }
}

/** Every file the lab reads or writes, in one place. */
export interface LabPaths {
  root: string;
  providersDir: string;
  inventory: string;
  kwokDir: string;
  gitopsCluster: string;
  crdsDir: string;
  fetchCrdsScript: string;
  buildScript: string;
  state: string;
  bin: string;
  pki: string;
  logs: string;
  pids: string;
  etcdData: string;
  kubeconfig: string;
  caCert: string;
  portalToken: string;
  /** Token of the portal's Flux operator identity (GitOps actions). */
  portalOperatorToken: string;
  apiserverUrl: string;
  upTimes: string;
  /** The API server's audit log (JSON lines, see AUDIT_POLICY). */
  auditLog: string;
}

/**
 * Resolves the lab's paths; `.cache/lab` is git-ignored state. `CLOUDLAB_CACHE` (scripts/env.sh
 * sets it to this checkout's `.cache` unless it is set) moves the state, so that another worktree's
 * code can drive the lab of the checkout that runs it.
 */
export function labPaths(root: string = findRepoRoot()): LabPaths {
  const state = path.join(
    process.env.CLOUDLAB_CACHE
      ? path.resolve(process.env.CLOUDLAB_CACHE)
      : path.join(root, '.cache'),
    'lab',
  );
  return {
    root,
    providersDir: path.join(root, 'providers'),
    inventory: process.env.CLOUDLAB_LAB_INVENTORY
      ? path.resolve(process.env.CLOUDLAB_LAB_INVENTORY)
      : path.join(root, 'lab', 'inventory', 'default.yaml'),
    kwokDir: path.join(root, 'lab', 'kwok'),
    gitopsCluster: path.join(root, 'gitops', 'clusters', 'lab'),
    crdsDir: path.join(root, '.cache', 'crds'),
    fetchCrdsScript: path.join(root, 'scripts', 'fetch-crds.sh'),
    buildScript: path.join(root, 'scripts', 'lab-build.sh'),
    state,
    bin: path.join(state, 'bin'),
    pki: path.join(state, 'pki'),
    logs: path.join(state, 'logs'),
    pids: path.join(state, 'pids'),
    etcdData: path.join(state, 'etcd-data'),
    kubeconfig: path.join(state, 'kubeconfig'),
    caCert: path.join(state, 'ca.crt'),
    portalToken: path.join(state, 'portal-token'),
    portalOperatorToken: path.join(state, 'portal-operator-token'),
    apiserverUrl: path.join(state, 'apiserver-url'),
    upTimes: path.join(state, 'up-times.json'),
    auditLog: path.join(state, 'logs', 'audit.log'),
  };
}
