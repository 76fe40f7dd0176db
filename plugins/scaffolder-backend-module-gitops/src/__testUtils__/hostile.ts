import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';

/** Strings a hostile user would type into a name or path field (security properties 1 and 2). */
export const hostileStrings = fc.oneof(
  fc.constantFrom(
    '..',
    '../..',
    '../../etc',
    '/etc/passwd',
    '/tmp',
    '%2e%2e',
    '%2e%2e%2fetc',
    '..%2f..%2f',
    '%252e%252e%252f',
    '\uff0e\uff0e',
    '\uff0e\uff0e\u2215etc',
    '\u2024\u2024',
    '\u202e..\u202c',
    'a\u0000b',
    '..\\..\\windows',
    'C:\\Windows',
    'file:///etc/passwd',
    'pihole/../../x',
    '${{ parameters.name }}',
    '${{ secrets.backstageToken }}',
    '---',
    'a\n---\nkind: Secret',
    '&anchor',
    '*alias',
    '!!binary',
    '!!python/object:os.system',
    'x: y',
    '#comment',
    'é',
    'ＡＢＣ',
    'a'.repeat(300),
    '',
    ' ',
    'Name',
    '-lead',
    'trail-',
  ),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);

/** Workspace locations a hostile tree replaces with a symlink: inputs the actions read, and targets they write. */
export const SPOTS = [
  'providers',
  'providers/hetzner.yaml',
  'gitops',
  'gitops/apps',
  'gitops/apps/pihole',
  'gitops/apps/pihole/base',
  'gitops/apps/pihole/base/kustomization.yaml',
  'gitops/apps/pihole/base/service.yaml',
  'gitops/apps/pihole/hetzner',
  'gitops/apps/pihole/hetzner/kustomization.yaml',
  'gitops/apps/notes',
  'gitops/apps/notes/base',
  'gitops/clusters',
  'gitops/clusters/lab',
  'gitops/clusters/lab/apps.yaml',
  'gitops/components',
  'gitops/components/provider-hetzner',
  'gitops/platform/vso/config/base/vaultauthglobal.yaml',
  'gitops/platform/vault/configmap.yaml',
  'gitops/platform/tailscale/proxyclass.yaml',
  'catalog',
  'catalog/all.yaml',
  'catalog/components',
  'catalog/components/pihole.yaml',
  'docs',
] as const;

/** How a spot is replaced. */
export type LinkKind =
  | 'dir-outside'
  | 'file-outside'
  | 'chain'
  | 'dangling'
  | 'loop';

export interface Mutation {
  at: string;
  kind: LinkKind;
  hops: number;
  relative: boolean;
}

/** A hostile filesystem: one to three spots replaced by symlinks of generated kinds. */
export const hostileTree: fc.Arbitrary<Mutation[]> = fc.uniqueArray(
  fc.record({
    at: fc.constantFrom(...SPOTS),
    kind: fc.constantFrom<LinkKind>(
      'dir-outside',
      'file-outside',
      'chain',
      'dangling',
      'loop',
    ),
    hops: fc.integer({ min: 1, max: 4 }),
    relative: fc.boolean(),
  }),
  { minLength: 1, maxLength: 3, selector: m => m.at },
);

/** Whether any ancestor of `rel` (inside `ws`) is already a symlink. */
function underLink(ws: string, rel: string): boolean {
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i++) {
    try {
      if (fs.lstatSync(path.join(ws, ...parts.slice(0, i))).isSymbolicLink())
        return true;
    } catch {
      return false;
    }
  }
  return false;
}

const link = (target: string, at: string, relative: boolean) =>
  fs.symlinkSync(
    relative ? path.relative(path.dirname(at), target) : target,
    at,
  );

/**
 * Applies the mutations to a real workspace: what was at a spot moves outside (so reading
 * through the link would succeed), and the spot becomes a link to it, directly, through a
 * chain of links, dangling, or in a loop. Returns the mutations applied (some are skipped
 * when an ancestor is already a link).
 */
export function applyHostileTree(
  ws: string,
  outside: string,
  mutations: Mutation[],
): Mutation[] {
  const applied: Mutation[] = [];
  mutations.forEach((m, i) => {
    const at = path.join(ws, m.at);
    if (underLink(ws, m.at)) return;
    fs.mkdirSync(path.dirname(at), { recursive: true });
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(at);
    } catch {
      st = undefined;
    }
    const moved = path.join(outside, `m${i}`);
    if (m.kind === 'dir-outside' || m.kind === 'chain') {
      if (st?.isDirectory()) fs.renameSync(at, moved);
      else {
        if (st) fs.rmSync(at, { recursive: true, force: true });
        fs.mkdirSync(moved);
        fs.writeFileSync(path.join(moved, 'kustomization.yaml'), 'x: 1\n');
      }
    } else if (m.kind === 'file-outside') {
      if (st?.isFile()) fs.renameSync(at, moved);
      else {
        if (st) fs.rmSync(at, { recursive: true, force: true });
        fs.writeFileSync(moved, '---\nkind: Canary\n');
      }
    } else if (st) fs.rmSync(at, { recursive: true, force: true });

    if (m.kind === 'dangling') {
      link(path.join(outside, `missing-${i}`), at, m.relative);
    } else if (m.kind === 'loop') {
      const other = path.join(ws, `.loop-${i}`);
      link(other, at, m.relative);
      link(at, other, m.relative);
    } else if (m.kind === 'chain') {
      let next = moved;
      for (let h = m.hops; h >= 1; h--) {
        const hop = path.join(ws, `.hop-${i}-${h}`);
        link(next, hop, m.relative);
        next = hop;
      }
      link(next, at, m.relative);
    } else {
      link(moved, at, m.relative);
    }
    applied.push(m);
  });
  return applied;
}
