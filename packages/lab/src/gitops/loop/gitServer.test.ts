import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CHARTS_PATH, gitHttpHandler, NO_SUCH_CHART } from './gitServer';

describe('the chart hosts’ stand-in', () => {
  it('answers every chart request with 404 and says why, even beside a repository named charts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'git-srv-'));
    execFileSync('git', ['init', '-q', '--bare', path.join(dir, 'charts.git')]);
    const server = http.createServer(gitHttpHandler(dir));
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      for (const p of ['index.yaml', 'hetzner/index.yaml', 'vault-0.30.0.tgz']) {
        const res = await fetch(`http://127.0.0.1:${port}${CHARTS_PATH}${p}`);
        expect(res.status).toBe(404);
        expect(await res.text()).toBe(NO_SUCH_CHART);
      }
      // The Git routes are untouched.
      const refs = await fetch(`http://127.0.0.1:${port}/charts.git/info/refs?service=git-upload-pack`);
      expect(refs.status).toBe(200);
      // The loop's health check: 200 with no repository to serve.
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
