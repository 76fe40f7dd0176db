import type { Entity } from '@backstage/catalog-model';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { piholeGitOps, piholeSecrets } from '../__fixtures__/gitops';
import { mockMultiProviderApi } from '../__fixtures__/mockApi';
import { multiProviderApiRef } from '../api';
import { EntityGitOpsContent } from '../components/EntityGitOpsContent';

const entity: Entity = {
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

/** Renders the GitOps tab of a Pi-hole instance for a user the permission API allows or denies. */
export function renderGitOpsTab(result: 'ALLOW' | 'DENY') {
  const api = mockMultiProviderApi({
    getEntityGitOps: async () => piholeGitOps(),
    getEntitySecrets: async () => piholeSecrets(),
    fluxAction: async r => ({
      object: r,
      action: r.action,
      requestedAt: 'now',
    }),
  });
  renderInTestApp(
    <EntityProvider entity={entity}>
      <EntityGitOpsContent />
    </EntityProvider>,
    {
      apis: [
        [multiProviderApiRef, api],
        [permissionApiRef, { authorize: async () => ({ result }) }],
      ],
    },
  );
  return api;
}
