import type { z as zod } from 'zod';
import { relativePathProblem } from './safePath';

type Z = typeof zod;

/** DNS-1123 label: what Kubernetes accepts as a namespace or Service name. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A DNS-1123 label of at most `max` characters (workload names leave room for the
 * `-<provider>` suffix of instance namespaces, which are labels too).
 */
export const dnsLabel = (z: Z, what: string, max = 63) =>
  z
    .string({ required_error: `${what} is required` })
    .max(max, {
      message: `must be at most ${max} characters (a DNS-1123 label, leaving room for suffixes)`,
    })
    .regex(DNS1123_LABEL, {
      message:
        "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit",
    });

/** A provider name; checked against the registry in the handler. */
export const providerName = (z: Z) => dnsLabel(z, 'provider', 30);

/** A workspace-relative path (checked again on disk for symlinks in the handler). */
export const relativePath = (z: Z, what: string) =>
  z.string().superRefine((p, ctx) => {
    const problem = relativePathProblem(p);
    if (problem)
      ctx.addIssue({ code: 'custom', message: `${what} ${problem}` });
  });

/** Output every file-writing action has. */
export const changeOutput = {
  created: (z: Z) =>
    z.array(z.string()).describe('Workspace-relative files created'),
  changed: (z: Z) =>
    z.array(z.string()).describe('Workspace-relative files changed'),
};

/**
 * Text git stores byte for byte: well-formed UTF-16 (a lone surrogate has no UTF-8 form) and no
 * Unicode noncharacter (U+FDD0–U+FDEF, U+xFFFE, U+xFFFF), which git's UTF-8 check rejects and then
 * re-encodes the whole message as if it were Latin-1.
 */
export function isGitStorableText(s: string): boolean {
  if (!s.isWellFormed()) return false;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if ((c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) === 0xfffe) return false;
  }
  return true;
}

/** Control characters other than tab and newline (which YAML and git hold as data). */
export function isControlCharacter(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return (c < 0x20 && c !== 0x09 && c !== 0x0a) || c === 0x7f;
}
