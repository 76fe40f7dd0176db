/* eslint-disable no-console */
// Flux source artifact benchmark: `yarn workspace @internal/cloudlab-bench bench:artifact
// [--files N] [--megabytes N] [--rounds N]`. Writes a tree of N files (default 10,000) holding
// M megabytes (default 20) of YAML-like text, packs it with the system's `tar -czf` (GNU tar: a
// producer other than the tests' own writer), serves it over loopback HTTP and times
// `fetchArtifact` (download, digest, gunzip, tar reading, writing every file), then an
// `ArtifactStore` checkout of the same digest (reuse, no download). Prints figures; asserts nothing.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  ArtifactStore,
  fetchArtifact,
} from '@cloudlab/plugin-multi-provider-node';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

async function main() {
  const files = arg('files', 10_000);
  const megabytes = arg('megabytes', 20);
  const rounds = arg('rounds', 3);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'artifact-bench-'));
  try {
    const tree = path.join(work, 'tree');
    const perFile = Math.floor((megabytes * 1024 * 1024) / files);
    for (let i = 0; i < files; i++) {
      const dir = path.join(tree, 'apps', `app-${Math.floor(i / 100)}`, 'base');
      fs.mkdirSync(dir, { recursive: true });
      const line = `# app ${i}: ${createHash('sha256')
        .update(String(i))
        .digest('hex')}\n`;
      fs.writeFileSync(
        path.join(dir, `resource-${i}.yaml`),
        line.repeat(Math.ceil(perFile / line.length)).slice(0, perFile),
      );
    }
    const archive = path.join(work, 'artifact.tar.gz');
    execFileSync('tar', ['-czf', archive, '-C', tree, '.']);
    const body = fs.readFileSync(archive);
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;

    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(body.length) });
      res.end(body);
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/artifact.tar.gz`;

    console.log(
      `artifact: ${files} files, ${megabytes.toFixed(1)} MB uncompressed, ${(
        body.length /
        1024 /
        1024
      ).toFixed(1)} MB compressed`,
    );
    for (let round = 1; round <= rounds; round++) {
      const targetDir = path.join(work, `fetch-${round}`);
      const rssBefore = process.memoryUsage().rss;
      let peakRss = rssBefore;
      const sampler = setInterval(() => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }, 10);
      const started = process.hrtime.bigint();
      const fetched = await fetchArtifact({
        url,
        digest,
        targetDir,
        limits: { files: files + 1 },
      });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      clearInterval(sampler);
      console.log(
        `round ${round}: fetch+extract ${ms.toFixed(0)} ms, ${(
          fetched.bytes /
          1024 /
          1024 /
          (ms / 1000)
        ).toFixed(1)} MB/s of files, ${Math.round(
          fetched.files / (ms / 1000),
        )} files/s, RSS growth ${((peakRss - rssBefore) / 1024 / 1024).toFixed(
          1,
        )} MB`,
      );
    }

    const store = new ArtifactStore({ workDir: path.join(work, 'store') });
    await store.checkout({ url, digest });
    const started = process.hrtime.bigint();
    const again = await store.checkout({ url, digest });
    console.log(
      `store: second checkout of the same digest ${(
        Number(process.hrtime.bigint() - started) / 1e6
      ).toFixed(1)} ms, downloaded=${again.downloaded}`,
    );
    server.close();
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
