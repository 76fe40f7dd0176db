import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import {
  assertRequiredEnvironment,
  configFiles,
  missingVariables,
} from './requiredEnvironment';

const OPTED_IN = `
cloudlab:
  deployment:
    requireEnvironment: true
backend:
  baseUrl: \${BASE_URL}
  auth:
    keys:
      - secret: \${BACKEND_SECRET}
  database:
    connection:
      host: \${POSTGRES_HOST}
      port: \${POSTGRES_PORT:-5432}
      note: literal $\${NOT_A_VARIABLE}
`;

describe('missingVariables', () => {
  it('names each unset variable of an opted-in file with the key it sets', () => {
    expect(
      missingVariables('prod.yaml', OPTED_IN, { BASE_URL: 'http://x' }),
    ).toEqual([
      {
        file: 'prod.yaml',
        key: 'backend.auth.keys[0].secret',
        variable: 'BACKEND_SECRET',
      },
      {
        file: 'prod.yaml',
        key: 'backend.database.connection.host',
        variable: 'POSTGRES_HOST',
      },
    ]);
  });

  it('accepts a file whose variables are all set, fallbacks and escapes included (must not fire)', () => {
    expect(
      missingVariables('prod.yaml', OPTED_IN, {
        BASE_URL: 'http://x',
        BACKEND_SECRET: 's',
        POSTGRES_HOST: 'db',
      }),
    ).toEqual([]);
  });

  it('treats an empty variable as missing', () => {
    expect(
      missingVariables('prod.yaml', OPTED_IN, {
        BASE_URL: '',
        BACKEND_SECRET: 's',
        POSTGRES_HOST: 'db',
      }).map(m => m.variable),
    ).toEqual(['BASE_URL']);
  });

  it('leaves a file that did not opt in alone (the development config)', () => {
    expect(
      missingVariables(
        'app-config.yaml',
        'integrations:\n  github:\n    - token: ${GITHUB_TOKEN}\n',
        {},
      ),
    ).toEqual([]);
  });
});

describe('assertRequiredEnvironment', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'required-env-'));
  const prod = path.join(dir, 'prod.yaml');
  fs.writeFileSync(prod, OPTED_IN);

  it('reads the --config files of the command line', () => {
    expect(
      configFiles(['node', 'x', '--config', 'a.yaml', '--config=b.yaml']),
    ).toEqual(['a.yaml', 'b.yaml']);
  });

  it('throws naming the key and the variable', () => {
    expect(() =>
      assertRequiredEnvironment(['node', 'x', '--config', prod], {
        BASE_URL: 'http://x',
        BACKEND_SECRET: 's',
      }),
    ).toThrow(
      `cannot start: backend.database.connection.host needs POSTGRES_HOST (${prod})`,
    );
  });

  it("passes this repository's production config when the deployment's variables are set", () => {
    const file = path.resolve(
      __dirname,
      '../../../../app-config.production.yaml',
    );
    const text = fs.readFileSync(file, 'utf8');
    const names = missingVariables(file, text, {}).map(m => m.variable);
    // The production config opted in, and names the database and the backend secret.
    expect(names).toEqual(
      expect.arrayContaining([
        'POSTGRES_HOST',
        'POSTGRES_PASSWORD',
        'BACKEND_SECRET',
      ]),
    );
    const env = Object.fromEntries(names.map(n => [n, 'set']));
    expect(() =>
      assertRequiredEnvironment(['node', 'x', '--config', file], env),
    ).not.toThrow();
  });

  it("is satisfied by the portal's Deployment in gitops/ (every variable the production config needs is set there)", () => {
    const root = path.resolve(__dirname, '../../../..');
    const file = path.join(root, 'app-config.production.yaml');
    const deployment = YAML.parse(
      fs.readFileSync(
        path.join(root, 'gitops/platform/portal/deployment.yaml'),
        'utf8',
      ),
    );
    const env = Object.fromEntries(
      deployment.spec.template.spec.containers[0].env.map(
        (e: { name: string }) => [e.name, 'from the pod'],
      ),
    );
    expect(missingVariables(file, fs.readFileSync(file, 'utf8'), env)).toEqual(
      [],
    );
  });
});
