import { labClients } from '../../kube/client';
import { labPaths } from '../../paths';
import { gitopsBench } from './bench';
import { OPENBAO_TITLE } from './components';
import { formatFlux, listFlux, requestReconcile } from './flux';
import { serveGit } from './gitServer';
import { gitopsDown, gitopsStatus, gitopsUp } from './loop';

export const GITOPS_USAGE = `  gitops up [--wait]             start the GitOps loop: git server, Gitea forge, ${OPENBAO_TITLE}, Flux, VSO (builds if needed)
  gitops down                    stop it
  gitops status                  pid, health and RSS of each loop process
  gitops bench [--rounds N]      build/install seconds, RSS per process, commit -> Ready time
  flux                           state of every GitRepository/HelmRepository/Kustomization/HelmRelease
  flux reconcile <[Kind/]name> [-n ns]
                                 request a reconcile (reconcile.fluxcd.io/requestedAt)`;

/** `lab gitops …` */
export async function gitopsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'up':
      await gitopsUp({ wait: rest.includes('--wait') });
      return 0;
    case 'down':
      await gitopsDown();
      return 0;
    case 'status': {
      const st = await gitopsStatus();
      for (const s of st)
        console.log(
          `${s.name.padEnd(24)} ${String(s.pid ?? '-').padEnd(8)} ${(s.healthy
            ? 'healthy'
            : 'down'
          ).padEnd(8)} ${s.rssMiB === undefined ? '' : `${s.rssMiB} MiB`}`,
        );
      return st.every(s => s.healthy) ? 0 : 1;
    }
    case 'bench': {
      const i = rest.indexOf('--rounds');
      await gitopsBench(i >= 0 ? Number(rest[i + 1]) : 3);
      return 0;
    }
    case 'git-serve':
      await serveGit(rest[0], Number(rest[1]));
      return 0;
    default:
      console.error(`usage:\n${GITOPS_USAGE}`);
      return 2;
  }
}

/** `lab flux [reconcile <name>]` */
export async function fluxCommand(args: string[]): Promise<number> {
  const { rest } = labClients(labPaths().kubeconfig);
  if (args[0] === 'reconcile') {
    if (!args[1]) throw new Error(`usage:\n${GITOPS_USAGE}`);
    const i = args.indexOf('-n');
    const done = await requestReconcile(
      rest,
      args[1],
      i >= 0 ? args[i + 1] : 'flux-system',
    );
    console.log(`reconcile requested: ${done.join(', ')}`);
    return 0;
  }
  const states = await listFlux(rest);
  console.log(formatFlux(states));
  return states.some(s => s.kind === 'Kustomization' && s.ready !== 'True')
    ? 1
    : 0;
}
