import { LoggerService } from '@backstage/backend-plugin-api';
import { KubeConfig } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResourceClient, WatchEvent } from '../../extensions/clusterSource';
import { TreeSnapshot } from '../GitopsTreeProvider';
import {
  FetchArtifact,
  FluxSourceTreeProvider,
} from './FluxSourceTreeProvider';
import { FluxKindRef, FluxObject } from './fluxSourceObjects';

const logger: LoggerService = {
  error: jest.fn(),
  warn: jest.fn(),
  info: jest.fn(),
  debug: jest.fn(),
  child: () => logger,
};

/**
 * One kind's list + watch, driven by the test: objects and failures are pushed in by hand and
 * reach the provider through the suite's informer, as the API server's would.
 */
class FakeResource implements ResourceClient<FluxObject> {
  readonly items = new Map<string, FluxObject>();
  private version = 1;
  private watcher?: {
    onEvent: (e: WatchEvent<FluxObject>) => void;
    onDone: (err?: unknown) => void;
  };
  /** List and watch calls: each (re)connection of the informer makes one or more. */
  starts = 0;

  async list() {
    this.starts += 1;
    return {
      items: [...this.items.values()],
      resourceVersion: String(this.version),
    };
  }
  async watch(
    _resourceVersion: string,
    onEvent: (e: WatchEvent<FluxObject>) => void,
    onDone: (err?: unknown) => void,
  ) {
    this.starts += 1;
    const w = { onEvent, onDone };
    this.watcher = w;
    return {
      stop: () => {
        if (this.watcher === w) this.watcher = undefined;
      },
    };
  }
  private emit(type: 'ADDED' | 'MODIFIED' | 'DELETED', o: FluxObject) {
    this.version += 1;
    this.watcher?.onEvent({
      type,
      object: {
        ...o,
        metadata: { ...o.metadata, resourceVersion: String(this.version) },
      },
    });
  }
  put(o: FluxObject) {
    const key = `${o.metadata!.namespace}/${o.metadata!.name}`;
    const type = this.items.has(key) ? 'MODIFIED' : 'ADDED';
    this.items.set(key, o);
    this.emit(type, o);
  }
  remove(namespace: string, name: string) {
    const o = this.items.get(`${namespace}/${name}`);
    this.items.delete(`${namespace}/${name}`);
    if (o) this.emit('DELETED', o);
  }
  /** Ends the running watch with `err`, as a failed or cut connection does. */
  fail(err: unknown) {
    const w = this.watcher;
    this.watcher = undefined;
    w?.onDone(err);
  }
}

/** The digest source-controller records for a revision the fake artifact server serves. */
const digestOf = (revision: string) =>
  `sha256:${createHash('sha256').update(revision).digest('hex')}`;

const kustomization = (
  name: string,
  sourceRef: { kind: string; name: string; namespace?: string },
): FluxObject => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { namespace: 'flux-system', name },
  spec: { sourceRef },
});

const source = (
  kind: string,
  name: string,
  revision?: string,
  ready: 'True' | 'False' = 'True',
): FluxObject => ({
  kind,
  metadata: { namespace: 'flux-system', name },
  spec: { url: `https://git.example.test/${name}.git` },
  status: {
    artifact: revision
      ? {
          url: `http://source-controller.flux-system.svc.cluster.local./${kind.toLowerCase()}/flux-system/${name}/${revision}.tar.gz`,
          revision,
          digest: digestOf(revision),
        }
      : undefined,
    conditions: [
      {
        type: 'Ready',
        status: ready,
        reason: ready === 'True' ? 'Succeeded' : 'GitOperationFailed',
        message: ready === 'True' ? 'stored artifact' : 'remote unreachable',
      },
    ],
  },
});

/** Waits until `check` passes (the provider reacts on the next turns of the event loop). */
async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise(r => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('FluxSourceTreeProvider', () => {
  let workDir: string;
  let informers: Map<string, FakeResource>;
  let fetched: Array<{ url: string; digest: string }>;
  /** Revision → file contents the fake "artifact server" serves. */
  let served: Map<string, Record<string, string>>;
  let failFetch: Set<string>;
  let seed: Map<string, FluxObject[]>;
  let provider: FluxSourceTreeProvider;

  const fetchArtifact: FetchArtifact = async ({ url, digest, targetDir }) => {
    fetched.push({ url, digest });
    const revision = [...served.keys(), ...failFetch].find(
      r => digestOf(r) === digest,
    )!;
    if (failFetch.has(revision)) throw new Error('connection refused');
    const files = served.get(revision) ?? {};
    // Where the suite's fetchArtifact puts a verified extraction.
    const dir = path.join(targetDir, digest.replace(':', '-'));
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    return {
      dir,
      digest,
      files: Object.keys(files).length,
      bytes: 1,
      skippedSymlinks: [],
    };
  };

  const inf = (kind: string) => informers.get(kind)!;

  /** A provider on `workDir` whose informers first list what `seed` holds. */
  const makeProvider = () =>
    new FluxSourceTreeProvider({
      kubeConfig: new KubeConfig(),
      workDir,
      logger,
      fetchArtifact,
      artifactBaseUrl: 'http://127.0.0.1:9790/',
      backoff: { initialMs: 10, maxMs: 40 },
      // A 403 is rechecked at this pace, not retried with backoff.
      watch: { recheckMs: 20 },
      resourceClient: (kind: FluxKindRef) => {
        const i = new FakeResource();
        for (const o of seed.get(kind.kind) ?? [])
          i.items.set(`${o.metadata!.namespace}/${o.metadata!.name}`, o);
        informers.set(kind.kind, i);
        return i;
      },
    });

  beforeEach(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-src-test-'));
    informers = new Map();
    fetched = [];
    served = new Map<string, Record<string, string>>([
      ['r1', { 'clusters/lab/apps.yaml': 'v: 1\n' }],
      ['r2', { 'clusters/lab/apps.yaml': 'v: 2\n' }],
      ['t1', { 'tenant.yaml': 'tenant: 1\n' }],
    ]);
    failFetch = new Set();
    seed = new Map();
    provider = makeProvider();
  });

  afterEach(async () => {
    await provider.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  function startWithRoot(revision = 'r1') {
    seed.set('Kustomization', [
      kustomization('flux-system', {
        kind: 'GitRepository',
        name: 'flux-system',
      }),
    ]);
    seed.set('GitRepository', [
      source('GitRepository', 'flux-system', revision),
    ]);
    return provider.current();
  }

  it('serves the root Kustomization source at its artifact revision, fetched from the configured address', async () => {
    const snap = await startWithRoot();
    expect(snap.origin).toEqual({
      kind: 'flux',
      location: 'GitRepository/flux-system/flux-system',
      revision: 'r1',
      // The source's own address, for entities to link to where their files live.
      url: 'https://git.example.test/flux-system.git',
    });
    expect(await snap.source.readText('clusters/lab/apps.yaml')).toBe('v: 1\n');
    expect(fetched).toEqual([
      {
        url: 'http://127.0.0.1:9790/gitrepository/flux-system/flux-system/r1.tar.gz',
        digest: digestOf('r1'),
      },
    ]);
  });

  it('calls listeners on a new revision only, and the new snapshot has the new tree', async () => {
    const first = await startWithRoot();
    expect(first.changes).toBeUndefined();
    const seen: TreeSnapshot[] = [];
    provider.subscribe(s => seen.push(s));
    // Same revision again (a status heartbeat): nothing fetched, nobody called.
    inf('GitRepository').put(source('GitRepository', 'flux-system', 'r1'));
    await new Promise(r => setTimeout(r, 30));
    expect(seen).toHaveLength(0);
    expect(fetched).toHaveLength(1);

    inf('GitRepository').put(source('GitRepository', 'flux-system', 'r2'));
    await until(() => seen.length === 1, 'a new snapshot');
    expect(seen[0].origin.revision).toBe('r2');
    expect(await seen[0].source.readText('clusters/lab/apps.yaml')).toBe(
      'v: 2\n',
    );
    expect((await provider.current()).origin.revision).toBe('r2');
    // It tells readers of the previous revision which files differ.
    expect(seen[0].changes).toEqual({
      since: first.source,
      paths: new Set(['clusters/lab/apps.yaml']),
    });
  });

  it('holds every source a Kustomization uses, keyed Kind/namespace/name, and drops one no longer used', async () => {
    await startWithRoot();
    inf('Kustomization').put(
      kustomization('tenant', {
        kind: 'OCIRepository',
        name: 'tenant',
        namespace: 'flux-system',
      }),
    );
    inf('OCIRepository').put(source('OCIRepository', 'tenant', 't1'));
    await until(() => provider.sources().size === 2, 'two sources');
    const tenant = provider.sources().get('OCIRepository/flux-system/tenant')!;
    expect(await tenant.source.readText('tenant.yaml')).toBe('tenant: 1\n');

    inf('Kustomization').remove('flux-system', 'tenant');
    await until(() => provider.sources().size === 1, 'one source');
    expect([...provider.sources().keys()]).toEqual([
      'GitRepository/flux-system/flux-system',
    ]);
  });

  it('keeps an error per source (no artifact, not Ready, missing, failed fetch) without dropping the others', async () => {
    await startWithRoot();
    inf('Kustomization').put(
      kustomization('a', { kind: 'Bucket', name: 'empty' }),
    );
    inf('Bucket').put(source('Bucket', 'empty', undefined, 'False'));
    inf('Kustomization').put(
      kustomization('b', { kind: 'ExternalArtifact', name: 'gone' }),
    );
    inf('Kustomization').put(
      kustomization('c', { kind: 'HelmChart', name: 'x' }),
    );
    failFetch.add('t1');
    inf('Kustomization').put(
      kustomization('d', { kind: 'OCIRepository', name: 'broken' }),
    );
    inf('OCIRepository').put(source('OCIRepository', 'broken', 't1'));
    await until(() => provider.errors().length === 4, 'four errors');
    const errors = Object.fromEntries(
      provider.errors().map(e => [e.source, e.reason]),
    );
    expect(errors['Bucket/flux-system/empty']).toMatch(
      /no artifact yet; not Ready \(GitOperationFailed: remote unreachable\)/,
    );
    expect(errors['ExternalArtifact/flux-system/gone']).toBe(
      'not found (used by Kustomization flux-system/b)',
    );
    expect(errors['HelmChart/flux-system/x']).toMatch(
      /unsupported sourceRef kind HelmChart/,
    );
    expect(errors['OCIRepository/flux-system/broken']).toMatch(
      /fetching the artifact at t1 failed: connection refused/,
    );
    expect([...provider.sources().keys()]).toEqual([
      'GitRepository/flux-system/flux-system',
    ]);

    // The failed fetch is retried with backoff and recovers on its own.
    failFetch.delete('t1');
    await until(
      () => provider.sources().has('OCIRepository/flux-system/broken'),
      'the retried fetch',
    );
    expect(provider.errors().map(e => e.source)).not.toContain(
      'OCIRepository/flux-system/broken',
    );
  });

  it('keeps serving the last artifact of a source that is not Ready, and says so', async () => {
    await startWithRoot();
    inf('GitRepository').put(
      source('GitRepository', 'flux-system', 'r1', 'False'),
    );
    await until(() => provider.errors().length === 1, 'the error');
    expect(provider.errors()[0]).toEqual({
      source: 'GitRepository/flux-system/flux-system',
      reason:
        'not Ready (GitOperationFailed: remote unreachable); serving revision r1',
    });
    expect((await provider.current()).origin.revision).toBe('r1');
  });

  it('rejects current() naming the root Kustomization when it does not exist', async () => {
    await expect(provider.current()).rejects.toThrow(
      'Flux Kustomization flux-system/flux-system: no such Kustomization in the cluster',
    );
  });

  it('rejects current() with the artifact error of the root source', async () => {
    failFetch.add('r1');
    await expect(startWithRoot()).rejects.toThrow(
      /GitRepository\/flux-system\/flux-system: fetching the artifact at r1 failed: connection refused/,
    );
  });

  it('refuses an artifact whose digest is not the one Flux recorded', async () => {
    const fetchWrong: FetchArtifact = async o => ({
      ...(await fetchArtifact(o)),
      digest: digestOf('other'),
    });
    (provider as any).options.fetchArtifact = fetchWrong;
    await expect(startWithRoot()).rejects.toThrow(
      `digest ${digestOf(
        'other',
      )} of the fetched artifact is not the ${digestOf('r1')} Flux recorded`,
    );
  });

  it('reconnects a failed watch with backoff and reports it meanwhile', async () => {
    await startWithRoot();
    const ea = inf('ExternalArtifact');
    ea.fail(Object.assign(new Error('forbidden'), { statusCode: 403 }));
    expect(provider.errors()).toEqual([
      {
        source: 'ExternalArtifact (watch)',
        reason: expect.stringMatching(
          /cannot list or watch \/apis\/source.toolkit.fluxcd.io\/v1\/externalartifacts: HTTP 403: forbidden/,
        ),
      },
    ]);
    const starts = ea.starts;
    await until(() => ea.starts > starts, 'a restart');
    await until(() => provider.errors().length === 0, 'the error cleared');
  });

  it('removes the extracted trees it no longer needs, keeping the one just replaced', async () => {
    await startWithRoot();
    const dirs = () =>
      fs
        .readdirSync(path.join(workDir, 'flux-sources'))
        .flatMap(d => fs.readdirSync(path.join(workDir, 'flux-sources', d)));
    const seen: TreeSnapshot[] = [];
    provider.subscribe(s => seen.push(s));
    served.set('r3', { 'clusters/lab/apps.yaml': 'v: 3\n' });
    inf('GitRepository').put(source('GitRepository', 'flux-system', 'r2'));
    await until(() => seen.length === 1, 'r2');
    inf('GitRepository').put(source('GitRepository', 'flux-system', 'r3'));
    await until(() => seen.length === 2, 'r3');
    await until(() => dirs().length === 2, 'r1 removed');
    // r2's folder (just replaced) is still readable.
    expect(await seen[0].source.readText('clusters/lab/apps.yaml')).toBe(
      'v: 2\n',
    );
  });

  it('reads a revision already on disk without downloading it: one kept, and after a restart', async () => {
    await startWithRoot();
    const seen: TreeSnapshot[] = [];
    provider.subscribe(s => seen.push(s));
    inf('GitRepository').put(source('GitRepository', 'flux-system', 'r2'));
    await until(() => seen.length === 1, 'r2');
    // Flux goes back to r1 (a revert, a rollback): still on disk, nothing downloaded.
    inf('GitRepository').put(source('GitRepository', 'flux-system', 'r1'));
    await until(() => seen.length === 2, 'r1 again');
    expect(fetched.map(f => f.digest)).toEqual([
      digestOf('r1'),
      digestOf('r2'),
    ]);
    expect(await seen[1].source.readText('clusters/lab/apps.yaml')).toBe(
      'v: 1\n',
    );
    await provider.close();

    // A new provider on the same folder (the backend restarted) reads r1 from disk.
    fetched = [];
    provider = makeProvider();
    const snap = await provider.current();
    expect(snap.origin.revision).toBe('r1');
    expect(await snap.source.readText('clusters/lab/apps.yaml')).toBe('v: 1\n');
    expect(fetched).toEqual([]);
  });

  it('removes the extractions of a source no longer used', async () => {
    await startWithRoot();
    inf('Kustomization').put(
      kustomization('tenant', { kind: 'OCIRepository', name: 'tenant' }),
    );
    inf('OCIRepository').put(source('OCIRepository', 'tenant', 't1'));
    await until(() => provider.sources().size === 2, 'two sources');
    const tenantDir = provider
      .sources()
      .get('OCIRepository/flux-system/tenant')!.source.localRoot!;
    expect(fs.existsSync(tenantDir)).toBe(true);
    inf('Kustomization').remove('flux-system', 'tenant');
    await until(() => !fs.existsSync(tenantDir), 'the tenant folder removed');
  });
});
