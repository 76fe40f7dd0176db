import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  clusterErrorTypeSchema,
  type ClusterErrorType,
} from '@cloudlab/plugin-multi-provider-common';
import { screen, within } from '@testing-library/react';
import { BACKEND_ERRORS, failingCluster } from './__fixtures__/failingCluster';
import {
  piholeGitOps,
  piholeSecrets,
  platformGitOps,
} from './__fixtures__/gitops';
import { mockMultiProviderApi } from './__fixtures__/mockApi';
import {
  labPlatform,
  piholeEntity,
  piholePlacement,
} from './__fixtures__/placement';
import { labStorage, piholeStorage } from './__fixtures__/storage';
import { multiProviderApiRef, type MultiProviderApi } from './api';
import { EntityGitOpsContent } from './components/EntityGitOpsContent';
import { EntityPlacementContent } from './components/EntityPlacementContent';
import { EntitySecretsCard } from './components/EntitySecretsCard';
import { EntityStorageContent } from './components/EntityStorageContent';
import { GitOpsPage } from './components/GitOpsPage';
import { ProvidersPage } from './components/ProvidersPage';
import { StoragePage } from './components/StoragePage';
import { CLUSTER_PROBLEMS } from './helpers/clusterProblem';

const entity = piholeEntity({
  'cloudlab.dev/flux-kustomizations': 'lab/flux-system/apps-pihole-hetzner',
});

/** Each answer with the lab's healthy cluster first and a failing `faulty` cluster after it. */
function apiWith(errorType: ClusterErrorType): MultiProviderApi {
  const add = <R extends { clusters: { cluster: string }[] }>(
    answer: R,
  ): R => ({
    ...answer,
    clusters: [
      answer.clusters[0],
      failingCluster(answer.clusters[0], 'faulty', errorType),
    ],
  });
  return mockMultiProviderApi({
    getEntityPlacement: async () => add(piholePlacement()),
    getEntityStorage: async () => add(piholeStorage()),
    getEntityGitOps: async () => add(piholeGitOps()),
    getEntitySecrets: async () => add(piholeSecrets()),
    getPlatformPlacement: async () => add(labPlatform()),
    getClusters: async () => ({
      clusters: [
        { name: 'lab', state: 'synced', nodes: 5, pods: 17 },
        {
          name: 'faulty',
          state: 'error',
          nodes: 0,
          pods: 0,
          lastError: BACKEND_ERRORS[errorType],
          lastErrorType: errorType,
        },
      ],
    }),
    getPlatformStorage: async () => add(labStorage()),
    getDesiredStorage: async () => {
      throw new Error('no rendered desired state in this test');
    },
    getPlatformGitOps: async () => add(platformGitOps()),
  });
}

/** Every view of the plugin, with text only the healthy cluster's data renders. */
const views: Array<[string, JSX.Element, string]> = [
  ['Placement tab', <EntityPlacementContent />, 'pihole-hetzner-7d9f-abcde'],
  ['Storage tab', <EntityStorageContent />, 'pihole-hetzner/pihole-data'],
  ['GitOps tab', <EntityGitOpsContent />, 'apps-pihole-hetzner'],
  ['Secrets card', <EntitySecretsCard />, 'pihole-admin'],
  ['Providers page', <ProvidersPage />, 'Scaleway'],
  ['Storage page', <StoragePage />, 'hcloud-volumes'],
  ['GitOps page', <GitOpsPage />, 'platform-vso-config'],
];

function render(view: JSX.Element, errorType: ClusterErrorType) {
  renderInTestApp(<EntityProvider entity={entity}>{view}</EntityProvider>, {
    apis: [
      [multiProviderApiRef, apiWith(errorType)],
      [
        permissionApiRef,
        { authorize: async () => ({ result: 'DENY' as const }) },
      ],
    ],
  });
}

const escape = (s: string) => s.replace(/[()]/g, m => `\\${m}`);

async function expectExplained(errorType: ClusterErrorType) {
  const problem = CLUSTER_PROBLEMS[errorType];
  const [panel] = await screen.findAllByLabelText(
    'problem with cluster faulty',
    {},
    { timeout: 15_000 },
  );
  expect(within(panel).getByText(problem.explanation)).toBeInTheDocument();
  expect(within(panel).getByText(problem.hint)).toBeInTheDocument();
  expect(
    within(panel).getByText(BACKEND_ERRORS[errorType]),
  ).toBeInTheDocument();
  expect(
    screen.getAllByText(new RegExp(`faulty: ${escape(problem.label)}`)).length,
  ).toBeGreaterThan(0);
}

describe('every view explains a failing cluster and still shows the others', () => {
  it.each(views)('%s', async (_name, view, healthyText) => {
    render(view, 'unauthorized');
    await expectExplained('unauthorized');
    expect(
      (await screen.findAllByText(healthyText, { exact: false })).length,
    ).toBeGreaterThan(0);
  });
});

describe('the Placement tab explains every error kind', () => {
  it.each(clusterErrorTypeSchema.options)('%s', async errorType => {
    render(<EntityPlacementContent />, errorType);
    await expectExplained(errorType);
    const lab = screen.getByRole('region', {
      name: 'placement in cluster lab',
    });
    expect(
      within(lab).getByText('pihole-hetzner-7d9f-abcde'),
    ).toBeInTheDocument();
  });

  it('tells a 401 to check the ServiceAccount token in the kubernetes config', async () => {
    render(<EntityPlacementContent />, 'unauthorized');
    expect(
      await screen.findByText(
        /kubernetes\.clusterLocatorMethods\[\]\.clusters\[\]\.serviceAccountToken/,
      ),
    ).toBeInTheDocument();
  });
});
