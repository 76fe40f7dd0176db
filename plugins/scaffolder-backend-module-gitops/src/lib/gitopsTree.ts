import { ChangeSet } from './ChangeSet';
import { parseDocuments } from './yamlFiles';

/** Where things live in the GitOps tree (docs/gitops/index.md). */
export const PATHS = {
  providers: 'providers',
  apps: 'gitops/apps',
  clusters: 'gitops/clusters',
  components: 'gitops/components',
  vaultAuthGlobal: 'gitops/platform/vso/config/base/vaultauthglobal.yaml',
  vaultRoles: 'gitops/platform/vault/configmap.yaml',
  proxyClasses: 'gitops/platform/tailscale/proxyclass.yaml',
  catalogIndex: 'catalog/all.yaml',
} as const;

/**
 * The repository's validation configuration: the layers it opts into and where its tree lies.
 * Only the validator reads it (tools/gitops-validate, docs/gitops/validation.md).
 */
export const VALIDATION_CONFIG_DIR = '.cloudlab';

/**
 * What a template change may touch in the repository, and what the validator must see with it:
 * checked out, contained, committed.
 */
export const COMMITTED_PATHS = [
  'gitops',
  'providers',
  'catalog',
  'docs',
  VALIDATION_CONFIG_DIR,
];

/**
 * The shared VaultAuthGlobal every per-namespace VaultAuth references. Never `default`: VSO
 * exempts a VaultAuthGlobal named `default` in its own namespace from allowedNamespaces.
 */
export const VAULT_AUTH_GLOBAL = {
  name: 'cloudlab-shared',
  namespace: 'vault-secrets-operator-system',
};

export const appDir = (workload: string) => `${PATHS.apps}/${workload}`;
export const baseDir = (workload: string) => `${appDir(workload)}/base`;
export const componentDir = (provider: string) =>
  `${PATHS.components}/provider-${provider}`;

/** One deployed instance of a workload: an overlay directory and the namespace it sets. */
export interface WorkloadInstance {
  name: string;
  dir: string;
  namespace: string;
}

/**
 * The instances of an existing workload: every overlay directory next to `base/` with a
 * kustomization.yaml that sets a namespace. Throws naming `field` when the workload is absent.
 */
export async function readWorkloadInstances(
  cs: ChangeSet,
  workload: string,
  field = 'workload',
): Promise<WorkloadInstance[]> {
  if (!(await cs.read(`${baseDir(workload)}/kustomization.yaml`, field))) {
    throw new Error(
      `${field}: no workload '${workload}' (expected ${baseDir(
        workload,
      )}/kustomization.yaml)`,
    );
  }
  const instances: WorkloadInstance[] = [];
  for (const name of await cs.listDirectories(appDir(workload), field)) {
    if (name === 'base') continue;
    const file = `${appDir(workload)}/${name}/kustomization.yaml`;
    const text = await cs.read(file, field);
    if (!text) continue;
    const namespace = parseDocuments(text, file)[0]?.get('namespace');
    if (typeof namespace === 'string') {
      instances.push({ name, dir: `${appDir(workload)}/${name}`, namespace });
    }
  }
  if (instances.length === 0) {
    throw new Error(
      `${field}: workload '${workload}' has no instance overlays under ${appDir(
        workload,
      )}`,
    );
  }
  return instances;
}

/** The main workload object (Deployment or StatefulSet) of a workload's base. */
export async function readWorkloadKind(
  cs: ChangeSet,
  workload: string,
): Promise<string> {
  for (const [file, kind] of [
    ['deployment.yaml', 'Deployment'],
    ['statefulset.yaml', 'StatefulSet'],
  ]) {
    if (await cs.read(`${baseDir(workload)}/${file}`)) return kind;
  }
  return 'Deployment';
}

/** The clusters of the tree (directories under gitops/clusters). */
export async function listClusters(cs: ChangeSet): Promise<string[]> {
  return cs.listDirectories(PATHS.clusters);
}
