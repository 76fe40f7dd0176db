/** Flux and VSO objects as the API server returns them (trimmed), for the GitOps tests. */
const ready = (message: string) => [
  {
    type: 'Ready',
    status: 'True',
    reason: 'ReconciliationSucceeded',
    message,
    lastTransitionTime: '2026-01-01T00:00:00Z',
  },
];
const fluxSystem = { namespace: 'flux-system' };

export const gitRepository = {
  metadata: { name: 'flux-system', ...fluxSystem, generation: 1 },
  spec: { url: 'http://127.0.0.1:8480/cloudlab.git', interval: '1m' },
  status: {
    observedGeneration: 1,
    conditions: ready('stored artifact'),
    artifact: { revision: 'main@sha1:abc' },
  },
};

export const rbac = {
  metadata: { name: 'platform-rbac', ...fluxSystem, generation: 1 },
  spec: {
    path: './gitops/platform/rbac',
    sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    interval: '10m',
  },
  status: {
    observedGeneration: 1,
    conditions: ready('Applied revision: main@sha1:abc'),
    lastAppliedRevision: 'main@sha1:abc',
    lastAttemptedRevision: 'main@sha1:abc',
  },
};

export const vsoConfig = {
  metadata: { name: 'platform-vso-config', ...fluxSystem, generation: 2 },
  spec: {
    path: './gitops/platform/vso/config/lab',
    sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    dependsOn: [{ name: 'platform-rbac' }],
  },
  status: {
    observedGeneration: 2,
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'ReconciliationFailed',
        message: 'Deployment/x dry-run failed: replicas: Invalid value',
      },
    ],
    lastAppliedRevision: 'main@sha1:abc',
    lastAttemptedRevision: 'main@sha1:def',
  },
};

export const pihole = {
  metadata: {
    name: 'apps-pihole-hetzner',
    ...fluxSystem,
    generation: 1,
    annotations: { 'reconcile.fluxcd.io/requestedAt': '2026-01-01T00:00:00Z' },
  },
  spec: {
    path: './gitops/apps/pihole/hetzner',
    sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    dependsOn: [{ name: 'platform-vso-config' }],
  },
  status: {
    observedGeneration: 1,
    conditions: ready('Applied revision: main@sha1:abc'),
    lastAppliedRevision: 'main@sha1:abc',
    lastAttemptedRevision: 'main@sha1:abc',
    inventory: {
      entries: [
        { id: '_pihole-hetzner__Namespace', v: 'v1' },
        { id: 'pihole-hetzner_pihole_apps_Deployment', v: 'v1' },
        {
          id: 'pihole-hetzner_pihole_secrets.hashicorp.com_VaultAuth',
          v: 'v1beta1',
        },
        {
          id: 'pihole-hetzner_pihole-admin_secrets.hashicorp.com_VaultStaticSecret',
          v: 'v1beta1',
        },
      ],
    },
  },
};

export const helmRelease = {
  metadata: { name: 'vault', namespace: 'vault', generation: 1 },
  spec: {
    chart: {
      spec: {
        chart: 'vault',
        version: '0.30.0',
        sourceRef: {
          kind: 'HelmRepository',
          name: 'hashicorp',
          namespace: 'flux-system',
        },
      },
    },
  },
  status: {
    observedGeneration: 1,
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'SourceNotReady',
        message: "HelmChart 'flux-system/vault-vault' is not ready",
      },
    ],
  },
};

export const helmRepository = {
  metadata: { name: 'hashicorp', ...fluxSystem, generation: 1 },
  spec: { url: 'https://helm.releases.example/', interval: '1h' },
  status: {
    observedGeneration: 1,
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'Failed',
        message: 'failed to fetch Helm repository index',
      },
    ],
  },
};

/** A value that must never leave the backend (the HMAC VSO keeps of the synced data). */
export const SECRET_MAC = 'gEsqfDt/OhCBESQj0bMoDVXaTiLRrmNZ/ilEo1ei3K0=';

export const staticSecret = {
  metadata: {
    name: 'pihole-admin',
    namespace: 'pihole-hetzner',
    generation: 2,
  },
  spec: {
    mount: 'kv',
    path: 'apps/pihole/hetzner/admin',
    type: 'kv-v2',
    refreshAfter: '1h',
    vaultAuthRef: 'pihole',
    hmacSecretData: true,
    destination: {
      name: 'pihole-admin',
      create: true,
      transformation: {
        templates: { password: { text: '{{ .Secrets.password }}' } },
      },
    },
    rolloutRestartTargets: [{ kind: 'Deployment', name: 'pihole' }],
  },
  status: {
    lastGeneration: 2,
    secretMAC: SECRET_MAC,
    conditions: [
      {
        type: 'SecretSynced',
        status: 'True',
        reason: 'Synced',
        message: 'Secret synced, horizon=52m',
        lastTransitionTime: '2026-01-01T00:01:00Z',
      },
      {
        type: 'Ready',
        status: 'True',
        reason: 'Ready',
        message: 'VaultStaticSecretReady',
      },
    ],
  },
};

export const vaultAuth = {
  metadata: { name: 'pihole', namespace: 'pihole-hetzner', generation: 1 },
  spec: {
    method: 'kubernetes',
    kubernetes: {
      role: 'pihole',
      serviceAccount: 'pihole-vault',
      audiences: ['vault'],
      tokenExpirationSeconds: 600,
    },
    vaultAuthGlobalRef: {
      name: 'platform-global',
      namespace: 'vault-secrets-operator-system',
    },
  },
  status: {
    valid: true,
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Ready',
        message: 'VaultAuthReady',
      },
    ],
  },
};

export const vaultAuthGlobal = {
  metadata: {
    name: 'platform-global',
    namespace: 'vault-secrets-operator-system',
    generation: 1,
  },
  spec: {
    allowedNamespaces: ['pihole-hetzner'],
    defaultAuthMethod: 'kubernetes',
    vaultConnectionRef: 'default',
    kubernetes: { audiences: ['vault'] },
  },
  status: { conditions: [] },
};

export const vaultConnection = {
  metadata: {
    name: 'default',
    namespace: 'vault-secrets-operator-system',
    generation: 1,
  },
  spec: { address: 'http://127.0.0.1:8200' },
  status: { valid: true },
};

/** An entity generated by the Flux catalog module for the Pi-hole instance. */
export const piholeEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'apps-pihole-hetzner',
    namespace: 'default',
    annotations: {
      'cloudlab.dev/flux-kustomizations':
        'lab/flux-system/apps-pihole-hetzner,cloudlab/flux-system/apps-pihole-hetzner',
      'backstage.io/kubernetes-namespace': 'pihole-hetzner',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
};

export const vsoConfigEntity = {
  ...piholeEntity,
  metadata: {
    name: 'platform-vso-config',
    namespace: 'default',
    annotations: {
      'cloudlab.dev/flux-kustomizations': 'lab/flux-system/platform-vso-config',
    },
  },
};

export const vaultEntity = {
  ...piholeEntity,
  metadata: {
    name: 'vault',
    namespace: 'default',
    annotations: {
      'cloudlab.dev/flux-helmreleases': 'lab/vault/vault',
      'cloudlab.dev/flux-applied-by': 'lab/flux-system/platform-rbac',
    },
  },
};

export const goneEntity = {
  ...piholeEntity,
  metadata: {
    name: 'gone',
    namespace: 'default',
    annotations: { 'cloudlab.dev/flux-kustomizations': 'lab/flux-system/gone' },
  },
};
