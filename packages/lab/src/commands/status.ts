import { LABEL_PROVIDER_FALLBACK, countBy } from './statusHelpers';
import { componentStates } from '../lab';
import { FORGE, FORGE_TITLE, forgeUrl } from '../gitops/loop/forge';
import { forgeStart, gitopsStatus } from '../gitops/loop/loop';
import { labClients } from '../kube/client';
import { labPaths } from '../paths';
import { PROVIDER_LABEL } from '../registry/labProviders';

/** `lab status`: components (pid, health, RSS), then nodes and pods per provider. */
export async function status(): Promise<boolean> {
  const p = labPaths();
  const states = await componentStates(p);
  console.log('component                 pid      health   rss');
  for (const s of states) {
    let health = 'stopped';
    if (s.running) health = s.healthy ? 'healthy' : 'UNHEALTHY';
    const rss = s.rssMiB !== undefined ? `${s.rssMiB} MiB` : '-';
    console.log(
      `${s.component.padEnd(25)} ${String(s.pid ?? '-').padEnd(
        8,
      )} ${health.padEnd(8)} ${rss}`,
    );
  }
  // The forge is part of the GitOps loop (`lab gitops status` lists all of it); shown here too
  // because portals and Flux read the GitOps repository from it.
  const forge = (await gitopsStatus()).find(s => s.name === FORGE);
  if (forge?.pid !== undefined) {
    const started = forgeStart(p);
    console.log(
      `${FORGE.padEnd(25)} ${String(forge.pid).padEnd(8)} ${(forge.healthy
        ? 'healthy'
        : 'UNHEALTHY'
      ).padEnd(8)} ${forge.rssMiB ?? '-'} MiB  ${FORGE_TITLE} at ${forgeUrl()}${
        started ? `; started ${started.startedAt} in ${started.seconds}s` : ''
      }`,
    );
  }
  const apiserver = states.find(s => s.component === 'kube-apiserver');
  if (!apiserver?.healthy) {
    console.log('lab is not running (lab up starts it)');
    return false;
  }
  const clients = labClients(p.kubeconfig);
  const nodes = (await clients.core.listNode()).items;
  const pods = (await clients.core.listPodForAllNamespaces()).items;
  const nodeProvider = new Map(
    nodes.map(n => [
      n.metadata!.name!,
      n.metadata?.labels?.[PROVIDER_LABEL] ?? LABEL_PROVIDER_FALLBACK,
    ]),
  );
  const readyNodes = nodes.filter(n =>
    n.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True'),
  );
  const tainted = nodes.filter(n =>
    n.spec?.taints?.some(t => t.effect === 'NoExecute'),
  );
  console.log(
    `nodes: ${nodes.length} (${readyNodes.length} Ready, ${
      tainted.length
    } with NoExecute taints) by provider: ${countBy(
      nodes.map(n => nodeProvider.get(n.metadata!.name!)!),
    )}`,
  );
  console.log(
    `pods: ${pods.length} by phase: ${countBy(
      pods.map(x => x.status?.phase ?? 'Unknown'),
    )}; unscheduled: ${pods.filter(x => !x.spec?.nodeName).length}`,
  );
  console.log(
    `running pods by provider: ${countBy(
      pods
        .filter(x => x.status?.phase === 'Running')
        .map(
          x =>
            nodeProvider.get(x.spec?.nodeName ?? '') ?? LABEL_PROVIDER_FALLBACK,
        ),
    )}`,
  );
  console.log(`kubeconfig: ${p.kubeconfig}`);
  return true;
}
