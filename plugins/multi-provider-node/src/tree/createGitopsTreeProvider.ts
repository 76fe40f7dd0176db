import type {
  LoggerService,
  SchedulerService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  CloudlabConfigError,
  GitopsTreeConfig,
  readGitopsTreeConfig,
  requireTreePaths,
} from '../config/readCloudlabConfig';
import type { ClusterSource } from '../extensions/clusterSource';
import type { GitopsTreeProvider } from './GitopsTreeProvider';
import { LocalTreeProvider } from './LocalTreeProvider';
import { UrlTreeProvider } from './UrlTreeProvider';
import { FluxSourceTreeProvider } from './flux';

/**
 * What {@link createGitopsTreeProvider} needs; each source kind uses its part.
 *
 * @public
 */
export interface CreateGitopsTreeProviderOptions {
  /** The root config; `cloudlab.gitopsTree` picks the kind. */
  config: Config;
  logger: LoggerService;
  /** A folder the provider owns for the trees it fetches (`url`, `flux`). */
  workDir: string;
  /** Required by `url`. */
  urlReader?: UrlReaderService;
  /** Runs periodic refreshes when given (`url`); otherwise a timer that does not hold the process. */
  scheduler?: SchedulerService;
  /** The clusters of the kubernetes plugin's configuration; required by `flux`. */
  kube?: ClusterSource;
  /** The backend's working directory, against which a `local` path is resolved. */
  cwd?: string;
}

/**
 * A provider whose periodic work (if any) starts with `start()` and ends with `stop()`.
 *
 * @public
 */
export interface StartableGitopsTreeProvider extends GitopsTreeProvider {
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/**
 * The one place a `cloudlab.gitopsTree` setting becomes a {@link GitopsTreeProvider}: `local` →
 * {@link LocalTreeProvider}, `url` → {@link UrlTreeProvider}, `flux` → the Flux source provider.
 * Throws a {@link CloudlabConfigError} naming the key when the setting cannot be served.
 *
 * @public
 */
export function createGitopsTreeProvider(
  options: CreateGitopsTreeProviderOptions,
): StartableGitopsTreeProvider {
  const tree: GitopsTreeConfig = readGitopsTreeConfig(
    options.config,
    options.cwd,
  );
  const { source } = tree;
  switch (source.type) {
    case 'local':
      return new LocalTreeProvider(source.path, {
        logger: options.logger,
        watchPaths: [
          tree.fluxPath,
          ...(tree.catalogPath ? [tree.catalogPath] : []),
        ],
      });
    case 'url': {
      if (!options.urlReader) {
        throw new CloudlabConfigError(
          'cloudlab.gitopsTree.url',
          'needs the UrlReaderService, which this caller did not pass',
        );
      }
      return new UrlTreeProvider({
        target: source.target,
        refresh: source.refresh,
        urlReader: options.urlReader,
        logger: options.logger,
        workDir: options.workDir,
        scheduler: options.scheduler,
        check: s => requireTreePaths(tree, s.source),
      });
    }
    case 'flux': {
      const clusters = options.kube?.getClusters() ?? [];
      const cluster = source.cluster
        ? clusters.find(c => c.name === source.cluster)
        : clusters[0];
      if (source.cluster && !cluster) {
        throw new CloudlabConfigError(
          'cloudlab.gitopsTree.flux.cluster',
          `no cluster ${
            source.cluster
          } in the kubernetes configuration (have: ${
            clusters.map(c => c.name).join(', ') || 'none'
          })`,
        );
      }
      if (!cluster) {
        throw new CloudlabConfigError(
          'cloudlab.gitopsTree.flux.cluster',
          'no cluster in the kubernetes configuration to read the Flux sources from',
        );
      }
      if (!cluster.kubeConfig) {
        throw new CloudlabConfigError(
          'cloudlab.gitopsTree.flux.cluster',
          `cluster ${cluster.name} offers no client configuration for watching Flux sources`,
        );
      }
      return FluxSourceTreeProvider.fromConfig(
        {
          kustomization: source.kustomization,
          artifactBaseUrl: source.artifactBaseUrl,
        },
        {
          kubeConfig: cluster.kubeConfig,
          logger: options.logger,
          workDir: options.workDir,
        },
      );
    }
    default:
      throw new CloudlabConfigError(
        'cloudlab.gitopsTree',
        `unknown source ${(source as { type: string }).type}`,
      );
  }
}
