import type { Entity } from '@backstage/catalog-model';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { piholeGitOps, piholeSecrets } from '../__fixtures__/gitops';
import { mockMultiProviderApi } from '../__fixtures__/mockApi';
import { multiProviderApiRef } from '../api';
import { EntityGitOpsContent } from '../components/EntityGitOpsContent';

/** A Pi-hole instance reconciled by Flux whose pods the kubernetes annotations name. */
export const gitOpsEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'pihole-hetzner',
    namespace: 'default',
    annotations: {
      'cloudlab.dev/flux-kustomizations': 'lab/flux-system/apps-pihole-hetzner',
      'backstage.io/kubernetes-label-selector': 'app=pihole',
    },
  },
  spec: {},
};

/** The API answers of the GitOps tab, for a user the permission API allows or denies. */
export function gitOpsTabApis(result: 'ALLOW' | 'DENY') {
  const api = mockMultiProviderApi({
    getEntityGitOps: async () => piholeGitOps(),
    getEntitySecrets: async () => piholeSecrets(),
    fluxAction: async r => ({
      object: r,
      action: r.action,
      requestedAt: 'now',
    }),
  });
  const apis = [
    [multiProviderApiRef, api],
    [permissionApiRef, { authorize: async () => ({ result }) }],
  ] as const;
  return { api, apis };
}

/** Renders the GitOps tab of a Pi-hole instance for a user the permission API allows or denies. */
export function renderGitOpsTab(result: 'ALLOW' | 'DENY') {
  const { api, apis } = gitOpsTabApis(result);
  renderInTestApp(
    <EntityProvider entity={gitOpsEntity}>
      <EntityGitOpsContent />
    </EntityProvider>,
    { apis },
  );
  return api;
}
