import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** One filesystem operation seen by the recorder: the method and the real path it reaches. */
export interface Touch {
  method: string;
  path: string;
  real: string;
}

// Untouched originals, so resolving a path never records itself.
const lstat = fs.lstatSync.bind(fs);
const readlink = fs.readlinkSync.bind(fs);

/**
 * The real path an operation on `p` reaches: every ancestor resolved through symlinks, and the
 * last component too when the operation follows it (a dangling link leads to where a write
 * would create its target; a loop reaches nothing beyond the link itself).
 */
export function reachedPath(p: string, follow: boolean, depth = 0): string {
  const abs = path.resolve(p);
  const parent = path.dirname(abs);
  const here =
    parent === abs
      ? abs
      : path.join(reachedPath(parent, true, depth), path.basename(abs));
  if (!follow || depth > 40) return here;
  let st: fs.Stats;
  try {
    st = lstat(here);
  } catch {
    return here; // absent: created right here
  }
  if (!st.isSymbolicLink()) return here;
  return reachedPath(
    path.resolve(path.dirname(here), readlink(here)),
    true,
    depth + 1,
  );
}

/** Methods whose last path component is not followed (they act on a link itself). */
const NO_FOLLOW = new Set([
  'lstat',
  'lstatSync',
  'readlink',
  'readlinkSync',
  'realpath',
  'realpathSync',
  'unlink',
  'unlinkSync',
  'rm',
  'rmSync',
  'rmdir',
  'rmdirSync',
  'rename',
  'renameSync',
  'symlink',
  'symlinkSync',
  'mkdtemp',
  'mkdtempSync',
]);
/** Methods with a second path argument. */
const TWO_PATHS = new Set([
  'rename',
  'renameSync',
  'copyFile',
  'copyFileSync',
  'cp',
  'cpSync',
  'link',
  'linkSync',
]);
const PROMISE_METHODS = [
  'access',
  'appendFile',
  'chmod',
  'copyFile',
  'cp',
  'link',
  'lstat',
  'mkdir',
  'mkdtemp',
  'open',
  'opendir',
  'readFile',
  'readdir',
  'readlink',
  'realpath',
  'rename',
  'rm',
  'rmdir',
  'stat',
  'symlink',
  'truncate',
  'unlink',
  'utimes',
  'writeFile',
] as const;
const SYNC_METHODS = [
  ...PROMISE_METHODS.map(m => `${m}Sync`),
  'existsSync',
  'createReadStream',
  'createWriteStream',
  ...PROMISE_METHODS,
];

/**
 * Records every path the code under test hands to `fs` and `fs/promises` (the objects the
 * actions import) while `run` runs, resolved to the real path it reaches at the time of the
 * call. Subprocesses are not seen here; the containment test checks the trees handed to them.
 */
export async function recordFs<T>(
  run: () => Promise<T>,
): Promise<{ result?: T; error?: Error; touches: Touch[]; temps: string[] }> {
  const touches: Touch[] = [];
  const temps: string[] = [];
  const restore: (() => void)[] = [];
  let active = true;
  const wrap = (target: any, method: string) => {
    const original = target[method];
    if (typeof original !== 'function') return;
    // A plain wrapper, not a jest spy: Node's lazily loaded internals (e.g. the recursive rm)
    // may keep a reference to it, so it must keep delegating after the recording ends.
    const wrapper = function recorded(this: unknown, ...args: any[]) {
      if (!active) return original.apply(this, args);
      let paths = [args[0]];
      if (method === 'symlink' || method === 'symlinkSync') paths = [args[1]];
      else if (TWO_PATHS.has(method)) paths = [args[0], args[1]];
      for (const p of paths) {
        if (typeof p !== 'string' && !(p instanceof URL)) continue;
        const s = p instanceof URL ? p.pathname : p;
        touches.push({
          method,
          path: s,
          real: reachedPath(s, !NO_FOLLOW.has(method)),
        });
      }
      const out = original.apply(this, args);
      if (method === 'mkdtemp' && out && typeof out.then === 'function') {
        return out.then((dir: string) => {
          temps.push(dir);
          return dir;
        });
      }
      if (method === 'mkdtempSync') temps.push(out);
      return out;
    };
    Object.assign(wrapper, original); // e.g. realpath.native
    target[method] = wrapper;
    restore.push(() => {
      target[method] = original;
    });
  };
  for (const m of PROMISE_METHODS) wrap(fsp, m);
  for (const m of SYNC_METHODS) wrap(fs, m);
  try {
    const result = await run();
    return { result, touches, temps };
  } catch (error) {
    return { error: error as Error, touches, temps };
  } finally {
    active = false;
    for (const r of restore) r();
  }
}

/** Whether `p` is `root` or below it. */
export const within = (root: string, p: string) =>
  p === root || p.startsWith(root + path.sep);

/** A fresh private temporary directory made by the code under test (mkdtemp under the tmpdir). */
export const isOwnTemp = (temps: string[], p: string) =>
  temps.some(t => within(fs.realpathSync(os.tmpdir()), t) && within(t, p));
