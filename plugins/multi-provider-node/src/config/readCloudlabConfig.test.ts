import { ConfigReader } from '@backstage/config';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalTreeSource } from '../tree/TreeSource';
import {
  DEFAULT_FLUX_NOTIFICATION_DEBOUNCE,
  DEFAULT_MAX_PRICE_AGE,
  DEFAULT_URL_TREE_REFRESH,
  readCostConfig,
  readFluxNotificationsConfig,
  readGitopsTreeConfig,
  readProvidersConfig,
  REPLACED_CONFIG_KEYS,
  requireTreePaths,
} from './readCloudlabConfig';

// Tests run from source, where __dirname is this directory.
// eslint-disable-next-line no-restricted-syntax
const repoRoot = path.resolve(__dirname, '../../../..');

const hetzner = {
  apiVersion: 'cloudlab.dev/v1alpha1',
  kind: 'Provider',
  metadata: { name: 'hetzner' },
  spec: {
    displayName: 'Hetzner',
    detection: { labels: [{ key: 'cfke.io/provider', value: 'hetzner' }] },
    regions: [{ name: 'fsn1', eu: true, zones: ['fsn1-dc14'] }],
  },
};

let cwd: string;
beforeEach(() => {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudlab-config-'));
  fs.mkdirSync(path.join(cwd, 'repo/gitops/clusters'), { recursive: true });
  fs.mkdirSync(path.join(cwd, 'repo/catalog'));
  fs.mkdirSync(path.join(cwd, 'providers'));
});
afterEach(() => fs.rmSync(cwd, { recursive: true, force: true }));

const cfg = (data: object) => new ConfigReader(data);
const tree = (gitopsTree: object) =>
  readGitopsTreeConfig(cfg({ cloudlab: { gitopsTree } }), cwd);
const providers = (p: unknown) =>
  readProvidersConfig(cfg({ cloudlab: { providers: p } }), cwd);

describe('readGitopsTreeConfig', () => {
  it('resolves the tree against the working directory and applies the defaults', () => {
    expect(tree({ local: { path: 'repo' } })).toEqual({
      source: { type: 'local', path: path.join(cwd, 'repo') },
      fluxPath: '.',
      catalogPath: undefined,
      desiredCluster: undefined,
      kustomizeCommand: ['kubectl', 'kustomize'],
    });
  });

  it('reads every key', () => {
    expect(
      tree({
        local: { path: 'repo' },
        fluxPath: 'gitops',
        catalogPath: 'catalog/',
        desiredCluster: 'prod',
        kustomizeCommand: ['/opt/kustomize', 'build'],
      }),
    ).toEqual({
      source: { type: 'local', path: path.join(cwd, 'repo') },
      fluxPath: 'gitops',
      catalogPath: 'catalog/',
      desiredCluster: 'prod',
      kustomizeCommand: ['/opt/kustomize', 'build'],
    });
  });

  it('requires exactly one tree source, naming the key and the rule', () => {
    const rule = 'cloudlab.gitopsTree: set exactly one of local, url, flux';
    expect(() => readGitopsTreeConfig(cfg({}), cwd)).toThrow(rule);
    expect(() => tree({ fluxPath: 'gitops' })).toThrow(rule);
    expect(() => tree({ local: { path: 'repo' }, flux: {} })).toThrow(
      `${rule} (the source of the tree); found flux and local`,
    );
    expect(() =>
      tree({ url: { target: 'https://git.example/o/r/tree/main' }, flux: {} }),
    ).toThrow('found flux and url');
    expect(() => tree({ local: {} })).toThrow(
      'cloudlab.gitopsTree.local.path: is required',
    );
  });

  it('reads a url source with the default refresh, checking no path yet', () => {
    const target = 'https://git.example/org/gitops/tree/main';
    expect(
      tree({ url: { target }, fluxPath: 'gitops', catalogPath: 'catalog' }),
    ).toEqual({
      source: { type: 'url', target, refresh: DEFAULT_URL_TREE_REFRESH },
      fluxPath: 'gitops',
      catalogPath: 'catalog',
      desiredCluster: undefined,
      kustomizeCommand: ['kubectl', 'kustomize'],
    });
  });

  it.each([
    [{ minutes: 10 }, { minutes: 10 }],
    ['PT30S', { seconds: 30 }],
    ['2m', { minutes: 2 }],
  ])('reads url.refresh %j as a duration', (refresh, expected) => {
    const target = 'https://git.example/org/gitops/tree/main';
    expect(tree({ url: { target, refresh } }).source).toEqual({
      type: 'url',
      target,
      refresh: expected,
    });
  });

  it('names the url key that is wrong', () => {
    expect(() => tree({ url: {} })).toThrow(
      'cloudlab.gitopsTree.url.target: is required',
    );
    expect(() => tree({ url: { target: 'gitops/' } })).toThrow(
      'cloudlab.gitopsTree.url.target: must be an absolute http(s) URL',
    );
    expect(() =>
      tree({ url: { target: 'https://h/o/r', refresh: { minuts: 5 } } }),
    ).toThrow(/^cloudlab\.gitopsTree\.url\.refresh: must be a duration/);
    expect(() =>
      tree({ url: { target: 'https://h/o/r', refresh: 'soon' } }),
    ).toThrow(/^cloudlab\.gitopsTree\.url\.refresh: must be a duration/);
    expect(() =>
      tree({ url: { target: 'https://h/o/r', branch: 'main' } }),
    ).toThrow('cloudlab.gitopsTree.url: unknown key branch');
  });

  it('reads a flux source with its defaults, and every key', () => {
    expect(tree({ flux: {} }).source).toEqual({
      type: 'flux',
      kustomization: { namespace: 'flux-system', name: 'flux-system' },
      cluster: undefined,
      artifactBaseUrl: undefined,
    });
    expect(
      tree({
        flux: {
          kustomization: { namespace: 'platform', name: 'apps' },
          cluster: 'lab',
          artifactBaseUrl: 'http://127.0.0.1:9090/',
        },
      }).source,
    ).toEqual({
      type: 'flux',
      kustomization: { namespace: 'platform', name: 'apps' },
      cluster: 'lab',
      artifactBaseUrl: 'http://127.0.0.1:9090',
    });
  });

  it('names the flux key that is wrong', () => {
    expect(() => tree({ flux: { kustomization: { name: 'apps' } } })).toThrow(
      'cloudlab.gitopsTree.flux.kustomization.namespace: is required',
    );
    expect(() => tree({ flux: { cluster: '' } })).toThrow(
      'cloudlab.gitopsTree.flux.cluster: must not be empty',
    );
    expect(() =>
      tree({ flux: { artifactBaseUrl: 'source-controller' } }),
    ).toThrow(
      'cloudlab.gitopsTree.flux.artifactBaseUrl: must be an absolute http(s) URL',
    );
    expect(() => tree({ flux: { namespace: 'x' } })).toThrow(
      'cloudlab.gitopsTree.flux: unknown key namespace',
    );
  });

  it('checks the paths of a fetched tree at its first read, naming the key and the source', async () => {
    const root = path.join(cwd, 'repo');
    const source = new LocalTreeSource(root);
    await expect(
      requireTreePaths({ fluxPath: 'gitops', catalogPath: 'catalog' }, source),
    ).resolves.toBeUndefined();
    await expect(
      requireTreePaths({ fluxPath: 'flux' }, source),
    ).rejects.toThrow(
      `cloudlab.gitopsTree.fluxPath: flux is not a folder of ${root}`,
    );
    await expect(
      requireTreePaths({ fluxPath: '.', catalogPath: 'entities' }, source),
    ).rejects.toThrow(
      `cloudlab.gitopsTree.catalogPath: entities is not a folder of ${root}`,
    );
  });

  it('refuses a tree folder that does not exist', () => {
    expect(() => tree({ local: { path: 'nowhere' } })).toThrow(
      `cloudlab.gitopsTree.local.path: folder ${path.join(
        cwd,
        'nowhere',
      )} does not exist`,
    );
  });

  it('refuses paths inside the tree that do not exist or leave it', () => {
    expect(() => tree({ local: { path: 'repo' }, fluxPath: 'flux' })).toThrow(
      /^cloudlab\.gitopsTree\.fluxPath: folder .*flux does not exist/,
    );
    expect(() =>
      tree({ local: { path: 'repo' }, catalogPath: 'entities' }),
    ).toThrow(/^cloudlab\.gitopsTree\.catalogPath: folder .* does not exist/);
    expect(() =>
      tree({ local: { path: 'repo' }, catalogPath: '../providers' }),
    ).toThrow(
      'cloudlab.gitopsTree.catalogPath: must be a path inside the tree (relative, without ..)',
    );
    expect(() =>
      tree({ local: { path: 'repo' }, fluxPath: '/gitops' }),
    ).toThrow('cloudlab.gitopsTree.fluxPath: must be a path inside the tree');
  });

  it('names the key of a value of the wrong type', () => {
    expect(() => tree({ local: { path: 'repo' }, fluxPath: 3 })).toThrow(
      'cloudlab.gitopsTree.fluxPath: must be a string',
    );
    expect(() =>
      tree({ local: { path: 'repo' }, kustomizeCommand: 'kustomize build' }),
    ).toThrow(
      'cloudlab.gitopsTree.kustomizeCommand: must be a list of strings',
    );
    expect(() =>
      tree({ local: { path: 'repo' }, kustomizeCommand: [] }),
    ).toThrow('cloudlab.gitopsTree.kustomizeCommand: must name a command');
    expect(() => tree({ local: { path: 'repo' }, gitopsDir: 'x' })).toThrow(
      'cloudlab.gitopsTree: unknown key gitopsDir',
    );
  });
});

describe('readProvidersConfig', () => {
  it('reads a directory', () => {
    expect(providers({ directory: 'providers' })).toEqual({
      type: 'directory',
      directory: path.join(cwd, 'providers'),
    });
  });

  it('refuses a directory that does not exist', () => {
    expect(() => providers({ directory: 'registry' })).toThrow(
      `cloudlab.providers.directory: folder ${path.join(
        cwd,
        'registry',
      )} does not exist`,
    );
  });

  it('loads inline entries through the registry loader', () => {
    const read = providers({ entries: [hetzner] });
    expect(read.type).toBe('entries');
    expect(
      read.type === 'entries' &&
        read.entries.map(e => [e.file, e.definition.name]),
    ).toEqual([['app-config cloudlab.providers.entries[0]', 'hetzner']]);
  });

  it('names the entry and the field of an invalid inline entry', () => {
    const broken = { ...hetzner, metadata: { name: 'b' }, spec: {} };
    expect(() => providers({ entries: [hetzner, broken] })).toThrow(
      /^app-config cloudlab\.providers\.entries\[1\] is invalid at spec\.detection/,
    );
    expect(() =>
      providers({ entries: [hetzner, { ...hetzner, kind: 'Region' }] }),
    ).toThrow(
      /^app-config cloudlab\.providers\.entries\[1\] is invalid at kind/,
    );
  });

  it('refuses a provider defined twice inline, naming both entries', () => {
    expect(() => providers({ entries: [hetzner, hetzner] })).toThrow(
      'app-config cloudlab.providers.entries[1]: provider hetzner is already defined in app-config cloudlab.providers.entries[0]',
    );
  });

  it('refuses an empty list', () => {
    expect(() => providers({ entries: [] })).toThrow(
      'app-config cloudlab.providers.entries defines no provider',
    );
  });

  it('wants exactly one of directory and entries', () => {
    expect(() => readProvidersConfig(cfg({}), cwd)).toThrow(
      'cloudlab.providers: set either directory or entries',
    );
    expect(() =>
      providers({ directory: 'providers', entries: [hetzner] }),
    ).toThrow('cloudlab.providers: set either directory or entries');
  });

  it('names the key of a value of the wrong type', () => {
    expect(() => providers({ entries: { hetzner } })).toThrow(
      'cloudlab.providers.entries: must be a list',
    );
    expect(() => providers({ directory: ['providers'] })).toThrow(
      'cloudlab.providers.directory: must be a string',
    );
  });
});

describe('readCostConfig', () => {
  const read = (cost: unknown) =>
    readCostConfig(new ConfigReader({ cloudlab: { cost } } as any));

  it('applies the default age when the block or the key is absent', () => {
    expect(readCostConfig(new ConfigReader({})).maxPriceAge).toEqual(
      DEFAULT_MAX_PRICE_AGE,
    );
    expect(read({}).maxPriceAgeMs).toBe(180 * 24 * 60 * 60 * 1000);
  });

  it('reads the age in each duration spelling', () => {
    expect(read({ maxPriceAge: { days: 30 } }).maxPriceAgeMs).toBe(
      30 * 24 * 60 * 60 * 1000,
    );
    expect(read({ maxPriceAge: 'P2D' }).maxPriceAgeMs).toBe(
      2 * 24 * 60 * 60 * 1000,
    );
  });

  it('names the key that is wrong', () => {
    expect(() => read({ maxPriceAge: 'soon' })).toThrow(
      /^cloudlab\.cost\.maxPriceAge: must be a duration/,
    );
    expect(() => read({ maxPriceAge: { days: 0 } })).toThrow(
      'cloudlab.cost.maxPriceAge: must be longer than zero',
    );
    expect(() => read({ maxAge: '1d' })).toThrow(
      'cloudlab.cost: unknown key maxAge',
    );
  });
});

describe('replaced keys', () => {
  const valid = {
    gitopsTree: { local: { path: 'repo' } },
    providers: { directory: 'providers' },
  };

  it.each(REPLACED_CONFIG_KEYS)(
    '%s stops both readers, naming %s',
    (old, now) => {
      const data: Record<string, any> = { cloudlab: { ...valid } };
      const parts = old.split('.');
      let at = data;
      for (const part of parts.slice(0, -1)) at = at[part] ??= {};
      at[parts[parts.length - 1]] = 'x';
      const message = `${old}: was replaced by ${now}; move it there`;
      expect(() => readGitopsTreeConfig(cfg(data), cwd)).toThrow(message);
      expect(() => readProvidersConfig(cfg(data), cwd)).toThrow(message);
    },
  );

  it('reads this repository’s own app-config', () => {
    const cwdOfBackend = path.join(repoRoot, 'packages/backend');
    const yaml = require('yaml');
    const appConfig = yaml.parse(
      fs.readFileSync(path.join(repoRoot, 'app-config.yaml'), 'utf8'),
    );
    const config = cfg(appConfig);
    expect(readGitopsTreeConfig(config, cwdOfBackend).source).toEqual({
      type: 'local',
      path: repoRoot,
    });
    expect(readProvidersConfig(config, cwdOfBackend)).toEqual({
      type: 'directory',
      directory: path.join(repoRoot, 'providers'),
    });
  });

  it('reads this repository’s production app-config as a flux tree, the local folder unset', () => {
    const yaml = require('yaml');
    const read = (file: string) => ({
      context: file,
      data: yaml.parse(fs.readFileSync(path.join(repoRoot, file), 'utf8')),
    });
    const config = ConfigReader.fromConfigs([
      read('app-config.yaml'),
      read('app-config.production.yaml'),
    ]);
    expect(readGitopsTreeConfig(config, repoRoot)).toMatchObject({
      source: {
        type: 'flux',
        kustomization: { namespace: 'flux-system', name: 'flux-system' },
      },
      fluxPath: 'gitops',
      desiredCluster: 'cloudlab',
    });
  });
});

describe('readFluxNotificationsConfig', () => {
  const notifications = (n: unknown) =>
    readFluxNotificationsConfig(cfg({ cloudlab: { notifications: n } }));

  it('is on for the owners, with the default debounce, when nothing is set', () => {
    expect(readFluxNotificationsConfig(cfg({}))).toEqual({
      enabled: true,
      recipients: { type: 'owner' },
      debounce: DEFAULT_FLUX_NOTIFICATION_DEBOUNCE,
    });
  });

  it('switches off and routes to one group, completing its namespace', () => {
    expect(
      notifications({
        flux: { enabled: false, recipients: 'Group:platform-admins' },
      }),
    ).toMatchObject({
      enabled: false,
      recipients: {
        type: 'entity',
        entityRef: 'group:default/platform-admins',
      },
    });
    expect(
      notifications({ flux: { recipients: 'user:ops/ada' } }).recipients,
    ).toEqual({ type: 'entity', entityRef: 'user:ops/ada' });
  });

  it('reads the debounce in each duration form', () => {
    expect(notifications({ flux: { debounce: '5s' } }).debounce).toEqual({
      seconds: 5,
    });
    expect(
      notifications({ flux: { debounce: { minutes: 2 } } }).debounce,
    ).toEqual({ minutes: 2 });
  });

  it('names the key and the rule of a bad value', () => {
    expect(() => notifications({ flux: { enabled: 'yes' } })).toThrow(
      'cloudlab.notifications.flux.enabled: must be true or false',
    );
    expect(() =>
      notifications({ flux: { recipients: 'component:default/web' } }),
    ).toThrow(
      'cloudlab.notifications.flux.recipients: must be owner or a group or user entity ref',
    );
    expect(() => notifications({ flux: { debounce: 'soon' } })).toThrow(
      'cloudlab.notifications.flux.debounce: must be a duration',
    );
    expect(() => notifications({ flux: { channel: 'slack' } })).toThrow(
      'cloudlab.notifications.flux: unknown key channel',
    );
  });
});
