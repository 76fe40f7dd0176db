import fs from 'node:fs';
import path from 'node:path';
import {
  componentSpecs,
  Component,
  COMPONENTS,
  PORTS,
} from './controlPlane/components';
import { isRunning, readPid, rssMiB } from './controlPlane/processes';
import { Inventory, loadInventory } from './inventory/inventory';
import { healthy } from './kube/http';
import { LabPaths, labPaths } from './paths';
import { loadProviders, Provider } from './registry/labProviders';

/** Everything a command needs: paths, the provider registry and the inventory. */
export interface LabContext {
  paths: LabPaths;
  providers: Provider[];
  inventory: Inventory;
}

/** Loads the registry and the inventory (validated against it). */
export async function labContext(): Promise<LabContext> {
  const paths = labPaths();
  const providers = await loadProviders(paths.providersDir);
  const inventory = loadInventory(paths.inventory, providers);
  return { paths, providers, inventory };
}

/** The health endpoint of each component. */
export function healthCheck(p: LabPaths, c: Component): () => Promise<boolean> {
  const adminTls = {
    ca: path.join(p.pki, 'ca.crt'),
    cert: path.join(p.pki, 'admin.crt'),
    key: path.join(p.pki, 'admin.key'),
  };
  switch (c) {
    case 'etcd':
      return () => healthy(`http://127.0.0.1:${PORTS.etcdClient}/health`);
    case 'kube-apiserver':
      return () =>
        healthy(`https://127.0.0.1:${PORTS.apiserver}/readyz`, adminTls);
    case 'kube-controller-manager':
      return () =>
        healthy(`https://127.0.0.1:${PORTS.controllerManager}/healthz`, {
          insecure: true,
        });
    case 'kube-scheduler':
      return () =>
        healthy(`https://127.0.0.1:${PORTS.scheduler}/healthz`, {
          insecure: true,
        });
    default:
      return async () => isRunning(readPid(p.pids, c), path.join(p.bin, c));
  }
}

/** Process and health state of every component. */
export async function componentStates(p: LabPaths) {
  fs.mkdirSync(p.state, { recursive: true });
  const specs = componentSpecs(p);
  return Promise.all(
    COMPONENTS.map(async c => {
      const pid = readPid(p.pids, c);
      const running = isRunning(pid, specs[c].bin);
      return {
        component: c,
        pid: running ? pid : undefined,
        running,
        healthy: running ? await healthCheck(p, c)() : false,
        rssMiB: running ? rssMiB(pid) : undefined,
      };
    }),
  );
}
