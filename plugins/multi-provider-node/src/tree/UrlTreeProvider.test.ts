import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterConnection } from '../extensions/clusterSource';
import { FluxSourceTreeProvider } from './flux';
import { UrlReaders } from '@backstage/backend-defaults/urlReader';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// The stand-in GitLab of the scaffolder module's tests, reused rather than copied: it answers
// the project, commit and archive requests Backstage's GitLab URL reader makes. A package
// dependency would be a cycle (the scaffolder module depends on this package), so test code
// reaches it by path.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import {
  GITLAB_PROJECT,
  startFakeGitlab,
} from '../../../scaffolder-backend-module-gitops/src/__testUtils__/fakeGitlab';
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import {
  forgeRepository,
  ForgeRepository,
  ForgeServer,
} from '../../../scaffolder-backend-module-gitops/src/__testUtils__/forgeRepository';
import { createGitopsTreeProvider } from './createGitopsTreeProvider';
import type { TreeSnapshot } from './GitopsTreeProvider';
import { UrlTreeProvider } from './UrlTreeProvider';

jest.setTimeout(60_000);

const APPS = 'gitops/clusters/lab/apps.yaml';

let gitlab: ForgeServer;
let files: Map<string, Buffer>;
let sha: string;
let workDir: string;
const logger = mockServices.logger.mock();

beforeAll(async () => {
  const base = forgeRepository();
  files = base.files;
  // The branch moves when a test sets `sha`; the archive serves the files as they are now.
  const repository: ForgeRepository = {
    files,
    get commitSha() {
      return sha;
    },
    tarball: prefix => base.tarball(prefix),
  };
  gitlab = await startFakeGitlab({ repository, defaultBranch: 'main' });
});
afterAll(() => gitlab?.close());

beforeEach(() => {
  jest.resetAllMocks();
  sha = 'a'.repeat(40);
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'url-tree-'));
});
afterEach(() => fs.rmSync(workDir, { recursive: true, force: true }));

const integrations = () => ({
  gitlab: [
    {
      host: gitlab.host,
      apiBaseUrl: `${gitlab.origin}/api/v4`,
      baseUrl: gitlab.origin,
      token: 'test-token',
    },
  ],
});
const target = () => `${gitlab.origin}/${GITLAB_PROJECT}/-/tree/main`;

function provider(): UrlTreeProvider {
  const config = new ConfigReader({ integrations: integrations() });
  return new UrlTreeProvider({
    target: target(),
    urlReader: UrlReaders.default({ config, logger }),
    logger,
    workDir,
    refresh: { minutes: 3 },
  });
}

const archiveRequests = () =>
  gitlab.requests.filter(r => r.path.endsWith('/repository/archive')).length;

describe('UrlTreeProvider through Backstage’s GitLab URL reader', () => {
  it('reads the branch into a local tree at the commit the host reports', async () => {
    const tree = provider();
    const snapshot = await tree.current();
    expect(snapshot.origin).toEqual({
      kind: 'url',
      location: target(),
      revision: sha,
    });
    expect(await snapshot.source.readText(APPS)).toBe(
      files.get(APPS)!.toString('utf8'),
    );
    expect(snapshot.source.localRoot!.startsWith(workDir)).toBe(true);
    // A second call is the same snapshot, not a second download.
    const before = archiveRequests();
    expect(await tree.current()).toBe(snapshot);
    expect(archiveRequests()).toBe(before);
    await tree.stop();
    expect(fs.readdirSync(workDir)).toEqual([]);
  });

  it('yields no new snapshot while the commit is unchanged (the ETag is sent)', async () => {
    const tree = provider();
    const first = await tree.current();
    const listener = jest.fn();
    tree.subscribe(listener);
    const before = archiveRequests();
    expect(await tree.refresh()).toBeUndefined();
    expect(archiveRequests()).toBe(before);
    expect(listener).not.toHaveBeenCalled();
    expect(await tree.current()).toBe(first);
    await tree.stop();
  });

  it('calls listeners once with the new revision, and keeps only two revisions on disk', async () => {
    const tree = provider();
    const first = await tree.current();
    const seen: TreeSnapshot[] = [];
    const unsubscribe = tree.subscribe(s => seen.push(s));
    const original = files.get(APPS)!;
    try {
      files.set(APPS, Buffer.from(`${original}\n# changed\n`));
      sha = 'b'.repeat(40);
      const second = await tree.refresh();
      expect(seen).toEqual([second]);
      expect(second!.origin.revision).toBe(sha);
      expect(await second!.source.readText(APPS)).toMatch(/# changed/);
      expect(first.changes).toBeUndefined();
      expect(second!.changes).toEqual({
        since: first.source,
        paths: new Set([APPS]),
      });
      // The previous revision stays readable for a reader still walking it.
      expect(await first.source.readText(APPS)).not.toMatch(/# changed/);
      sha = 'c'.repeat(40);
      const third = await tree.refresh();
      expect(third!.changes?.paths).toEqual(new Set());
      expect(seen).toHaveLength(2);
      expect(fs.readdirSync(workDir)).toHaveLength(2);
      expect(fs.existsSync(first.source.localRoot!)).toBe(false);
      unsubscribe();
      sha = 'd'.repeat(40);
      await tree.refresh();
      expect(seen).toHaveLength(2);
    } finally {
      files.set(APPS, original);
      await tree.stop();
    }
  });

  it('keeps the last good snapshot when a read fails, and reports it', async () => {
    const config = new ConfigReader({ integrations: integrations() });
    const reader = UrlReaders.default({ config, logger });
    let fail = false;
    const tree = new UrlTreeProvider({
      target: target(),
      urlReader: {
        ...reader,
        readUrl: reader.readUrl.bind(reader),
        search: reader.search.bind(reader),
        readTree: (url, options) =>
          fail
            ? Promise.reject(new Error('connect ECONNREFUSED'))
            : reader.readTree(url, options),
      },
      logger,
      workDir,
      refresh: { minutes: 3 },
    });
    const good = await tree.current();
    const listener = jest.fn();
    tree.subscribe(listener);
    fail = true;
    sha = 'e'.repeat(40);
    expect(await tree.refresh()).toBeUndefined();
    expect(await tree.current()).toBe(good);
    expect(listener).not.toHaveBeenCalled();
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringMatching(
        new RegExp(
          `tree URL .*: read failed, keeping revision ${'a'.repeat(
            40,
          )}: .*ECONNREFUSED`,
        ),
      ),
    );
    fail = false;
    expect((await tree.refresh())?.origin.revision).toBe(sha);
    expect(listener).toHaveBeenCalledTimes(1);
    await tree.stop();
  });

  it('rejects the first read with the source named when the host has no such repository', async () => {
    const config = new ConfigReader({ integrations: integrations() });
    const tree = new UrlTreeProvider({
      target: `${gitlab.origin}/nobody/nothing/-/tree/main`,
      urlReader: UrlReaders.default({ config, logger }),
      logger,
      workDir,
      refresh: { minutes: 3 },
    });
    await expect(tree.current()).rejects.toThrow(
      /^tree URL .*nobody\/nothing.*: could not be read: /,
    );
  });
});

describe('createGitopsTreeProvider', () => {
  const config = (gitopsTree: object) =>
    new ConfigReader({
      integrations: integrations(),
      cloudlab: { gitopsTree },
    });

  it('builds a url provider that checks the configured paths at the first read', async () => {
    const make = (fluxPath: string) => {
      const c = config({ url: { target: target() }, fluxPath });
      return createGitopsTreeProvider({
        config: c,
        logger,
        workDir,
        urlReader: UrlReaders.default({ config: c, logger }),
      });
    };
    const good = make('gitops');
    expect(good).toBeInstanceOf(UrlTreeProvider);
    expect((await good.current()).origin.kind).toBe('url');
    await good.stop?.();
    await expect(make('flux').current()).rejects.toThrow(
      /^cloudlab\.gitopsTree\.fluxPath: flux is not a folder of /,
    );
  });

  it('names the key when the flux kind cannot be served', () => {
    expect(() =>
      createGitopsTreeProvider({
        config: config({ flux: { cluster: 'prod' } }),
        logger,
        workDir,
        kube: { getClusters: () => [] },
      }),
    ).toThrow('cloudlab.gitopsTree.flux.cluster: no cluster prod');
    expect(() =>
      createGitopsTreeProvider({
        config: config({ flux: {} }),
        logger,
        workDir,
      }),
    ).toThrow(
      'cloudlab.gitopsTree.flux.cluster: no cluster in the kubernetes configuration',
    );
  });

  it('builds the Flux source provider on the named cluster, and names the key when it cannot watch', async () => {
    const cluster = (name: string, kubeConfig?: KubeConfig) =>
      ({ name, kubeConfig } as unknown as ClusterConnection);
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'lab', server: 'https://127.0.0.1:1' }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'c', cluster: 'lab', user: 'u' }],
      currentContext: 'c',
    });
    const tree = createGitopsTreeProvider({
      config: config({ flux: { cluster: 'lab' } }),
      logger,
      workDir,
      kube: { getClusters: () => [cluster('other'), cluster('lab', kc)] },
    });
    expect(tree).toBeInstanceOf(FluxSourceTreeProvider);
    expect(tree.description).toContain('flux-system/flux-system');
    expect(() =>
      createGitopsTreeProvider({
        config: config({ flux: {} }),
        logger,
        workDir,
        kube: { getClusters: () => [cluster('other')] },
      }),
    ).toThrow(
      'cloudlab.gitopsTree.flux.cluster: cluster other offers no client configuration',
    );
  });

  it('builds a local provider at the working copy', async () => {
    const tree = createGitopsTreeProvider({
      config: config({ local: { path: workDir } }),
      logger,
      workDir,
    });
    expect((await tree.current()).origin).toEqual({
      kind: 'local',
      location: workDir,
      revision: 'working-copy',
    });
  });
});
