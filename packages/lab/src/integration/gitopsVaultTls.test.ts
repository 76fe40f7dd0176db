import fs from 'node:fs';
import { KubeRest } from '../kube/rest';
import { gitopsPorts, VAULT_CA_SECRET } from '../gitops/loop/components';
import { gitopsStatus, labVault, labVaultCaPem } from '../gitops/loop/loop';
import {
  applyObj as applyAs,
  describeGitops,
  eventually,
  getJson,
  labFixture,
  LabFixture,
} from './labFixture';

/**
 * Proof that VSO reaches the lab's OpenBao over TLS and verifies it (docs/adr/1016-vault-tls.md):
 * the platform's connection names the CA Secret the lab wrote; a connection trusting the lab's
 * Vault CA syncs a secret; one trusting another CA (the cluster's) is refused with the TLS reason
 * and syncs nothing. Secret values are never read: only keys and existence are checked.
 */

jest.setTimeout(600_000);

const VSO = '/apis/secrets.hashicorp.com/v1beta1';
const NS = 'gitops-proof-vault-tls';
const ROLE = 'gitops-proof-vault-tls';
const SA = 'proof-vault';

const applyObj = (rest: KubeRest, p: string, obj: object) =>
  applyAs(rest, p, obj, 'cloudlab-lab-gitops-test');

describeGitops('Vault over TLS in the lab', () => {
  let fx: LabFixture;
  let rest: KubeRest;

  beforeAll(async () => {
    fx = await labFixture();
    rest = fx.clients.rest;
    await eventually(
      'every process of the GitOps loop healthy (else: yarn lab gitops up)',
      async () =>
        (await gitopsStatus()).filter(s => !s.healthy).map(s => s.name),
      (down: string[]) => down.length === 0,
      (down: string[]) => `not healthy: ${down.join(', ')}`,
      60_000,
    );
  });

  it('gives the platform connection https and the CA the lab wrote', async () => {
    const conn = await eventually(
      'the platform VaultConnection',
      () =>
        getJson(
          rest,
          `${VSO}/namespaces/${VAULT_CA_SECRET.namespace}/vaultconnections/default`,
        ),
      o => Boolean(o?.spec),
      () => 'absent',
    );
    expect(conn.spec.address).toBe(`https://127.0.0.1:${gitopsPorts().vault}`);
    expect(conn.spec.caCertSecretRef).toBe(VAULT_CA_SECRET.name);
    expect(conn.spec.skipTLSVerify ?? false).toBe(false);
    const ca = await getJson(
      rest,
      `/api/v1/namespaces/${VAULT_CA_SECRET.namespace}/secrets/${VAULT_CA_SECRET.name}`,
    );
    // A CA certificate is public: comparing it is not reading a secret value.
    expect(Buffer.from(ca.data['ca.crt'], 'base64').toString()).toBe(
      labVaultCaPem(fx.paths),
    );
  });

  it('syncs through a connection that trusts the lab Vault CA, and refuses one that trusts another CA', async () => {
    await eventually(
      `namespace ${NS} from an earlier run gone`,
      () => getJson(rest, `/api/v1/namespaces/${NS}`),
      o => o === undefined || !o.metadata.deletionTimestamp,
      () => 'terminating',
      120_000,
    );
    const vault = labVault(fx.paths);
    await vault.call('POST', `auth/kubernetes/role/${ROLE}`, {
      bound_service_account_names: [SA],
      bound_service_account_namespaces: [NS],
      audience: 'vault',
      token_policies: ['pihole-read'],
      token_ttl: 600,
    });
    const caSecret = (name: string, pem: string) =>
      applyObj(rest, `/api/v1/namespaces/${NS}/secrets/${name}`, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: NS },
        data: { 'ca.crt': Buffer.from(pem).toString('base64') },
      });
    const chain = async (name: string, caSecretName: string) => {
      await applyObj(rest, `${VSO}/namespaces/${NS}/vaultconnections/${name}`, {
        apiVersion: 'secrets.hashicorp.com/v1beta1',
        kind: 'VaultConnection',
        metadata: { name, namespace: NS },
        spec: {
          address: `https://127.0.0.1:${gitopsPorts().vault}`,
          caCertSecretRef: caSecretName,
          skipTLSVerify: false,
        },
      });
      await applyObj(rest, `${VSO}/namespaces/${NS}/vaultauths/${name}`, {
        apiVersion: 'secrets.hashicorp.com/v1beta1',
        kind: 'VaultAuth',
        metadata: { name, namespace: NS },
        spec: {
          vaultConnectionRef: name,
          method: 'kubernetes',
          mount: 'kubernetes',
          kubernetes: {
            role: ROLE,
            serviceAccount: SA,
            audiences: ['vault'],
            tokenExpirationSeconds: 600,
          },
        },
      });
      await applyObj(
        rest,
        `${VSO}/namespaces/${NS}/vaultstaticsecrets/${name}`,
        {
          apiVersion: 'secrets.hashicorp.com/v1beta1',
          kind: 'VaultStaticSecret',
          metadata: { name, namespace: NS },
          spec: {
            vaultAuthRef: name,
            type: 'kv-v2',
            mount: 'kv',
            path: 'apps/pihole/hetzner/admin',
            refreshAfter: '5s',
            destination: { name, create: true },
          },
        },
      );
    };
    try {
      await applyObj(rest, `/api/v1/namespaces/${NS}`, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: NS },
      });
      await applyObj(rest, `/api/v1/namespaces/${NS}/serviceaccounts/${SA}`, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: SA, namespace: NS },
      });
      await caSecret('lab-vault-ca', labVaultCaPem(fx.paths));
      // The cluster's CA: real, valid, and not the one that issued OpenBao's certificate.
      await caSecret('cluster-ca', fs.readFileSync(fx.paths.caCert, 'utf8'));
      await chain('trusted', 'lab-vault-ca');
      await chain('wrong-ca', 'cluster-ca');

      const synced = await eventually(
        'the Secret synced through the trusting connection',
        () => getJson(rest, `/api/v1/namespaces/${NS}/secrets/trusted`),
        o => Boolean(o?.data),
        () => 'absent',
        120_000,
      );
      expect(Object.keys(synced.data)).toContain('password');

      const refusals = await eventually(
        'a Warning event on VaultStaticSecret wrong-ca naming the certificate',
        async () =>
          (
            (await getJson(rest, `/api/v1/namespaces/${NS}/events`))?.items ??
            []
          ).filter(
            (e: any) =>
              e.involvedObject?.kind === 'VaultStaticSecret' &&
              e.involvedObject?.name === 'wrong-ca' &&
              e.type === 'Warning' &&
              /x509|certificate signed by unknown authority|tls/i.test(
                e.message ?? '',
              ),
          ),
        (l: any[]) => l.length > 0,
        () => 'no TLS warning yet',
        120_000,
      );
      expect(refusals[0].message).toMatch(
        /certificate signed by unknown authority/,
      );
      expect(
        await getJson(rest, `/api/v1/namespaces/${NS}/secrets/wrong-ca`),
      ).toBeUndefined();
    } finally {
      await rest.request('DELETE', `/api/v1/namespaces/${NS}`);
      await vault.request('DELETE', `auth/kubernetes/role/${ROLE}`);
    }
  });
});
