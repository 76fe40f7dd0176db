import type {
  EntityGitOpsResponse,
  EntitySecretsResponse,
  FluxObject,
  PlatformGitOpsResponse,
} from '@cloudlab/plugin-multi-provider-common';

const k = (
  name: string,
  state: FluxObject['state'],
  extra: Partial<FluxObject> = {},
): FluxObject => ({
  cluster: 'lab',
  kind: 'Kustomization',
  namespace: 'flux-system',
  name,
  state,
  suspended: false,
  conditions: [],
  dependsOn: [],
  ...extra,
});

/** A Pi-hole instance whose dependency failed: the roll-up is degraded with Flux's reason. */
export function piholeGitOps(): EntityGitOpsResponse {
  const vsoConfig = k('platform-vso-config', 'failed', {
    reason: 'ReconciliationFailed',
    message: 'replicas: Invalid value',
  });
  return {
    entityRef: 'component:default/pihole-hetzner',
    rollup: {
      verdict: 'degraded',
      summary:
        'Ready, but a dependency or source is not: Kustomization flux-system/platform-vso-config (lab)',
      reason: 'ReconciliationFailed',
      message: 'replicas: Invalid value',
      object: {
        cluster: 'lab',
        kind: 'Kustomization',
        namespace: 'flux-system',
        name: 'platform-vso-config',
      },
    },
    clusters: [
      {
        cluster: 'lab',
        state: 'synced',
        objects: [
          k('apps-pihole-hetzner', 'ready', {
            lastAppliedRevision:
              'main@sha1:0123456789abcdef0123456789abcdef01234567',
            inventory: [
              {
                namespace: 'pihole-hetzner',
                name: 'pihole',
                group: 'apps',
                kind: 'Deployment',
                version: 'v1',
                placement: { pods: 1, nodes: ['hz-fsn-a'] },
              },
            ],
          }),
        ],
        related: [vsoConfig],
        links: [
          {
            from: {
              cluster: 'lab',
              kind: 'Kustomization',
              namespace: 'flux-system',
              name: 'apps-pihole-hetzner',
            },
            to: {
              cluster: 'lab',
              kind: 'Kustomization',
              namespace: 'flux-system',
              name: 'platform-vso-config',
            },
            relation: 'dependsOn',
            state: 'failed',
            reason: 'ReconciliationFailed',
          },
        ],
        unavailable: [],
      },
    ],
  };
}

/** The Pi-hole instance's synced admin Secret. */
export function piholeSecrets(): EntitySecretsResponse {
  return {
    entityRef: 'component:default/pihole-hetzner',
    clusters: [
      {
        cluster: 'lab',
        state: 'synced',
        secrets: [
          {
            cluster: 'lab',
            kind: 'VaultStaticSecret',
            namespace: 'pihole-hetzner',
            name: 'pihole-admin',
            conditions: [],
            state: 'synced',
            reason: 'Synced',
            mount: 'kv',
            path: 'apps/pihole/hetzner/admin',
            refreshAfter: '1h',
            lastSync: '2026-01-01T00:01:00Z',
            destination: { name: 'pihole-admin', create: true },
            destinationExists: true,
            rolloutRestartTargets: [{ kind: 'Deployment', name: 'pihole' }],
          },
        ],
        auths: [
          {
            cluster: 'lab',
            kind: 'VaultAuth',
            namespace: 'pihole-hetzner',
            name: 'pihole',
            conditions: [],
            state: 'valid',
            method: 'kubernetes',
            role: 'pihole',
          },
        ],
        unavailable: [],
      },
    ],
  };
}

/** The platform list: one healthy, one failing object. */
export function platformGitOps(): PlatformGitOpsResponse {
  const row = (name: string, verdict: 'healthy' | 'failing') => ({
    ...k(name, verdict === 'healthy' ? 'ready' : 'failed'),
    rollup: {
      verdict,
      summary: verdict === 'healthy' ? 'ok' : 'Flux cannot reconcile',
      ...(verdict === 'failing' ? { reason: 'ReconciliationFailed' } : {}),
    },
  });
  return {
    clusters: [
      {
        cluster: 'lab',
        state: 'synced',
        objects: [
          row('platform-rbac', 'healthy'),
          row('platform-vso-config', 'failing'),
        ],
        counts: {
          healthy: 1,
          progressing: 0,
          suspended: 0,
          degraded: 0,
          failing: 1,
          unknown: 0,
        },
        unavailable: [],
      },
    ],
  };
}
