import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensureServingPki } from '../../controlPlane/pki';
import { isRunning, readPid, rssMiB, stopProcess } from '../../controlPlane/processes';
import { labClients } from '../../kube/client';
import { KubeRest, statusMessage } from '../../kube/rest';
import { LabPaths, labPaths } from '../../paths';
import {
  fluxArtifactAddress,
  gitopsPaths,
  gitopsPorts,
  labPortsConfigMap,
  LEGACY_VAULT,
  LoopComponent,
  loopComponents,
  OPENBAO,
  OPENBAO_TITLE,
  VAULT_CA_SECRET,
} from './components';
import { FORGE, FORGE_TITLE, forgePaths, forgeUrl, prepareForge, setupForge } from './forge';
import { formatFlux, listFlux, requestReconcile } from './flux';
import { initializeOpenbao, openbaoConfig } from './openbaoServer';
import { labSecretContracts, secretsToSeed } from './secretContracts';
import { requestText } from './tlsRequest';
import { declaredRoles, seedVault, VaultApi } from './vault';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** The CLI entry script, used to start the Git server as a detached `lab gitops git-serve`. */
export function cliScript(p: LabPaths) {
  return path.join(p.root, 'packages', 'lab', 'bin', 'cloudlab-lab');
}

/**
 * The executable a loop process runs. The Git server is `node <cli> gitops git-serve <dir> <port>`
 * under whichever node started it (another checkout's, or another version on PATH): it is known
 * by its arguments, this lab's own, and its node is read from the process.
 */
function executable(c: LoopComponent, pid: number | undefined): string {
  if (c.name !== 'git-server' || !pid) return c.bin;
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.slice(1, 1 + c.args.length).join('\0') === c.args.join('\0')
      ? argv[0]
      : c.bin;
  } catch {
    return c.bin;
  }
}

/** True when the process is alive and runs the component (for node: this lab's git-serve). */
function running(c: LoopComponent, pid: number | undefined) {
  if (!isRunning(pid, executable(c, pid))) return false;
  if (c.name !== 'git-server') return true;
  const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  return cmdline.includes('git-serve');
}

function startDetached(c: LoopComponent, p: LabPaths): number {
  fs.mkdirSync(p.pids, { recursive: true });
  fs.mkdirSync(p.logs, { recursive: true });
  const logFile = path.join(p.logs, `${c.name}.log`);
  const log = fs.openSync(logFile, 'a', 0o600);
  fs.chmodSync(logFile, 0o600); // the dev server's log names its root token
  fs.writeSync(log, `\n=== ${new Date().toISOString()} ${c.bin} ${c.args.join(' ')}\n`);
  const child = spawn(c.bin, c.args, {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, ...c.env },
    cwd: c.cwd ?? p.root,
  });
  fs.closeSync(log);
  if (!child.pid) throw new Error(`failed to start ${c.name}`);
  child.unref();
  fs.writeFileSync(path.join(p.pids, `${c.name}.pid`), `${child.pid}\n`);
  return child.pid;
}

/** Whether a health URL answers 200 (https: verified against `caFile`). */
export async function httpOk(
  url: string,
  caFile?: string,
): Promise<boolean> {
  try {
    const ca = caFile ? fs.readFileSync(caFile, 'utf8') : undefined;
    const res = await requestText(url, { ca, timeoutMs: 2000 });
    return res.status === 200;
  } catch {
    return false;
  }
}

async function waitHealthy(c: LoopComponent, p: LabPaths, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await httpOk(c.health, c.ca)) return;
    if (!running(c, readPid(p.pids, c.name)))
      throw new Error(`${c.name} exited: see ${path.join(p.logs, `${c.name}.log`)}`);
    if (Date.now() > deadline)
      throw new Error(`${c.name} not healthy after ${timeoutMs / 1000}s (${c.health})`);
    await sleep(300);
  }
}

/** Stops a dev server left running under its former pid name (see LEGACY_VAULT). */
async function stopLegacyVault(p: LabPaths): Promise<void> {
  const r = await stopProcess(p.pids, LEGACY_VAULT.name, path.join(p.bin, LEGACY_VAULT.bin));
  if (r === 'stopped') console.log(`lab gitops: stopped the former Vault dev server (${OPENBAO_TITLE} replaces it)`);
}

/** The ServiceAccount whose token the dev server uses for TokenReview (system:auth-delegator). */
const REVIEWER = { namespace: 'kube-system', name: 'cloudlab-lab-vault-reviewer' };

async function apply(rest: KubeRest, apiPath: string, obj: object) {
  const res = await rest.request(
    'PATCH',
    `${apiPath}?fieldManager=cloudlab-lab-gitops&force=true`,
    JSON.stringify(obj),
    'application/apply-patch+yaml',
  );
  if (res.status >= 300) throw new Error(`apply ${apiPath}: ${statusMessage(res)}`);
}

/**
 * Writes the CA of the lab's OpenBao as the Secret the lab's VaultConnection names, as
 * cert-manager does in the cluster (ca.crt: a certificate, no key). The namespace is the tree's;
 * applying it here only makes sure it exists before Flux has run.
 */
async function applyVaultCa(rest: KubeRest, caPem: string) {
  const ns = VAULT_CA_SECRET.namespace;
  await apply(rest, `/api/v1/namespaces/${ns}`, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  await apply(rest, `/api/v1/namespaces/${ns}/secrets/${VAULT_CA_SECRET.name}`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: VAULT_CA_SECRET.name, namespace: ns },
    type: 'Opaque',
    data: { 'ca.crt': Buffer.from(caPem).toString('base64') },
  });
}

async function reviewerJwt(rest: KubeRest): Promise<string> {
  const sa = `/api/v1/namespaces/${REVIEWER.namespace}/serviceaccounts/${REVIEWER.name}`;
  await apply(rest, sa, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: REVIEWER.name, namespace: REVIEWER.namespace },
  });
  await apply(
    rest,
    `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${REVIEWER.name}`,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: REVIEWER.name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: [{ kind: 'ServiceAccount', name: REVIEWER.name, namespace: REVIEWER.namespace }],
    },
  );
  const res = await rest.request(
    'POST',
    `${sa}/token`,
    JSON.stringify({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 86400 * 7 },
    }),
  );
  if (res.status >= 300) throw new Error(`token for the Vault reviewer: ${statusMessage(res)}`);
  return JSON.parse(res.body).status.token as string;
}

/** The dev server's root token: random, kept in a 0600 file, never printed. */
function rootToken(p: LabPaths): string {
  const g = gitopsPaths(p);
  fs.mkdirSync(g.dir, { recursive: true });
  if (!fs.existsSync(g.vaultToken))
    fs.writeFileSync(g.vaultToken, `lab-${crypto.randomBytes(18).toString('base64url')}\n`, {
      mode: 0o600,
    });
  return fs.readFileSync(g.vaultToken, 'utf8').trim();
}

/** The address of the lab's Vault API (OpenBao, TLS only). */
function labVaultAddress(): string {
  return `https://127.0.0.1:${gitopsPorts().vault}`;
}

/**
 * OpenBao's CA and serving certificate, issued once by the lab (a CA of its own, apart from the
 * cluster's), and its server configuration for this lab's port.
 */
function prepareOpenbao(p: LabPaths) {
  const g = gitopsPaths(p);
  const pki = ensureServingPki(g.vaultTls, 'cloudlab-lab-vault-ca', 'openbao');
  fs.writeFileSync(g.vaultConfig, openbaoConfig(gitopsPorts().vault, pki));
  return pki;
}

/** True when the running, initialised server answers the lab's root token with 403. */
async function refusesRootToken(p: LabPaths): Promise<boolean> {
  return (await labVault(p).request('GET', 'auth/token/lookup-self')).status === 403;
}

/** Vault API client for the lab's OpenBao, verifying its certificate (tests use it to rotate secrets). */
export function labVault(p: LabPaths = labPaths()): VaultApi {
  const ca = fs.readFileSync(path.join(gitopsPaths(p).vaultTls, 'ca.crt'), 'utf8');
  return new VaultApi(labVaultAddress(), rootToken(p), ca);
}

/** The PEM of the CA the lab's OpenBao certificate chains to (what VSO is given to verify it). */
export function labVaultCaPem(p: LabPaths = labPaths()): string {
  return fs.readFileSync(path.join(gitopsPaths(p).vaultTls, 'ca.crt'), 'utf8');
}

export interface GitopsUpOptions {
  wait?: boolean;
  timeoutMs?: number;
}

/**
 * `lab gitops up`: builds or installs (when needed) and starts the loop — Git server (scratch
 * repositories, chart hosts' stand-in), the Gitea forge (the GitOps repository, `main` set to the
 * checkout's), OpenBao server (Vault API, seeded), Flux's three controllers and VSO — against the
 * running lab, then asks Flux to reconcile now.
 */
export async function gitopsUp(opts: GitopsUpOptions = {}): Promise<void> {
  const t0 = Date.now();
  const p = labPaths();
  const g = gitopsPaths(p);
  if (!fs.existsSync(p.kubeconfig))
    throw new Error('the lab is not up: run `yarn lab up` first');
  const comps = loopComponents(p, cliScript(p));
  if (comps.some(c => c.built && !fs.existsSync(c.bin))) {
    console.log('lab gitops: building and installing the GitOps binaries (scripts/lab-gitops-build.sh)');
    const r = spawnSync('bash', [g.buildScript], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('scripts/lab-gitops-build.sh failed');
  }
  fs.mkdirSync(g.gitRoot, { recursive: true });
  fs.mkdirSync(g.fluxStorage, { recursive: true });
  prepareForge(p);
  rootToken(p);
  const vaultPki = prepareOpenbao(p);
  await stopLegacyVault(p);
  const { rest } = labClients(p.kubeconfig);
  // The ports Flux substitutes into the lab tree (also written by `lab up`; re-applied in case
  // this shell's port variables differ from the ones `lab up` saw).
  const ports = labPortsConfigMap();
  await apply(
    rest,
    `/api/v1/namespaces/flux-system/configmaps/${ports.metadata.name}`,
    ports,
  );
  for (const c of loopComponents(p, cliScript(p))) {
    const pid = readPid(p.pids, c.name);
    let started = false;
    const tStart = Date.now();
    if (!running(c, pid) || !(await httpOk(c.health, c.ca))) {
      if (running(c, pid)) await stopProcess(p.pids, c.name, c.bin);
      startDetached(c, p);
      started = true;
    }
    await waitHealthy(c, p);
    if (!started && c.name === OPENBAO && (await refusesRootToken(p))) {
      // Its token file was replaced since it started (a purge, another checkout's loop): the
      // server holds nothing but what this command seeds, so it starts again, in memory.
      console.log(`lab gitops: ${c.name} refuses the lab's root token; restarting it`);
      await stopProcess(p.pids, c.name, c.bin);
      startDetached(c, p);
      started = true;
      await waitHealthy(c, p);
    }
    console.log(`lab gitops: ${c.name} ${started ? 'started' : 'running'}`);
    if (c.name === FORGE) {
      if (started) recordForgeStart(p, tStart);
      const head = await setupForge(p, c.bin);
      console.log(
        `lab gitops: ${FORGE_TITLE} ready: users, repository, main = ${head.slice(0, 12)} (protected: pull requests only)`,
      );
    }
    if (c.name === OPENBAO) {
      const state = await initializeOpenbao(
        labVaultAddress(),
        fs.readFileSync(vaultPki.caFile, 'utf8'),
        rootToken(p),
      );
      console.log(`lab gitops: ${OPENBAO_TITLE} ${state === 'initialized' ? 'initialised and unsealed' : 'unsealed'}`);
      await applyVaultCa(rest, fs.readFileSync(vaultPki.caFile, 'utf8'));
      // The server keeps everything in memory: (re)configure it every time (idempotent).
      // The keys each VaultStaticSecret declares in the tree, so the Secrets VSO writes hold
      // exactly what their consumers read.
      const roles = declaredRoles(g.vaultRoles);
      const { contracts, objects } = await labSecretContracts(p);
      await seedVault(labVault(p), {
        kubernetesHost: fs.readFileSync(p.apiserverUrl, 'utf8').trim(),
        caPem: fs.readFileSync(p.caCert, 'utf8'),
        reviewerJwt: await reviewerJwt(rest),
        roles,
        secrets: secretsToSeed(contracts, objects, roles),
      });
      console.log(`lab gitops: ${OPENBAO_TITLE} seeded (kv v2 at kv/, kubernetes auth, roles from gitops/platform/vault, secrets from the tree's VaultStaticSecret contracts)`);
    }
  }
  fs.writeFileSync(g.vaultAddr, `${labVaultAddress()}\n`);
  fs.writeFileSync(g.fluxArtifactUrl, `${fluxArtifactAddress().url}\n`);
  fs.writeFileSync(g.forgeUrl, `${forgeUrl()}\n`);
  await requestReconcile(rest, 'GitRepository/flux-system');
  await requestReconcile(rest, 'Kustomization/flux-system');
  if (opts.wait) {
    const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
    for (;;) {
      const ks = (await listFlux(rest)).filter(s => s.kind === 'Kustomization');
      const notReady = ks.filter(s => s.ready !== 'True');
      if (ks.length && !notReady.length) break;
      if (Date.now() > deadline) {
        console.log(formatFlux(await listFlux(rest)));
        throw new Error(`Kustomizations not Ready: ${notReady.map(s => s.name).join(', ')}`);
      }
      await sleep(2000);
    }
  }
  console.log(formatFlux(await listFlux(rest)));
  console.log(`lab gitops up: ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

/** When the forge was last started and how long it took to answer healthy (`lab status`). */
export interface ForgeStart {
  startedAt: string;
  seconds: number;
}

function recordForgeStart(p: LabPaths, t0: number) {
  const rec: ForgeStart = {
    startedAt: new Date(t0).toISOString(),
    seconds: Math.round((Date.now() - t0) / 100) / 10,
  };
  fs.writeFileSync(forgePaths(p).lastStart, `${JSON.stringify(rec)}\n`);
}

/** The forge's last start, if `gitops up` recorded one. */
export function forgeStart(p: LabPaths): ForgeStart | undefined {
  try {
    return JSON.parse(fs.readFileSync(forgePaths(p).lastStart, 'utf8')) as ForgeStart;
  } catch {
    return undefined;
  }
}

/** `lab gitops down`: stops the loop's processes (reverse order); Flux objects stay. */
export async function gitopsDown(): Promise<void> {
  const p = labPaths();
  await stopLegacyVault(p);
  for (const c of [...loopComponents(p, cliScript(p))].reverse()) {
    const pid = readPid(p.pids, c.name);
    if (c.name === 'git-server' && pid && !running(c, pid)) {
      fs.rmSync(path.join(p.pids, `${c.name}.pid`), { force: true });
      console.log(`lab gitops down: ${c.name} not running`);
      continue;
    }
    console.log(
      `lab gitops down: ${c.name} ${await stopProcess(
        p.pids,
        c.name,
        executable(c, pid),
      )}`,
    );
  }
}

/** Pid, health and RSS of each loop component. */
export async function gitopsStatus(): Promise<
  Array<{ name: string; pid?: number; healthy: boolean; rssMiB?: number }>
> {
  const p = labPaths();
  const out = [];
  for (const c of loopComponents(p, cliScript(p))) {
    const pid = readPid(p.pids, c.name);
    const alive = running(c, pid);
    out.push({
      name: c.name,
      pid: alive ? pid : undefined,
      healthy: alive && (await httpOk(c.health, c.ca)),
      rssMiB: alive ? rssMiB(pid) : undefined,
    });
  }
  return out;
}
