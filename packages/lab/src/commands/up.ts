import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import {
  apiserverUrl,
  componentSpecs,
  COMPONENTS,
  KUBECONFIG_USERS,
} from '../controlPlane/components';
import { ensurePki, writeKubeconfig } from '../controlPlane/pki';
import { isRunning, readPid, startDetached } from '../controlPlane/processes';
import { KubeObject, parseObjects } from '@cloudlab/plugin-multi-provider-node';
import { labPortsConfigMap } from '../gitops/loop/components';
import { renderLabTree } from '../gitops/renderLabTree';
import { csiNodeObject, expandNodes, nodeObject } from '../inventory/nodes';
import {
  applyOrder,
  createIfMissing,
  serverSideApply,
  ApplyReport,
} from '../kube/apply';
import { apiMessage, labClients, LabClients, statusCode } from '../kube/client';
import { waitFor } from '../kube/http';
import { healthCheck, LabContext, labContext } from '../lab';
import { LabPaths } from '../paths';
import {
  persistentVolumeObject,
  planVolumePool,
  PV_POOL_LABEL,
} from '../storage/pvPool';
import { waitForWorkloads } from './workloads';

/** The portal's ServiceAccount, defined in gitops/ (platform RBAC). */
export const PORTAL_SA = {
  namespace: 'cloudlab-portal',
  name: 'cloudlab-portal',
};
/** The portal's optional write identity (patch on Flux kinds only), defined beside it. */
export const PORTAL_OPERATOR_SA = {
  namespace: 'cloudlab-portal',
  name: 'cloudlab-portal-flux-operator',
};
/** A year: the lab's portal token outlives any lab session. */
const PORTAL_TOKEN_SECONDS = 365 * 24 * 3600;

const log = (msg: string) => console.log(`lab up: ${msg}`);
const seconds = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)}s`;

function ensureBinaries(p: LabPaths) {
  const specs = componentSpecs(p);
  const missing = COMPONENTS.filter(c => !fs.existsSync(specs[c].bin));
  if (missing.length === 0) return;
  log(`binaries missing (${missing.join(', ')}): running scripts/lab-build.sh`);
  execFileSync(p.buildScript, [], { stdio: 'inherit' });
}

async function startControlPlane(p: LabPaths) {
  ensurePki(p.pki);
  fs.copyFileSync(path.join(p.pki, 'ca.crt'), p.caCert);
  writeKubeconfig(p.kubeconfig, apiserverUrl(), p.pki, 'admin');
  for (const user of KUBECONFIG_USERS) {
    writeKubeconfig(
      path.join(p.state, `${user}.kubeconfig`),
      apiserverUrl(),
      p.pki,
      user,
    );
  }
  fs.writeFileSync(p.apiserverUrl, `${apiserverUrl()}\n`);
  const specs = componentSpecs(p);
  for (const c of COMPONENTS) {
    const t0 = Date.now();
    const check = healthCheck(p, c);
    if (isRunning(readPid(p.pids, c), specs[c].bin)) {
      await waitFor(`${c} health`, check, 60_000);
      log(`${c} already running`);
      continue;
    }
    const pid = startDetached(specs[c], p.pids, p.logs);
    try {
      await waitFor(
        `${c} to become healthy`,
        async () => {
          if (!isRunning(pid, specs[c].bin)) {
            throw new Error(
              `${c} exited; see ${path.join(p.logs, `${c}.log`)}`,
            );
          }
          return check();
        },
        120_000,
      );
    } catch (err) {
      throw new Error(
        `${(err as Error).message} (log: ${path.join(p.logs, `${c}.log`)})`,
      );
    }
    log(`${c} started (pid ${pid}) in ${seconds(t0)}`);
  }
}

/** Reads every CRD under .cache/crds (fetched by scripts/fetch-crds.sh when it exists). */
function readCrds(p: LabPaths): KubeObject[] {
  if (!fs.existsSync(p.crdsDir) && fs.existsSync(p.fetchCrdsScript)) {
    log('fetching CRDs with scripts/fetch-crds.sh');
    execFileSync(p.fetchCrdsScript, [], { stdio: 'inherit', cwd: p.root });
  }
  if (!fs.existsSync(p.crdsDir)) {
    log(
      'no .cache/crds and no scripts/fetch-crds.sh: custom resources of the tree will be skipped',
    );
    return [];
  }
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const f = path.join(dir, e.name);
      if (e.isDirectory()) walk(f);
      else if (/\.ya?ml$/.test(e.name)) files.push(f);
    }
  };
  walk(p.crdsDir);
  return files
    .sort()
    .flatMap(f => parseObjects(fs.readFileSync(f, 'utf8')))
    .filter(o => o.kind === 'CustomResourceDefinition');
}

async function installCrds(ctx: LabContext, clients: LabClients) {
  const t0 = Date.now();
  const crds = readCrds(ctx.paths);
  if (crds.length === 0) return;
  const report = await serverSideApply(clients.rest, crds);
  printReport('CRDs', report);
  const ext = clients.kc.makeApiClient(k8s.ApiextensionsV1Api);
  await waitFor(
    'CRDs to be Established',
    async () => {
      const list = await ext.listCustomResourceDefinition();
      const names = new Set(crds.map(c => c.metadata.name));
      return list.items
        .filter(c => names.has(c.metadata!.name!))
        .every(c =>
          c.status?.conditions?.some(
            x => x.type === 'Established' && x.status === 'True',
          ),
        );
    },
    120_000,
  );
  clients.rest.resetDiscovery();
  log(`${crds.length} CRDs established in ${seconds(t0)}`);
}

function printReport(what: string, r: ApplyReport) {
  log(
    `${what}: ${r.applied} applied${
      r.skippedUnknownKind.length
        ? `, ${r.skippedUnknownKind.length} skipped (kind not served: no CRD)`
        : ''
    }${r.failed.length ? `, ${r.failed.length} FAILED` : ''}`,
  );
  for (const s of r.skippedUnknownKind) log(`  skipped ${s}`);
  for (const f of r.failed) log(`  FAILED ${f.object}: ${f.message}`);
}

/**
 * Plays the CSI provisioner's part for released pool volumes: a Released volume whose reclaim
 * policy is Delete is deleted (the provider would delete the disk), and the pool re-creates it.
 * Retained volumes stay Released, as in production.
 */
async function reclaimReleasedVolumes(clients: LabClients) {
  const pvs = (
    await clients.core.listPersistentVolume({
      labelSelector: `${PV_POOL_LABEL}=true`,
    })
  ).items;
  const released = pvs.filter(
    pv =>
      pv.status?.phase === 'Released' &&
      pv.spec?.persistentVolumeReclaimPolicy === 'Delete',
  );
  for (const pv of released)
    await clients.core.deletePersistentVolume({ name: pv.metadata!.name! });
  if (released.length > 0) {
    await waitFor(
      'released volumes to be deleted',
      async () => {
        const names = new Set(
          (
            await clients.core.listPersistentVolume({
              labelSelector: `${PV_POOL_LABEL}=true`,
            })
          ).items.map(p => p.metadata!.name!),
        );
        return released.every(pv => !names.has(pv.metadata!.name!));
      },
      60_000,
    );
    log(
      `reclaimed ${released.length} released pool volumes (reclaim policy Delete)`,
    );
  }
}

async function createNodesAndVolumes(ctx: LabContext, clients: LabClients) {
  const nodes = expandNodes(ctx.inventory.spec.nodePools, ctx.providers);
  let created = 0;
  for (const n of nodes) {
    if (
      (await createIfMissing(clients.rest, nodeObject(n) as KubeObject)) ===
      'created'
    )
      created++;
    // What the kubelet registers when the provider's CSI node plugin runs on the node.
    await createIfMissing(
      clients.rest,
      csiNodeObject(n, ctx.providers) as KubeObject,
    );
  }
  log(
    `${nodes.length} nodes (with their CSINodes) from ${path.relative(
      ctx.paths.root,
      ctx.paths.inventory,
    )} (${created} created)`,
  );
  await reclaimReleasedVolumes(clients);
  const volumes = planVolumePool(
    nodes,
    ctx.providers,
    ctx.inventory.spec.volumePool,
  );
  let pvCreated = 0;
  for (const v of volumes) {
    if (
      (await createIfMissing(
        clients.rest,
        persistentVolumeObject(v) as KubeObject,
      )) === 'created'
    )
      pvCreated++;
  }
  log(`${volumes.length} pool volumes (${pvCreated} created)`);
}

async function applyGitops(
  ctx: LabContext,
  clients: LabClients,
): Promise<KubeObject[]> {
  const p = ctx.paths;
  if (!fs.existsSync(p.gitopsCluster)) {
    log(`${p.gitopsCluster} does not exist yet: nothing to apply`);
    return [];
  }
  // This lab's loopback ports, as Flux substitutes them (postBuild.substituteFrom) once it runs.
  const ports = labPortsConfigMap();
  const tree = await renderLabTree(p.root, p.gitopsCluster, {
    [ports.metadata.name]: ports.data,
  });
  printReport(
    'cluster gitops/clusters/lab',
    await serverSideApply(
      clients.rest,
      applyOrder([...tree.clusterObjects, ports]),
    ),
  );
  const all: KubeObject[] = [];
  let failed = 0;
  for (const layer of tree.layers) {
    // Discovery again per layer: it must see CRDs installed by earlier layers.
    clients.rest.resetDiscovery();
    const report = await serverSideApply(
      clients.rest,
      applyOrder(layer.objects),
    );
    printReport(
      `${layer.kustomization.name} (${layer.kustomization.path})`,
      report,
    );
    failed += report.failed.length;
    all.push(...layer.objects);
  }
  if (failed > 0)
    log(`${failed} objects of the tree were rejected (see FAILED above)`);
  return all;
}

async function writePortalToken(
  ctx: LabContext,
  clients: LabClients,
  sa: { namespace: string; name: string } = PORTAL_SA,
  file: string = ctx.paths.portalToken,
) {
  const p = ctx.paths;
  try {
    const res = await clients.core.createNamespacedServiceAccountToken({
      name: sa.name,
      namespace: sa.namespace,
      body: {
        spec: { audiences: [], expirationSeconds: PORTAL_TOKEN_SECONDS },
      },
    });
    fs.writeFileSync(file, `${res.status!.token}`, { mode: 0o600 });
    log(
      `portal token for ${sa.namespace}/${sa.name} -> ${path.relative(
        p.root,
        file,
      )} (CA: ${path.relative(p.root, p.caCert)})`,
    );
  } catch (err) {
    if (statusCode(err) === 404) {
      log(
        `ServiceAccount ${sa.namespace}/${sa.name} is not in the gitops tree yet: no token written`,
      );
      return;
    }
    throw new Error(`portal token: ${apiMessage(err)}`);
  }
}

/** `lab up`: starts (or checks) the control plane and converges nodes, volumes, CRDs and gitops/. */
export async function up(options: { wait?: boolean } = {}): Promise<void> {
  const t0 = Date.now();
  const ctx = await labContext();
  const p = ctx.paths;
  fs.mkdirSync(p.state, { recursive: true });
  ensureBinaries(p);
  await startControlPlane(p);
  const clients = labClients(p.kubeconfig);
  await waitFor('the default namespace', async () => {
    try {
      await clients.core.readNamespace({ name: 'default' });
      return true;
    } catch {
      return false;
    }
  });
  await createNodesAndVolumes(ctx, clients);
  await installCrds(ctx, clients);
  const objects = await applyGitops(ctx, clients);
  await writePortalToken(ctx, clients);
  await writePortalToken(
    ctx,
    clients,
    PORTAL_OPERATOR_SA,
    p.portalOperatorToken,
  );
  const controlPlaneSeconds = (Date.now() - t0) / 1000;
  if (options.wait !== false) {
    const res = await waitForWorkloads(clients, objects, 300_000);
    log(`workloads: ${res.summary}`);
  }
  const total = (Date.now() - t0) / 1000;
  fs.writeFileSync(
    p.upTimes,
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        controlPlaneAndApplySeconds: controlPlaneSeconds,
        toWorkloadsRunningSeconds: total,
      },
      null,
      2,
    )}\n`,
  );
  log(
    `ready in ${total.toFixed(1)}s. KUBECONFIG=${path.relative(
      p.root,
      p.kubeconfig,
    )}`,
  );
}
