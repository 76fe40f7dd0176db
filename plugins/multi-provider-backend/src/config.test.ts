import { ConfigReader } from '@backstage/config';
import path from 'path';
import { REPO_ROOT } from './__testUtils__/repositoryConfig';
import {
  DEFAULT_LIVE_DEBOUNCE_MS,
  DEFAULT_PAGE_SIZE,
  readMultiProviderConfig,
} from './config';

const providers = { directory: 'providers' };

describe('readMultiProviderConfig', () => {
  it('reads clusters in the kubernetes plugin shape and defaults', () => {
    const config = readMultiProviderConfig(
      new ConfigReader({
        kubernetes: {
          clusterLocatorMethods: [
            { type: 'catalog' },
            {
              type: 'config',
              clusters: [
                {
                  name: 'prod',
                  url: 'https://k8s.example:6443',
                  authProvider: 'serviceAccount',
                  serviceAccountToken: 'abc',
                  caData: 'Y2E=',
                },
              ],
            },
          ],
        },
        cloudlab: { providers },
      }),
      REPO_ROOT,
    );
    expect(config).toEqual({
      clusters: [
        {
          name: 'prod',
          url: 'https://k8s.example:6443',
          serviceAccountToken: 'abc',
          caData: 'Y2E=',
          skipTLSVerify: false,
        },
      ],
      kubeconfig: undefined,
      providers: {
        type: 'directory',
        directory: path.join(REPO_ROOT, 'providers'),
      },
      pageSize: DEFAULT_PAGE_SIZE,
      cache: {},
      live: { enabled: true, debounceMs: DEFAULT_LIVE_DEBOUNCE_MS },
    });
  });

  it('reads the CA from a file (in a pod: the mounted ServiceAccount CA), resolved from the working directory', () => {
    const cluster = (c: Record<string, unknown>) =>
      new ConfigReader({
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [{ name: 'prod', url: 'https://k8s.example', ...c }],
            },
          ],
        },
        cloudlab: { providers },
      });
    expect(
      readMultiProviderConfig(cluster({ caFile: 'secrets/ca.crt' }), REPO_ROOT)
        .clusters[0].caFile,
    ).toBe(path.join(REPO_ROOT, 'secrets/ca.crt'));
    expect(() =>
      readMultiProviderConfig(
        cluster({ caFile: '/ca.crt', caData: 'Y2E=' }),
        REPO_ROOT,
      ),
    ).toThrow(/cluster prod sets both caData and caFile/);
  });

  it('resolves the kubeconfig path from the working directory', () => {
    const config = readMultiProviderConfig(
      new ConfigReader({
        multiProvider: { kubeconfig: '.cache/lab/kubeconfig', pageSize: 50 },
        cloudlab: { providers },
      }),
      REPO_ROOT,
    );
    expect(config.clusters).toEqual([]);
    expect(config.kubeconfig).toEqual({
      path: path.join(REPO_ROOT, '.cache/lab/kubeconfig'),
      clusterName: undefined,
    });
    expect(config.pageSize).toBe(50);
  });

  it('stops on a missing registry or a replaced key, naming the key', () => {
    expect(() =>
      readMultiProviderConfig(new ConfigReader({}), REPO_ROOT),
    ).toThrow('cloudlab.providers: set either directory or entries');
    expect(() =>
      readMultiProviderConfig(
        new ConfigReader({
          multiProvider: { registryDir: 'providers' },
          cloudlab: { providers },
        }),
        REPO_ROOT,
      ),
    ).toThrow(
      'multiProvider.registryDir: was replaced by cloudlab.providers.directory',
    );
  });

  it('reads the cache timing and refuses bad values naming the field and the rule', () => {
    const read = (multiProvider: object) =>
      readMultiProviderConfig(
        new ConfigReader({ multiProvider, cloudlab: { providers } }),
        REPO_ROOT,
      );
    const cache = {
      requestTimeoutMs: 2000,
      backoffMs: 100,
      maxBackoffMs: 1000,
      recheckMs: 5000,
      maxRetries: 3,
      idleDeadlineMs: 4000,
    };
    expect(read({ pageSize: 5, cache })).toMatchObject({ pageSize: 5, cache });
    expect(() => read({ pageSize: 0 })).toThrow(
      'multiProvider.pageSize must be at least 1',
    );
    expect(() => read({ cache: { requestTimeoutMs: 10 } })).toThrow(
      'multiProvider.cache.requestTimeoutMs must be at least 100 ms',
    );
    expect(() => read({ cache: { maxRetries: 1.5 } })).toThrow(
      'multiProvider.cache.maxRetries must be a whole number',
    );
    expect(() =>
      read({ cache: { backoffMs: 5000, maxBackoffMs: 1000 } }),
    ).toThrow('multiProvider.cache.backoffMs must not exceed maxBackoffMs');
    expect(() => read({ cache: { retries: 3 } })).toThrow(/retries/);
    // A deadline under two seconds leaves no whole second for the server-side watch timeout.
    expect(() => read({ cache: { idleDeadlineMs: 1500 } })).toThrow(
      'multiProvider.cache.idleDeadlineMs must be at least 2000 ms',
    );
  });

  it('reads the live signal settings and refuses bad values naming the field and the rule', () => {
    const read = (multiProvider: object) =>
      readMultiProviderConfig(
        new ConfigReader({ multiProvider, cloudlab: { providers } }),
        REPO_ROOT,
      ).live;
    expect(read({ live: { enabled: false } })).toEqual({
      enabled: false,
      debounceMs: DEFAULT_LIVE_DEBOUNCE_MS,
    });
    expect(read({ live: { debounceMs: 250 } })).toEqual({
      enabled: true,
      debounceMs: 250,
    });
    expect(() => read({ live: { debounceMs: 10 } })).toThrow(
      'multiProvider.live.debounceMs must be at least 50 ms',
    );
    expect(() => read({ live: { enabled: 'yes' } })).toThrow(
      'multiProvider.live.enabled must be true or false',
    );
    expect(() => read({ live: { window: 5 } })).toThrow(
      /multiProvider\.live.*window|window.*multiProvider\.live/,
    );
  });
});
