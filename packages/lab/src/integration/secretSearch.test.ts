import { gzipSync } from 'node:zlib';
import {
  describeHits,
  encodings,
  searchSecrets,
  SeededSecret,
  sha256,
} from './secretSearch';

// The searcher of the no-secret-egress proof (secretEgress.test.ts) must be able to fail: a
// planted value is found in every encoding, at every base64 alignment, and never printed.

const secret: SeededSecret = {
  label: 'planted',
  value: 'Pl4nted/Secret+Value?&=é"\\',
};

describe('secret search', () => {
  it.each([
    ['raw', (v: string) => `log line ${v} end`],
    ['JSON', (v: string) => JSON.stringify({ message: `x ${v}` })],
    ['URL-encoded', (v: string) => `GET /x?token=${encodeURIComponent(v)}`],
    [
      'URL-encoded, lower-case hex',
      (v: string) => encodeURIComponent(v).toLowerCase(),
    ],
    [
      'form-encoded',
      (v: string) => encodeURIComponent(` ${v}`).replace(/%20/g, '+'),
    ],
    ['base64', (v: string) => Buffer.from(v).toString('base64')],
    [
      'base64 after 1 byte',
      (v: string) => Buffer.from(`a${v}`).toString('base64'),
    ],
    [
      'base64 after 2 bytes',
      (v: string) => Buffer.from(`ab${v}`).toString('base64'),
    ],
    [
      'base64url inside a token',
      (v: string) =>
        `eyJ.${Buffer.from(`{"k":"${v}"}`).toString('base64url')}.sig`,
    ],
    ['hex', (v: string) => Buffer.from(v).toString('hex')],
  ])('finds a value planted %s', (_, plant) => {
    const hits = searchSecrets(
      [secret],
      [
        { location: 'clean', text: 'nothing here' },
        { location: 'planted', text: plant(secret.value) },
      ],
    );
    expect(hits.length).toBeGreaterThan(0);
    expect(new Set(hits.map(h => h.location))).toEqual(new Set(['planted']));
  });

  it('finds a value in binary Git-like objects and reports only location and hash', () => {
    const hits = searchSecrets(
      [secret],
      [{ location: 'objects', text: Buffer.from(`blob 40\0${secret.value}`) }],
    );
    expect(hits[0]).toEqual({
      location: 'objects',
      label: 'planted',
      encoding: 'raw',
      sha256: sha256(secret.value),
    });
    expect(describeHits(hits)).not.toContain(secret.value);
    for (const e of encodings(secret.value))
      expect(describeHits(hits)).not.toContain(e.text);
  });

  it('finds nothing when the value is absent (compressed data is not a false positive)', () => {
    expect(
      searchSecrets(
        [secret],
        [
          { location: 'gz', text: gzipSync(Buffer.from(secret.value)) },
          { location: 'other', text: 'Pl4nted/Secret' },
        ],
      ),
    ).toEqual([]);
  });

  it('refuses values too short to search for', () => {
    expect(() => searchSecrets([{ label: 'short', value: 'abc' }], [])).toThrow(
      /too short/,
    );
  });
});
