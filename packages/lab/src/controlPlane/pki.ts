import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A client or serving certificate the lab issues from its CA. */
interface CertRequest {
  name: string;
  cn: string;
  org?: string;
  /** subjectAltName entries, e.g. `IP:127.0.0.1`; makes it a serving certificate. */
  sans?: string[];
}

const CERTS: CertRequest[] = [
  {
    name: 'apiserver',
    cn: 'kube-apiserver',
    sans: [
      'IP:127.0.0.1',
      'IP:10.96.0.1',
      'DNS:localhost',
      'DNS:kubernetes',
      'DNS:kubernetes.default',
      'DNS:kubernetes.default.svc',
      'DNS:kubernetes.default.svc.cluster.local',
    ],
  },
  { name: 'admin', cn: 'cloudlab-admin', org: 'system:masters' },
  { name: 'controller-manager', cn: 'system:kube-controller-manager' },
  { name: 'scheduler', cn: 'system:kube-scheduler' },
  // The aggregation layer's client certificate (requestheader authentication of extension servers).
  { name: 'front-proxy-client', cn: 'front-proxy-client' },
  // kwok updates status of nodes and pods of many nodes, which the Node authorizer would refuse.
  { name: 'kwok', cn: 'kwok-controller', org: 'system:masters' },
];

function openssl(args: string[], cwd: string) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Creates a self-signed CA `<name>.crt`/`<name>.key` in `dir` once. */
function ensureCa(dir: string, name: string, cn: string) {
  if (fs.existsSync(path.join(dir, `${name}.crt`))) return;
  openssl(['genrsa', '-out', `${name}.key`, '2048'], dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-nodes',
      '-key',
      `${name}.key`,
      '-sha256',
      '-days',
      '3650',
      '-subj',
      `/CN=${cn}`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
}

/** Issues `<c.name>.crt`/`.key` in `dir` from the CA `<caName>` of the same directory, once. */
function ensureCert(dir: string, caName: string, c: CertRequest) {
  if (fs.existsSync(path.join(dir, `${c.name}.crt`))) return;
  const subj = `${c.org ? `/O=${c.org}` : ''}/CN=${c.cn}`;
  const ext = [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${c.sans ? 'serverAuth,clientAuth' : 'clientAuth'}`,
    ...(c.sans ? [`subjectAltName=${c.sans.join(',')}`] : []),
  ].join('\n');
  fs.writeFileSync(path.join(dir, `${c.name}.ext`), `${ext}\n`);
  openssl(['genrsa', '-out', `${c.name}.key`, '2048'], dir);
  openssl(
    [
      'req',
      '-new',
      '-key',
      `${c.name}.key`,
      '-subj',
      subj,
      '-out',
      `${c.name}.csr`,
    ],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${c.name}.csr`,
      '-CA',
      `${caName}.crt`,
      '-CAkey',
      `${caName}.key`,
      '-CAcreateserial',
      '-days',
      '3650',
      '-sha256',
      '-extfile',
      `${c.name}.ext`,
      '-out',
      `${c.name}.crt`,
    ],
    dir,
  );
}

/**
 * Creates the lab PKI once (idempotent): a CA, the API server's serving certificate, client
 * certificates for the admin, the controllers and kwok, and the service-account signing key pair.
 */
export function ensurePki(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  ensureCa(dir, 'ca', 'cloudlab-lab-ca');
  if (!fs.existsSync(path.join(dir, 'sa.key'))) {
    openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
    openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  }
  for (const c of CERTS) ensureCert(dir, 'ca', c);
}

/** Files of a serving certificate and the CA that issued it. */
export interface ServingPki {
  /** PEM of the CA, the file clients are given to verify the server. */
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * Creates, once, a CA of its own and a serving certificate it issues for loopback
 * (`IP:127.0.0.1`, `DNS:localhost`) in `dir`: the shape of a platform CA and a service's
 * certificate, for a lab process that serves TLS (the Vault API). A CA separate from the
 * cluster's, so trusting one never trusts the other.
 */
export function ensureServingPki(
  dir: string,
  caCn: string,
  serverCn: string,
): ServingPki {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  ensureCa(dir, 'ca', caCn);
  ensureCert(dir, 'ca', {
    name: 'server',
    cn: serverCn,
    sans: ['IP:127.0.0.1', 'DNS:localhost'],
  });
  return {
    caFile: path.join(dir, 'ca.crt'),
    certFile: path.join(dir, 'server.crt'),
    keyFile: path.join(dir, 'server.key'),
  };
}

/** Writes a kubeconfig that authenticates with one of the lab's client certificates. */
export function writeKubeconfig(
  file: string,
  server: string,
  pkiDir: string,
  user: string,
): void {
  const b64 = (f: string) =>
    fs.readFileSync(path.join(pkiDir, f)).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'cloudlab-lab',
        cluster: { server, 'certificate-authority-data': b64('ca.crt') },
      },
    ],
    users: [
      {
        name: user,
        user: {
          'client-certificate-data': b64(`${user}.crt`),
          'client-key-data': b64(`${user}.key`),
        },
      },
    ],
    contexts: [
      { name: 'cloudlab-lab', context: { cluster: 'cloudlab-lab', user } },
    ],
    'current-context': 'cloudlab-lab',
  };
  // JSON is valid YAML; kubeconfig readers accept it.
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, {
    mode: 0o600,
  });
}
