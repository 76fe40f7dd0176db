import { bench } from './commands/bench';
import {
  parseComponent,
  startComponent,
  stopComponent,
} from './commands/component';
import { down } from './commands/down';
import { outage } from './commands/outage';
import { parseScaleFlags, printScaleResult, scale } from './commands/scale';
import { status } from './commands/status';
import { up } from './commands/up';
import {
  fluxCommand,
  gitopsCommand,
  GITOPS_USAGE,
} from './gitops/loop/command';

const USAGE = `usage: lab <command>
  up [--no-wait]                 start the control plane and kwok, converge nodes, volumes, CRDs, gitops/clusters/lab
  down [--purge]                 stop every lab process (--purge also drops etcd data, logs, the portal token)
  status                         components, nodes and pods per provider
  outage <provider>              taint the provider's nodes NoExecute (pods are evicted)
  restore <provider>             remove that taint
  stop|start <component>         stop or start one process (etcd, kube-apiserver, ...), for fault tests
  scale --nodes N --pods M [--claims K]
                                 N extra nodes, M benchmark pods and K claims bound to volumes
                                 in the nodes' zones (--nodes 0 --pods 0 removes them all)
  bench [--steps 100x2000,...] [--skip-up]
                                 build, up and scale figures
${GITOPS_USAGE}`;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  switch (cmd) {
    case 'up':
      await up({ wait: !args.includes('--no-wait') });
      return 0;
    case 'down':
      await down({ purge: args.includes('--purge') });
      return 0;
    case 'status':
      return (await status()) ? 0 : 1;
    case 'outage':
    case 'restore':
      if (!args[0]) throw new Error(`lab ${cmd} needs a provider\n${USAGE}`);
      await outage(args[0], cmd === 'outage');
      return 0;
    case 'stop':
    case 'start': {
      const c = parseComponent(args[0]);
      const result =
        cmd === 'stop' ? await stopComponent(c) : await startComponent(c);
      console.log(`lab ${cmd}: ${c} ${result}`);
      return 0;
    }
    case 'scale': {
      const r = await scale(parseScaleFlags(args));
      printScaleResult(r);
      return r.allRunning ? 0 : 1;
    }
    case 'bench':
      await bench({
        steps: flag(args, '--steps') ?? '200x4000,1000x20000',
        skipUp: args.includes('--skip-up'),
      });
      return 0;
    case 'gitops':
      return gitopsCommand(args);
    case 'flux':
      return fluxCommand(args);
    default:
      console.error(USAGE);
      return cmd === undefined || cmd === 'help' || cmd === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  code => process.exit(code),
  err => {
    console.error(`lab: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
