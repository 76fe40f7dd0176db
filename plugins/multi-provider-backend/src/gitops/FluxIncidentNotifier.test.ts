import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  NotificationSendOptions,
  notificationService,
} from '@backstage/plugin-notifications-node';
import { clusterSourceServiceRef } from '@cloudlab/plugin-multi-provider-node';
import { multiProviderBackend } from '../multiProviderBackend';
import {
  InMemoryCluster,
  InMemoryClusterSource,
} from '../shared/InMemoryClusterSource';
import * as fx from '../__fixtures__/gitops';
import { repositoryCloudlabConfig } from '../__testUtils__/repositoryConfig';
import { FLUX_RESOURCES, VSO_RESOURCES } from './resources';

jest.setTimeout(30_000);

const DEBOUNCE_MS = 300;
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** A second entity claiming the pihole Kustomization, owned by another group. */
const piholeDashboard = {
  ...fx.piholeEntity,
  metadata: {
    name: 'pihole-dashboard',
    namespace: 'default',
    annotations: {
      'cloudlab.dev/flux-kustomizations': 'flux-system/apps-pihole-hetzner',
    },
  },
  spec: { ...fx.piholeEntity.spec, owner: 'group:ops/dns' },
};

const withReady = (
  obj: any,
  status: 'True' | 'False',
  reason: string,
  message: string,
  generation = 2,
) => ({
  ...obj,
  metadata: { ...obj.metadata, generation },
  status: {
    ...obj.status,
    observedGeneration: generation,
    conditions: [{ type: 'Ready', status, reason, message }],
  },
});

async function start(notifications: Record<string, unknown> = {}) {
  const lab = new InMemoryCluster('lab');
  lab.addCustom(FLUX_RESOURCES.GitRepository, [fx.gitRepository]);
  const kustomizations = lab.addCustom(FLUX_RESOURCES.Kustomization, [
    fx.rbac,
    fx.vsoConfig,
    fx.pihole,
  ]);
  const helmReleases = lab.addCustom(FLUX_RESOURCES.HelmRelease, [
    fx.helmRelease,
  ]);
  lab.addCustom(FLUX_RESOURCES.HelmRepository, [fx.helmRepository]);
  lab.addCustom(FLUX_RESOURCES.OCIRepository, []);
  const staticSecrets = lab.addCustom(VSO_RESOURCES.VaultStaticSecret, [
    fx.staticSecret,
  ]);
  lab.addCustom(VSO_RESOURCES.VaultDynamicSecret, []);
  const sent: NotificationSendOptions[] = [];
  const backend = await startTestBackend({
    features: [
      multiProviderBackend,
      mockServices.rootConfig.factory({
        data: {
          cloudlab: {
            ...repositoryCloudlabConfig(),
            notifications: {
              flux: { debounce: { milliseconds: DEBOUNCE_MS }, ...notifications },
            },
          },
        },
      }),
      catalogServiceMock.factory({
        entities: [
          fx.piholeEntity,
          fx.vsoConfigEntity,
          fx.vaultEntity,
          piholeDashboard,
        ],
      }),
      createServiceFactory({
        service: clusterSourceServiceRef,
        deps: {},
        factory: () => new InMemoryClusterSource([lab]),
      }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({
          send: async (n: NotificationSendOptions) => {
            sent.push(n);
          },
        }),
      }),
    ],
  });
  // The first listing is done once every incident kind holds its objects.
  await sleep(200);
  return {
    stop: () => backend.stop(),
    sent,
    kustomizations,
    helmReleases,
    staticSecrets,
  };
}

/** Waits until `n` notifications were sent (or fails, listing what was). */
async function sentCount(sent: NotificationSendOptions[], n: number) {
  for (let i = 0; i < 100 && sent.length < n; i++) await sleep(50);
  expect(sent.map(s => s.payload.title)).toHaveLength(n);
}

describe('Flux incidents notify the owners', () => {
  let stopBackend: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stopBackend?.();
    stopBackend = undefined;
  });

  it('sends one notification per incident to every claiming owner, and one when it recovers', async () => {
    const { stop, sent, kustomizations } = await start();
    stopBackend = stop;
    kustomizations.upsert(
      withReady(fx.pihole, 'False', 'BuildFailed', 'kustomize build failed: missing deployment.yaml'),
    );
    // Flux retries: more failing events within and after the debounce.
    await sleep(DEBOUNCE_MS / 2);
    kustomizations.upsert(
      withReady(fx.pihole, 'False', 'BuildFailed', 'kustomize build failed (retry 2)'),
    );
    await sentCount(sent, 1);
    kustomizations.upsert(
      withReady(fx.pihole, 'False', 'BuildFailed', 'kustomize build failed (retry 3)'),
    );
    await sleep(DEBOUNCE_MS * 2);
    expect(sent).toHaveLength(1);
    const [opened] = sent;
    expect(opened.recipients).toEqual({
      type: 'entity',
      entityRef: ['group:default/team-a', 'group:ops/dns'],
    });
    expect(opened.payload).toMatchObject({
      title:
        'Flux Kustomization flux-system/apps-pihole-hetzner (lab) is failing',
      severity: 'high',
      topic: 'flux-incident',
      scope: 'cloudlab:flux:lab/Kustomization/flux-system/apps-pihole-hetzner',
      link: '/catalog/default/component/apps-pihole-hetzner/gitops',
    });
    expect(opened.payload.description).toContain(
      'BuildFailed: kustomize build failed (retry 2)',
    );

    kustomizations.upsert(
      withReady(fx.pihole, 'True', 'ReconciliationSucceeded', 'Applied revision: main@sha1:def'),
    );
    await sentCount(sent, 2);
    const resolved = sent[1];
    expect(resolved.recipients).toEqual(opened.recipients);
    expect(resolved.payload).toMatchObject({
      title:
        'Flux Kustomization flux-system/apps-pihole-hetzner (lab) is Ready again',
      severity: 'normal',
      scope: opened.payload.scope,
      link: opened.payload.link,
    });
  });

  it('tells the owners of the entities whose Secrets card shows a VSO secret that stopped syncing', async () => {
    const { stop, sent, staticSecrets } = await start();
    stopBackend = stop;
    const synced = (status: 'True' | 'False', reason: string, message: string) => ({
      ...fx.staticSecret,
      status: {
        ...fx.staticSecret.status,
        conditions: [{ type: 'SecretSynced', status, reason, message }],
      },
    });
    staticSecrets.upsert(
      synced('False', 'VaultClientError', 'permission denied on kv/apps/pihole'),
    );
    await sentCount(sent, 1);
    // In the entity's namespace (apps-pihole-hetzner) and applied by the Kustomization the
    // dashboard claims (its inventory).
    expect(sent[0].recipients).toEqual({
      type: 'entity',
      entityRef: ['group:default/team-a', 'group:ops/dns'],
    });
    expect(sent[0].payload).toMatchObject({
      title:
        'VaultStaticSecret pihole-hetzner/pihole-admin (lab) stopped syncing',
      severity: 'high',
      scope: 'cloudlab:flux:lab/VaultStaticSecret/pihole-hetzner/pihole-admin',
    });
    expect(sent[0].payload.description).toContain(
      'VaultClientError: permission denied on kv/apps/pihole',
    );
    staticSecrets.upsert(synced('True', 'SecretSynced', 'Secret synced'));
    await sentCount(sent, 2);
    expect(sent[1].payload).toMatchObject({
      title: 'VaultStaticSecret pihole-hetzner/pihole-admin (lab) is synced again',
      severity: 'normal',
      scope: sent[0].payload.scope,
    });
  });

  it('sends nothing for a failure that recovers within the debounce', async () => {
    const { stop, sent, kustomizations } = await start();
    stopBackend = stop;
    kustomizations.upsert(
      withReady(fx.pihole, 'False', 'HealthCheckFailed', 'timeout'),
    );
    kustomizations.upsert(
      withReady(fx.pihole, 'True', 'ReconciliationSucceeded', 'ok', 3),
    );
    await sleep(DEBOUNCE_MS * 3);
    expect(sent).toEqual([]);
  });

  it('tells nobody about an object only applied-by annotations point at, or one failing since before it started', async () => {
    const { stop, sent, kustomizations, helmReleases } = await start();
    stopBackend = stop;
    // platform-rbac applies the vault entity, which does not own it.
    kustomizations.upsert(
      withReady(fx.rbac, 'False', 'BuildFailed', 'broken'),
    );
    // The vault HelmRelease was failing at the first listing.
    helmReleases.upsert(
      withReady(fx.helmRelease, 'False', 'InstallFailed', 'still failing'),
    );
    await sleep(DEBOUNCE_MS * 3);
    expect(sent).toEqual([]);
  });

  it('routes every incident to the configured group', async () => {
    const { stop, sent, kustomizations } = await start({
      recipients: 'group:platform-admins',
    });
    stopBackend = stop;
    kustomizations.upsert(
      withReady(fx.pihole, 'False', 'ReconciliationFailed', 'apply failed'),
    );
    await sentCount(sent, 1);
    expect(sent[0].recipients).toEqual({
      type: 'entity',
      entityRef: ['group:default/platform-admins'],
    });
    expect(sent[0].payload.link).toBe(
      '/catalog/default/component/apps-pihole-hetzner/gitops',
    );
  });

  it('sends nothing when switched off', async () => {
    const { stop, sent, kustomizations } = await start({ enabled: false });
    stopBackend = stop;
    kustomizations.upsert(
      withReady(fx.pihole, 'False', 'BuildFailed', 'broken'),
    );
    await sleep(DEBOUNCE_MS * 3);
    expect(sent).toEqual([]);
  });
});
