import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  LifecycleService,
  LoggerService,
  PluginMetadataService,
  RootConfigService,
  SchedulerService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GitopsTreeProvider } from '../tree/GitopsTreeProvider';
import { createGitopsTreeProvider } from '../tree/createGitopsTreeProvider';
import type { ClusterSource } from './clusterSource';

/**
 * The services a GitOps tree provider is built from, as a backend plugin has them: a service
 * factory for {@link gitopsTreeServiceRef} declares these (plus cluster access where it has it)
 * and hands them to {@link gitopsTreeForPlugin}.
 *
 * @public
 */
export const gitopsTreeFactoryDeps = {
  config: coreServices.rootConfig,
  logger: coreServices.logger,
  urlReader: coreServices.urlReader,
  scheduler: coreServices.scheduler,
  lifecycle: coreServices.lifecycle,
  plugin: coreServices.pluginMetadata,
};

/**
 * What {@link gitopsTreeForPlugin} is given.
 *
 * @public
 */
export interface GitopsTreeServiceDeps {
  config: RootConfigService;
  logger: LoggerService;
  urlReader: UrlReaderService;
  scheduler: SchedulerService;
  lifecycle: LifecycleService;
  plugin: PluginMetadataService;
  /** Cluster access for the `flux` kind, where the backend has it. */
  kube?: ClusterSource;
}

/**
 * Builds the configured provider for one plugin: its fetched trees live in a folder of its own.
 * Under a configured `backend.workingDirectory` that folder is the same on every start
 * (`cloudlab-gitops-tree-<plugin>`) and kept at shutdown, so a restarted backend reads a Flux
 * revision already extracted without downloading it again; otherwise it is a fresh folder under
 * the system's temporary folder, removed at shutdown. The provider's refresh starts with the
 * plugin.
 *
 * @public
 */
export function gitopsTreeForPlugin(
  deps: GitopsTreeServiceDeps,
): GitopsTreeProvider {
  const configured = deps.config.getOptionalString('backend.workingDirectory');
  const name = `cloudlab-gitops-tree-${deps.plugin.getId()}`;
  let workDir: string;
  if (configured) {
    workDir = path.join(configured, name);
    fs.mkdirSync(workDir, { recursive: true });
  } else {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  }
  const provider = createGitopsTreeProvider({
    config: deps.config,
    logger: deps.logger,
    urlReader: deps.urlReader,
    scheduler: deps.scheduler,
    kube: deps.kube,
    workDir,
  });
  deps.lifecycle.addStartupHook(async () => {
    await provider.start?.();
  });
  deps.lifecycle.addShutdownHook(async () => {
    await provider.stop?.();
    if (!configured) fs.rmSync(workDir, { recursive: true, force: true });
  });
  return provider;
}

/**
 * The GitOps tree the suite reads (`cloudlab.gitopsTree`: `local`, `url` or `flux`), one
 * provider per plugin that depends on it: the multi-provider backend's desired views and the
 * Flux catalog module both read its current snapshot. The default serves `local` and `url`;
 * the multi-provider backend's default factories add cluster access for `flux`. Install another
 * factory for this ref to read the tree from elsewhere.
 *
 * @public
 */
export const gitopsTreeServiceRef = createServiceRef<GitopsTreeProvider>({
  id: 'multi-provider.gitops-tree',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: gitopsTreeFactoryDeps,
      factory: gitopsTreeForPlugin,
    }),
});
