import { createHash } from 'node:crypto';

/**
 * Looks for secret values (and simple encodings of them) in text a system under test produced:
 * logs, API responses, task events, Git objects. A hit names the location, the secret's label,
 * the encoding and a hash of the value, never the value (security property 3).
 */

/** A value that must never leave its owner, with a label that is safe to print. */
export interface SeededSecret {
  label: string;
  value: string;
}

/** Where a secret was found: safe to print. */
export interface SecretHit {
  location: string;
  label: string;
  encoding: string;
  sha256: string;
}

/** Text to search, with where it came from. */
export interface Source {
  location: string;
  text: string | Buffer;
}

/** Base64 fragments that stand for `value` at any byte alignment inside a longer encoding. */
function base64Fragments(value: Buffer, url: boolean): string[] {
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const padded = Buffer.concat([Buffer.alloc(k), value, Buffer.alloc(2)]);
    let enc = padded.toString('base64');
    if (url) enc = enc.replace(/\+/g, '-').replace(/\//g, '_');
    // Characters whose 6 bits come from the value's bytes only.
    const from = Math.ceil((8 * k) / 6);
    const to = Math.floor((8 * (k + value.length)) / 6);
    const fragment = enc.slice(from, to);
    if (fragment.length >= 6) out.push(fragment);
  }
  return out;
}

/** The forms a value is searched in: raw, base64 (any alignment), base64url, URL, JSON, hex. */
export function encodings(value: string): { encoding: string; text: string }[] {
  const bytes = Buffer.from(value, 'utf8');
  const forms = [
    { encoding: 'raw', text: value },
    ...base64Fragments(bytes, false).map(text => ({
      encoding: 'base64',
      text,
    })),
    ...base64Fragments(bytes, true).map(text => ({
      encoding: 'base64url',
      text,
    })),
    { encoding: 'url', text: encodeURIComponent(value) },
    { encoding: 'form', text: encodeURIComponent(value).replace(/%20/g, '+') },
    { encoding: 'json', text: JSON.stringify(value).slice(1, -1) },
    { encoding: 'hex', text: bytes.toString('hex') },
  ];
  const seen = new Set<string>();
  return forms.filter(f => f.text && !seen.has(f.text) && seen.add(f.text));
}

export const sha256 = (value: string) =>
  createHash('sha256').update(value).digest('hex');

/** Every place any secret (in any encoding) occurs; empty when none does. */
export function searchSecrets(
  secrets: SeededSecret[],
  sources: Source[],
): SecretHit[] {
  const hits: SecretHit[] = [];
  for (const s of secrets) {
    if (s.value.length < 8)
      throw new Error(`secret ${s.label} is too short to search for reliably`);
    const forms = encodings(s.value);
    for (const src of sources) {
      const text =
        typeof src.text === 'string' ? src.text : src.text.toString('latin1');
      const lower = text.toLowerCase();
      for (const f of forms) {
        const found =
          f.encoding === 'url' || f.encoding === 'form' || f.encoding === 'hex'
            ? lower.includes(f.text.toLowerCase())
            : text.includes(f.text) ||
              (typeof src.text !== 'string' &&
                src.text.toString('utf8').includes(f.text));
        if (found)
          hits.push({
            location: src.location,
            label: s.label,
            encoding: f.encoding,
            sha256: sha256(s.value),
          });
      }
    }
  }
  return hits;
}

/** Hits for a failure message: location, label, encoding and hash only. */
export const describeHits = (hits: SecretHit[]) =>
  hits
    .map(
      h =>
        `${h.label} (sha256 ${h.sha256.slice(0, 16)}…, ${h.encoding}) in ${
          h.location
        }`,
    )
    .join('\n');
