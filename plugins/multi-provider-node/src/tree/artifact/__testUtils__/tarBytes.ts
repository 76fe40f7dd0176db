import { createHash } from 'node:crypto';
import { gzipSync, createGzip } from 'node:zlib';

/**
 * One entry of a hand-built tar archive. `type` is the tar type flag, named for the common ones;
 * `declaredSize` writes a size into the header that differs from the content's.
 */
export interface TarSpec {
  path: string;
  type?:
    | 'file'
    | 'dir'
    | 'symlink'
    | 'hardlink'
    | 'char'
    | 'block'
    | 'fifo'
    | { flag: string };
  content?: string | Buffer;
  declaredSize?: number;
  linkpath?: string;
  /** How a path longer than the 100-byte name field is written. */
  longPath?: 'pax' | 'gnu' | 'ustar-prefix';
  /** Extra PAX records written before the entry. */
  pax?: Record<string, string>;
  /** Corrupt the header checksum. */
  badChecksum?: boolean;
}

const FLAGS: Record<string, string> = {
  file: '0',
  dir: '5',
  symlink: '2',
  hardlink: '1',
  char: '3',
  block: '4',
  fifo: '6',
};

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

function header(fields: {
  name: string;
  flag: string;
  size: number;
  linkpath?: string;
  prefix?: string;
  badChecksum?: boolean;
}): Buffer {
  const block = Buffer.alloc(512);
  block.write(fields.name, 0, 100, 'utf8');
  block.write(octal(0o644, 8), 100, 'latin1');
  block.write(octal(0, 8), 108, 'latin1');
  block.write(octal(0, 8), 116, 'latin1');
  block.write(octal(fields.size, 12), 124, 'latin1');
  block.write(octal(0, 12), 136, 'latin1');
  block.write(fields.flag, 156, 'latin1');
  if (fields.linkpath) block.write(fields.linkpath, 157, 100, 'utf8');
  block.write('ustar\0', 257, 'latin1');
  block.write('00', 263, 'latin1');
  if (fields.prefix) block.write(fields.prefix, 345, 155, 'utf8');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  if (fields.badChecksum) sum += 1;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

function padded(data: Buffer): Buffer[] {
  const padding = (512 - (data.length % 512)) % 512;
  return [data, Buffer.alloc(padding)];
}

function paxBody(records: Record<string, string>): Buffer {
  const lines = Object.entries(records).map(([key, value]) => {
    const rest = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(rest) + 1;
    while (String(length).length + Buffer.byteLength(rest) !== length)
      length += 1;
    return `${length}${rest}`;
  });
  return Buffer.from(lines.join(''), 'utf8');
}

/** The two zero blocks that end a tar archive. */
export const END_OF_ARCHIVE = Buffer.alloc(1024);

/** The blocks of one entry, without the end-of-archive marker. */
export function tarEntryBytes(spec: TarSpec): Buffer {
  const parts: Buffer[] = [];
  const flag =
    typeof spec.type === 'object' ? spec.type.flag : FLAGS[spec.type ?? 'file'];
  const content = Buffer.from(spec.content ?? '');
  const size = spec.declaredSize ?? content.length;
  const pax: Record<string, string> = { ...spec.pax };
  let name = spec.path;
  let prefix: string | undefined;
  if (Buffer.byteLength(spec.path) > 100) {
    if (spec.longPath === 'gnu') {
      const longName = Buffer.from(`${spec.path}\0`);
      parts.push(
        header({ name: '././@LongLink', flag: 'L', size: longName.length }),
        ...padded(longName),
      );
    } else if (spec.longPath === 'ustar-prefix') {
      const cut = spec.path.lastIndexOf('/', 155);
      prefix = spec.path.slice(0, cut);
      name = spec.path.slice(cut + 1);
    } else {
      pax.path = spec.path;
    }
    if (spec.longPath !== 'ustar-prefix') name = spec.path.slice(0, 99);
  }
  if (Object.keys(pax).length > 0) {
    const body = paxBody(pax);
    parts.push(
      header({ name: 'PaxHeader', flag: 'x', size: body.length }),
      ...padded(body),
    );
  }
  parts.push(
    header({
      name,
      flag,
      size,
      linkpath: spec.linkpath,
      prefix,
      badChecksum: spec.badChecksum,
    }),
  );
  if (content.length > 0) parts.push(...padded(content));
  return Buffer.concat(parts);
}

/** A complete tar archive of `entries` (end-of-archive marker included unless `end: false`). */
export function tarBytes(
  entries: TarSpec[],
  options: { end?: boolean } = {},
): Buffer {
  return Buffer.concat([
    ...entries.map(tarEntryBytes),
    ...(options.end === false ? [] : [END_OF_ARCHIVE]),
  ]);
}

export function targz(entries: TarSpec[], options?: { end?: boolean }): Buffer {
  return gzipSync(tarBytes(entries, options));
}

/**
 * A gzip bomb: a valid archive of `entries`, followed by `zeros` bytes of zeros that compress to
 * almost nothing. Built by streaming so the test never holds the uncompressed bytes.
 */
export async function gzipBomb(
  entries: TarSpec[],
  zeros: number,
): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise(resolve => gzip.on('end', resolve));
  gzip.write(tarBytes(entries));
  const zero = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < zeros; written += zero.length) {
    if (!gzip.write(zero)) await new Promise(r => gzip.once('drain', r));
  }
  gzip.end();
  await done;
  return Buffer.concat(out);
}

export function sha256Digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
