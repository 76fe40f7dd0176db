import {
  declaredSecretKeys,
  secretContractOf,
  secretKeysDeclaration,
} from './secretContract';

const grafana = {
  apiVersion: 'secrets.hashicorp.com/v1beta1',
  kind: 'VaultStaticSecret',
  metadata: { name: 'grafana-admin', namespace: 'monitoring' },
  spec: {
    vaultAuthRef: 'monitoring',
    type: 'kv-v2',
    mount: 'kv',
    path: 'platform/grafana/admin',
    destination: {
      name: 'grafana-secret',
      create: true,
      transformation: { excludeRaw: true, includes: ['^username$', '^password$'] },
    },
  },
};

describe('secretContractOf', () => {
  it('reads the Secret, the Vault secret and the declared keys', () => {
    expect(secretContractOf(grafana)).toEqual({
      namespace: 'monitoring',
      name: 'grafana-admin',
      secret: 'grafana-secret',
      mount: 'kv',
      path: 'platform/grafana/admin',
      vaultAuthRef: 'monitoring',
      keys: ['username', 'password'],
    });
  });

  it('names the object and the field of an undeclared destination', () => {
    const { transformation, ...bare } = grafana.spec.destination;
    expect(() =>
      secretContractOf({ ...grafana, spec: { ...grafana.spec, destination: bare } }),
    ).toThrow(
      'VaultStaticSecret monitoring/grafana-admin: spec.destination.transformation is missing',
    );
  });

  it('names a missing Vault path', () => {
    const { path, ...noPath } = grafana.spec;
    expect(() => secretContractOf({ ...grafana, spec: noPath })).toThrow(
      'VaultStaticSecret monitoring/grafana-admin: spec.path: Required',
    );
  });
});

describe('secretKeysDeclaration', () => {
  it('writes the form declaredSecretKeys reads back, dots literal', () => {
    const keys = ['password', 'tls.crt', 'db_user'];
    const t = secretKeysDeclaration(keys);
    expect(t).toEqual({
      excludeRaw: true,
      includes: ['^password$', '^tls\\.crt$', '^db_user$'],
    });
    expect(declaredSecretKeys({ transformation: t })).toEqual(keys);
  });
});
