import { ServingPki } from '../../controlPlane/pki';
import { VaultApi } from './vault';

/**
 * The server configuration of the lab's OpenBao: in memory (nothing survives a restart, as with
 * a dev server) and one listener on loopback that serves TLS only, from the lab-issued
 * certificate, the way the platform's Vault serves its cert-manager certificate.
 */
export function openbaoConfig(port: number, pki: ServingPki): string {
  const q = (s: string) => JSON.stringify(s);
  return [
    'disable_mlock = true',
    'ui = false',
    'storage "inmem" {}',
    'listener "tcp" {',
    `  address = ${q(`127.0.0.1:${port}`)}`,
    `  tls_cert_file = ${q(pki.certFile)}`,
    `  tls_key_file = ${q(pki.keyFile)}`,
    '}',
    `api_addr = ${q(`https://127.0.0.1:${port}`)}`,
    '',
  ].join('\n');
}

/**
 * Initialises and unseals a fresh OpenBao server (one key share: the key never leaves this
 * call) and gives it the lab's root token, so that the token file stays the one credential of
 * the lab's Vault API; the token the initialisation returned is revoked. A server already
 * initialised and unsealed is left alone; one initialised but sealed cannot be unsealed (its key
 * is gone) and is an error naming the way out.
 */
export async function initializeOpenbao(
  address: string,
  ca: string,
  labToken: string,
): Promise<'initialized' | 'ready'> {
  const anonymous = new VaultApi(address, '', ca);
  const init = await anonymous.call('GET', 'sys/init');
  if (init.initialized) {
    const seal = await anonymous.call('GET', 'sys/seal-status');
    if (seal.sealed) {
      throw new Error(
        `${address}: OpenBao is initialised but sealed; restart it (yarn lab gitops down, then up)`,
      );
    }
    return 'ready';
  }
  const { keys, root_token: initialToken } = await anonymous.call(
    'PUT',
    'sys/init',
    { secret_shares: 1, secret_threshold: 1 },
  );
  await anonymous.call('PUT', 'sys/unseal', { key: keys[0] });
  const initial = new VaultApi(address, initialToken, ca);
  await initial.call('POST', 'auth/token/create', {
    id: labToken,
    policies: ['root'],
    no_parent: true,
    display_name: 'cloudlab-lab',
  });
  await initial.call('POST', 'auth/token/revoke-self');
  return 'initialized';
}
