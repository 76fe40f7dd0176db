import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  ClusterCache,
  ClusterConfig,
  InformerOptions,
  connectCluster,
  kubeConfigFor,
} from '@cloudlab/plugin-multi-provider-backend/internal';
import { loadProviderRegistry } from '@cloudlab/plugin-multi-provider-node';
import { LabPaths } from '../../paths';

const silent = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => silent,
};

/** The lab cluster as the kubernetes plugin configures it: URL, CA, the portal's token. */
export function labClusterConfig(
  paths: LabPaths,
  overrides: Partial<ClusterConfig> = {},
): ClusterConfig {
  return {
    name: 'lab',
    url: fs.readFileSync(paths.apiserverUrl, 'utf8').trim(),
    serviceAccountToken: fs.readFileSync(paths.portalToken, 'utf8').trim(),
    caData: fs.readFileSync(paths.caCert).toString('base64'),
    skipTLSVerify: false,
    ...overrides,
  };
}

/** The backend's cache for one configured cluster, with test timing (fast reconnects). */
export function backendCache(
  cluster: ClusterConfig,
  options: Partial<InformerOptions> = {},
) {
  const cache = new ClusterCache(
    connectCluster(cluster.name, kubeConfigFor(cluster)),
    silent,
    // A restarted API server answers 403 until its RBAC caches fill: recheck soon in tests.
    {
      backoffMs: 200,
      maxBackoffMs: 2000,
      requestTimeoutMs: 10_000,
      recheckMs: 5000,
      ...options,
    },
  );
  cache.start();
  return cache;
}

/** The provider registry the backend loads. */
export function backendRegistry(paths: LabPaths) {
  return loadProviderRegistry(path.join(paths.root, 'providers'));
}

/**
 * A loopback TCP proxy to the API server that can be cut (every connection dropped, new ones
 * refused) and reopened on the same port: a network partition between backend and cluster.
 */
export async function partitionableProxy(target: URL) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer(client => {
        const upstream = net.connect(Number(target.port), target.hostname);
        sockets.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  await listen();
  const close = () =>
    new Promise<void>(resolve => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!server) {
        resolve();
        return;
      }
      server.close(() => resolve());
      server = undefined;
    });
  return {
    url: () => `https://127.0.0.1:${port}`,
    cut: close,
    reopen: listen,
    close,
  };
}

/** Compacts etcd's history up to its current revision (through etcd's JSON gateway). */
export async function compactEtcd(etcdPort: number): Promise<number> {
  const base = `http://127.0.0.1:${etcdPort}/v3`;
  const range = await fetch(`${base}/kv/range`, {
    method: 'POST',
    body: JSON.stringify({ key: Buffer.from('/').toString('base64') }),
  });
  const revision = Number(
    ((await range.json()) as { header: { revision: string } }).header.revision,
  );
  const compact = await fetch(`${base}/kv/compaction`, {
    method: 'POST',
    body: JSON.stringify({ revision: String(revision), physical: true }),
  });
  if (!compact.ok) {
    throw new Error(
      `etcd compaction failed: HTTP ${compact.status} ${await compact.text()}`,
    );
  }
  return revision;
}
