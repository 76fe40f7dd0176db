import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, REPOSITORY_TREE } from './workspace';

/** The directories of this repository a Git forge stand-in serves as the GitOps repository. */
export const FORGE_DIRS = REPOSITORY_TREE;

/** A repository's files at one commit, as a Git forge holds them. */
export interface ForgeRepository {
  /** File contents by repository-relative POSIX path. */
  files: Map<string, Buffer>;
  /** The commit the branch points at (any 40 hex digits: nothing checks it against the files). */
  commitSha: string;
  /** The files as the gzipped tarball forges answer archive requests with, under `prefix/`. */
  tarball(prefix: string): Buffer;
}

/** Git's object id of a blob: what forges report per file in a tree listing. */
export function gitBlobId(content: Buffer): string {
  return crypto
    .createHash('sha1')
    .update(`blob ${content.length}\0`)
    .update(content)
    .digest('hex');
}

/** This repository's GitOps directories, as the stand-in forge's default branch. */
export function forgeRepository(): ForgeRepository {
  const files = new Map<string, Buffer>();
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(REPO_ROOT, rel), {
      withFileTypes: true,
    })) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (e.isFile())
        files.set(child, fs.readFileSync(path.join(REPO_ROOT, child)));
    }
  };
  FORGE_DIRS.forEach(walk);
  return {
    files,
    commitSha: crypto.createHash('sha1').update('cloudlab-main').digest('hex'),
    tarball(prefix) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudlab-forge-'));
      try {
        for (const [p, content] of files) {
          fs.mkdirSync(path.dirname(path.join(dir, prefix, p)), {
            recursive: true,
          });
          fs.writeFileSync(path.join(dir, prefix, p), content);
        }
        return execFileSync('tar', ['-czf', '-', '-C', dir, prefix], {
          maxBuffer: 64 * 1024 * 1024,
        });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** One request a stand-in forge received. */
export interface RecordedRequest {
  method: string;
  /** The path with each segment decoded (`/api/v4/projects/cloudlab/gitops`). */
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  /** The JSON body, if any. */
  body?: any;
}

/** A handler's answer: status, JSON (or raw bytes) and extra headers. */
export interface ForgeAnswer {
  status: number;
  json?: unknown;
  raw?: Buffer;
  headers?: Record<string, string>;
}

/** A stand-in forge's HTTP server on 127.0.0.1 and the requests it recorded. */
export interface ForgeServer {
  /** `127.0.0.1:<port>`: the integration's `host`. */
  host: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 that records every request and answers it with
 * `handle`; an unhandled route answers 404, as the forge would for an unknown resource.
 */
export async function startForgeServer(
  handle: (req: RecordedRequest, origin: string) => ForgeAnswer | undefined,
): Promise<ForgeServer> {
  const requests: RecordedRequest[] = [];
  let origin = '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', origin);
      const text = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname.split('/').map(decodeURIComponent).join('/'),
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      requests.push(recorded);
      const answer = handle(recorded, origin) ?? {
        status: 404,
        json: { message: '404 Not Found' },
      };
      res.writeHead(answer.status, {
        'content-type': answer.raw
          ? 'application/octet-stream'
          : 'application/json',
        ...answer.headers,
      });
      res.end(answer.raw ?? JSON.stringify(answer.json ?? {}));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    host: `127.0.0.1:${port}`,
    origin,
    requests,
    close: () => new Promise(resolve => server.close(() => resolve())),
  };
}
