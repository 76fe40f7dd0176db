import { labClients } from '../kube/client';
import {
  findProvider,
  loadProviders,
  PROVIDER_LABEL,
} from '../registry/labProviders';
import { labPaths } from '../paths';
import * as k8s from '@kubernetes/client-node';

/** The taint `lab outage` puts on a provider's nodes. */
export const OUTAGE_TAINT = {
  key: 'cloudlab.dev/provider-outage',
  effect: 'NoExecute',
} as const;

/** Adds or removes the outage taint; pure so it can be tested. */
export function withOutageTaint(
  taints: k8s.V1Taint[] | undefined,
  provider: string,
  on: boolean,
): k8s.V1Taint[] {
  const rest = (taints ?? []).filter(t => t.key !== OUTAGE_TAINT.key);
  return on ? [...rest, { ...OUTAGE_TAINT, value: provider }] : rest;
}

/**
 * `lab outage <provider>` / `lab restore <provider>`: taints (or untaints) every node of the provider
 * NoExecute. The real taint-eviction controller evicts pods without a toleration; their controllers
 * recreate them and the scheduler places them wherever their constraints still allow.
 */
export async function outage(providerName: string, on: boolean): Promise<void> {
  const p = labPaths();
  const providers = await loadProviders(p.providersDir);
  if (!findProvider(providers, providerName)) {
    throw new Error(
      `unknown provider "${providerName}" (registry: ${providers
        .map(x => x.name)
        .join(', ')})`,
    );
  }
  const { core } = labClients(p.kubeconfig);
  const nodes = (
    await core.listNode({ labelSelector: `${PROVIDER_LABEL}=${providerName}` })
  ).items;
  for (const n of nodes) {
    const taints = withOutageTaint(n.spec?.taints, providerName, on);
    await core.patchNode(
      {
        name: n.metadata!.name!,
        body: [{ op: 'add', path: '/spec/taints', value: taints }],
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    );
  }
  console.log(
    `lab ${on ? 'outage' : 'restore'}: ${on ? 'tainted' : 'untainted'} ${
      nodes.length
    } ${providerName} nodes (${OUTAGE_TAINT.key}:${OUTAGE_TAINT.effect})`,
  );
}
