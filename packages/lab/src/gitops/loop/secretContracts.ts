import {
  SecretContract,
  secretContractOf,
} from '@cloudlab/plugin-multi-provider-common';
import { KubeObject } from '@cloudlab/plugin-multi-provider-node';
import { LabPaths } from '../../paths';
import { renderLabTree } from '../renderLabTree';
import { labPortsConfigMap } from './components';
import { DeclaredRole, ExpectedSecret } from './vault';

/**
 * Every VaultStaticSecret's contract in the lab's cluster tree, rendered as Flux applies it (the
 * suite's one reader and renderer, with the lab's port substitution).
 */
export async function labSecretContracts(
  p: LabPaths,
): Promise<{ contracts: SecretContract[]; objects: KubeObject[] }> {
  const ports = labPortsConfigMap();
  const tree = await renderLabTree(p.root, p.gitopsCluster, {
    [ports.metadata.name]: ports.data,
  });
  const objects = [
    ...tree.clusterObjects,
    ...tree.layers.flatMap(l => l.objects),
  ];
  const contracts = objects
    .filter(o => o.kind === 'VaultStaticSecret')
    .map(o => secretContractOf(o));
  return { contracts, objects };
}

/** The fields of a VaultAuth or VaultAuthGlobal that say which Vault role it logs in with. */
type VaultAuthLike = KubeObject & {
  spec?: {
    kubernetes?: { role?: string };
    vaultAuthGlobalRef?: { name?: string; namespace?: string };
  };
};

/**
 * What Vault must hold for the contracts: each KV secret with its declared keys (a path read by
 * several VaultStaticSecrets holds all their keys), readable by the policy of the Vault role its
 * VaultAuth names. Throws, naming the VaultStaticSecret, when that role is not a declared one.
 */
export function secretsToSeed(
  contracts: SecretContract[],
  objects: KubeObject[],
  roles: DeclaredRole[],
): ExpectedSecret[] {
  const byPath = new Map<string, ExpectedSecret>();
  for (const c of contracts) {
    const find = (kind: string, namespace: string, name?: string) =>
      objects.find(
        o =>
          o.kind === kind &&
          o.metadata.namespace === namespace &&
          o.metadata.name === name,
      ) as VaultAuthLike | undefined;
    const auth = find('VaultAuth', c.namespace, c.vaultAuthRef);
    const globalRef = auth?.spec?.vaultAuthGlobalRef;
    const global = globalRef?.name
      ? find(
          'VaultAuthGlobal',
          globalRef.namespace ?? c.namespace,
          globalRef.name,
        )
      : undefined;
    const roleName =
      auth?.spec?.kubernetes?.role ?? global?.spec?.kubernetes?.role;
    const role = roles.find(r => r.name === roleName);
    if (!role) {
      throw new Error(
        `VaultStaticSecret ${c.namespace}/${c.name}: vaultAuthRef ${c.vaultAuthRef} names Vault role ${String(
          roleName,
        )}, which gitops/platform/vault/configmap.yaml does not declare`,
      );
    }
    const id = `${c.mount}/${c.path}`;
    const seen = byPath.get(id);
    if (seen) {
      seen.keys = [...new Set([...seen.keys, ...c.keys])];
    } else {
      // The role's first policy is the one that grants the read (roles.yaml lists it first).
      byPath.set(id, {
        mount: c.mount,
        path: c.path,
        keys: [...c.keys],
        policy: role.policies[0],
      });
    }
  }
  return [...byPath.values()];
}
