import { ConfigReader } from '@backstage/config';
import path from 'path';
import { DEFAULT_PAGE_SIZE, readMultiProviderConfig } from './config';

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
      }),
      '/repo',
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
      registryDir: path.resolve('/repo/providers'),
      pageSize: DEFAULT_PAGE_SIZE,
    });
  });

  it('resolves the kubeconfig and registry paths from the repo root', () => {
    const config = readMultiProviderConfig(
      new ConfigReader({
        multiProvider: {
          kubeconfig: '.cache/lab/kubeconfig',
          registryDir: 'elsewhere/providers',
          pageSize: 50,
        },
      }),
      '/repo',
    );
    expect(config.clusters).toEqual([]);
    expect(config.kubeconfig).toEqual({
      path: path.resolve('/repo/.cache/lab/kubeconfig'),
      clusterName: undefined,
    });
    expect(config.registryDir).toBe(path.resolve('/repo/elsewhere/providers'));
    expect(config.pageSize).toBe(50);
  });
});
