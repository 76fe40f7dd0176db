import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureServingPki } from '../../controlPlane/pki';
import { labPaths } from '../../paths';
import { initializeOpenbao, openbaoConfig } from './openbaoServer';
import { requestText } from './tlsRequest';
import { VaultApi } from './vault';

const bao = path.join(labPaths().bin, 'bao');
// The binary is installed by scripts/lab-gitops-build.sh; before that there is nothing to start.
const withBao = fs.existsSync(bao) ? describe : describe.skip;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

withBao('the lab OpenBao server over TLS', () => {
  let dir: string;
  let proc: ChildProcess;
  let address: string;
  let ca: string;
  let otherCa: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openbao-'));
    const pki = ensureServingPki(path.join(dir, 'tls'), 'test-vault-ca', 'openbao');
    // Another CA of the same kind: a server certificate of the first must not verify with it.
    otherCa = fs.readFileSync(
      ensureServingPki(path.join(dir, 'other'), 'test-other-ca', 'other').caFile,
      'utf8',
    );
    ca = fs.readFileSync(pki.caFile, 'utf8');
    const port = await freePort();
    address = `https://127.0.0.1:${port}`;
    fs.writeFileSync(path.join(dir, 'openbao.hcl'), openbaoConfig(port, pki));
    proc = spawn(bao, ['server', `-config=${path.join(dir, 'openbao.hcl')}`], {
      env: { ...process.env, HOME: dir },
      stdio: 'ignore',
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const r = await requestText(
          `${address}/v1/sys/health?uninitcode=200&sealedcode=200`,
          { ca, timeoutMs: 1000 },
        );
        if (r.status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`bao did not listen on ${address}`);
      await new Promise(r => setTimeout(r, 200));
    }
  }, 60_000);

  afterAll(() => {
    proc?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is initialised and unsealed once, and then answers with the lab token only', async () => {
    expect(await initializeOpenbao(address, ca, 'lab-test-token')).toBe('initialized');
    expect(await initializeOpenbao(address, ca, 'lab-test-token')).toBe('ready');
    const lab = new VaultApi(address, 'lab-test-token', ca);
    await lab.call('POST', 'sys/mounts/kv', { type: 'kv', options: { version: '2' } });
    expect((await lab.request('GET', 'sys/mounts')).status).toBe(200);
    expect((await new VaultApi(address, 'guess', ca).request('GET', 'sys/mounts')).status).toBe(403);
  }, 30_000);

  it('refuses a client that trusts another CA, and plain http', async () => {
    await expect(
      new VaultApi(address, 'lab-test-token', otherCa).request('GET', 'sys/mounts'),
    ).rejects.toThrow(/self[- ]signed certificate|unable to verify|unknown authority/i);
    const plain = await requestText(`${address.replace('https:', 'http:')}/v1/sys/health`);
    expect(plain.status).toBe(400);
  });
});
