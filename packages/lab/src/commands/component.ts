import path from 'node:path';
import {
  COMPONENTS,
  Component,
  componentSpecs,
} from '../controlPlane/components';
import {
  isRunning,
  readPid,
  startDetached,
  stopProcess,
} from '../controlPlane/processes';
import { waitFor } from '../kube/http';
import { healthCheck } from '../lab';
import { labPaths } from '../paths';

/** Checks a component name given on the command line. */
export function parseComponent(name: string | undefined): Component {
  const c = COMPONENTS.find(x => x === name);
  if (!c) {
    throw new Error(
      `unknown component "${name ?? ''}" (one of: ${COMPONENTS.join(', ')})`,
    );
  }
  return c;
}

/**
 * `lab stop <component>`: stops one control-plane process (SIGTERM to its process group), leaving
 * the others running — fault tests use it to take the API server away mid-watch.
 */
export async function stopComponent(c: Component): Promise<string> {
  const p = labPaths();
  return stopProcess(p.pids, c, componentSpecs(p)[c].bin);
}

/** `lab start <component>`: starts one stopped component and waits until it is healthy. */
export async function startComponent(
  c: Component,
  timeoutMs = 120_000,
): Promise<'started' | 'already running'> {
  const p = labPaths();
  const spec = componentSpecs(p)[c];
  const check = healthCheck(p, c);
  if (isRunning(readPid(p.pids, c), spec.bin)) {
    await waitFor(`${c} health`, check, timeoutMs);
    return 'already running';
  }
  const pid = startDetached(spec, p.pids, p.logs);
  await waitFor(
    `${c} to become healthy`,
    async () => {
      if (!isRunning(pid, spec.bin)) {
        throw new Error(`${c} exited; see ${path.join(p.logs, `${c}.log`)}`);
      }
      return check();
    },
    timeoutMs,
  );
  return 'started';
}
