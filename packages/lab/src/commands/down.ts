import fs from 'node:fs';
import { componentSpecs, COMPONENTS } from '../controlPlane/components';
import { stopProcess } from '../controlPlane/processes';
import { gitopsDown } from '../gitops/loop/loop';
import { labPaths } from '../paths';

/** `lab down`: stops every process the lab started (reverse start order); `--purge` drops state. */
export async function down(options: { purge?: boolean } = {}): Promise<void> {
  const p = labPaths();
  fs.mkdirSync(p.state, { recursive: true });
  await gitopsDown(); // the GitOps loop runs against the control plane: stop it first
  const specs = componentSpecs(p);
  for (const c of [...COMPONENTS].reverse()) {
    const result = await stopProcess(p.pids, c, specs[c].bin);
    console.log(`lab down: ${c} ${result}`);
  }
  if (options.purge) {
    // Binaries and the PKI stay (slow to rebuild, harmless to keep); cluster state goes.
    for (const f of [
      p.etcdData,
      p.logs,
      p.portalToken,
      p.portalOperatorToken,
      p.upTimes,
    ])
      fs.rmSync(f, { recursive: true, force: true });
    console.log('lab down: purged etcd data, logs and the portal token');
  }
}
