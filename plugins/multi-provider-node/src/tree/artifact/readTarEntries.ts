import { ArchiveRefusal } from './ArchiveRefusal';

const BLOCK = 512;

/** What an entry is, from its type flag; anything this reader does not name is `other`. */
export type TarEntryType =
  | 'file'
  | 'directory'
  | 'symlink'
  | 'hardlink'
  | 'character-device'
  | 'block-device'
  | 'fifo'
  | 'other';

export interface TarEntry {
  /** The path as the archive states it (PAX `path` or GNU long name applied), not yet checked. */
  path: string;
  type: TarEntryType;
  /** The raw type flag, for error messages. */
  typeflag: string;
  size: number;
  /** The entry's bytes; what the consumer does not read is skipped before the next entry. */
  body: AsyncIterable<Buffer>;
}

const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
};

const HEADER_ONLY = new Set<TarEntryType>([
  'directory',
  'symlink',
  'hardlink',
  'character-device',
  'block-device',
  'fifo',
]);

/**
 * Pulls exact byte counts from an async iterator of chunks, holding at most one chunk plus a
 * partial block, so memory stays bounded whatever the archive's size.
 */
class ByteSource {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;

  constructor(private readonly iterator: AsyncIterator<Buffer>) {}

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const chunk = Buffer.isBuffer(next.value)
      ? next.value
      : Buffer.from(next.value);
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    return true;
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length > n) {
      out = first.subarray(0, n);
      this.chunks[0] = first.subarray(n);
    } else if (first.length === n) {
      out = first;
      this.chunks.shift();
    } else {
      const parts: Buffer[] = [];
      let need = n;
      while (need > 0) {
        const c = this.chunks[0];
        if (c.length <= need) {
          parts.push(c);
          this.chunks.shift();
          need -= c.length;
        } else {
          parts.push(c.subarray(0, need));
          this.chunks[0] = c.subarray(need);
          need = 0;
        }
      }
      out = Buffer.concat(parts, n);
    }
    this.buffered -= n;
    return out;
  }

  /** `n` bytes, or fewer only when the stream ended first. */
  async read(n: number): Promise<Buffer> {
    while (this.buffered < n && (await this.fill()));
    return this.take(Math.min(n, this.buffered));
  }

  /** Between 1 and `max` bytes; empty only when the stream ended. */
  async readSome(max: number): Promise<Buffer> {
    while (this.buffered === 0 && (await this.fill()));
    return this.take(Math.min(max, this.buffered));
  }
}

function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

function cString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const nul = field.indexOf(0);
  return field.subarray(0, nul === -1 ? field.length : nul).toString('utf8');
}

/** An octal field (NUL- or space-terminated), or GNU base-256 when the high bit is set. */
function numeric(
  block: Buffer,
  start: number,
  length: number,
  name: string,
): number {
  const field = block.subarray(start, start + length);
  if (field[0] & 0x80) {
    // Base-256: big-endian two's complement; a negative value is never a valid size or mode.
    if (field[0] & 0x40) {
      throw new ArchiveRefusal('hostile', `negative ${name} in a tar header`);
    }
    let value = field[0] & 0x3f;
    for (let i = 1; i < field.length; i++) {
      value = value * 256 + field[i];
      if (!Number.isSafeInteger(value)) {
        throw new ArchiveRefusal(
          'hostile',
          `${name} too large in a tar header`,
        );
      }
    }
    return value;
  }
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) {
    throw new ArchiveRefusal(
      'hostile',
      `${name} "${text}" is not an octal number in a tar header`,
    );
  }
  return parseInt(text, 8);
}

function checksumMatches(block: Buffer): boolean {
  const stored = numeric(block, 148, 8, 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i];
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

/** PAX extended header records: `<length> <key>=<value>\n`, length counting the whole record. */
function parsePax(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break;
    const space = data.indexOf(0x20, pos);
    const length =
      space === -1 ? NaN : Number(data.toString('latin1', pos, space));
    if (
      !Number.isSafeInteger(length) ||
      length <= space - pos + 1 ||
      pos + length > data.length ||
      data[pos + length - 1] !== 0x0a
    ) {
      throw new ArchiveRefusal('hostile', 'malformed PAX extended header');
    }
    const record = data.toString('utf8', space + 1, pos + length - 1);
    const eq = record.indexOf('=');
    if (eq <= 0) {
      throw new ArchiveRefusal('hostile', 'malformed PAX extended header');
    }
    records.set(record.slice(0, eq), record.slice(eq + 1));
    pos += length;
  }
  return records;
}

/**
 * Reads a tar stream entry by entry: POSIX ustar with PAX extended headers and GNU long names,
 * which is what Go's `archive/tar` (and so Flux) writes. The stream must end with the two zero
 * blocks that close an archive; a stream that stops before them is truncated. Extended headers
 * larger than `maxMetaBytes` are refused, so no header can hold much memory.
 */
export async function* readTarEntries(
  source: AsyncIterable<Buffer>,
  options: { maxMetaBytes: number },
): AsyncGenerator<TarEntry, void, undefined> {
  const bytes = new ByteSource(source[Symbol.asyncIterator]());
  let pax = new Map<string, string>();
  let longName: string | undefined;
  let previous: string | undefined;

  const truncated = (what: string) =>
    new ArchiveRefusal('truncated', `the archive is truncated: ${what}`);

  const readMeta = async (size: number, kind: string): Promise<Buffer> => {
    if (size > options.maxMetaBytes) {
      throw new ArchiveRefusal(
        'limit',
        `a ${kind} of ${size} bytes is over the ${options.maxMetaBytes}-byte bound for extended headers`,
      );
    }
    const data = await bytes.read(size);
    if (data.length < size) throw truncated(`${kind} cut short`);
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if ((await bytes.read(padding)).length < padding) {
      throw truncated(`${kind} cut short`);
    }
    return data;
  };

  for (;;) {
    const block = await bytes.read(BLOCK);
    if (block.length < BLOCK) {
      throw truncated(
        block.length === 0
          ? `it ends${
              previous ? ` after "${previous}"` : ''
            } without the end-of-archive marker`
          : 'a header block is cut short',
      );
    }
    if (isZeroBlock(block)) {
      const second = await bytes.read(BLOCK);
      if (second.length === BLOCK && isZeroBlock(second)) return;
      if (second.length < BLOCK) {
        throw truncated('the end-of-archive marker is cut short');
      }
      throw new ArchiveRefusal(
        'hostile',
        'a zero block is followed by more entries (a tar archive ends at two zero blocks)',
      );
    }
    if (!checksumMatches(block)) {
      throw new ArchiveRefusal(
        'hostile',
        `a tar header fails its checksum${
          previous ? ` (after "${previous}")` : ''
        }`,
      );
    }
    const typeflag = String.fromCharCode(block[156]);
    const headerSize = numeric(block, 124, 12, 'size');

    if (typeflag === 'x' || typeflag === 'g') {
      const records = parsePax(await readMeta(headerSize, 'PAX header'));
      if (typeflag === 'g') {
        // A global header (git archive writes one with the commit id) may not change what an
        // entry is: a global path or size would apply to every following entry.
        for (const key of ['path', 'linkpath', 'size']) {
          if (records.has(key)) {
            throw new ArchiveRefusal(
              'hostile',
              `a PAX global header sets "${key}" for every entry`,
            );
          }
        }
      } else {
        pax = new Map([...pax, ...records]);
      }
      continue;
    }
    if (typeflag === 'L' || typeflag === 'K') {
      const data = await readMeta(headerSize, 'GNU long name');
      if (typeflag === 'L') longName = cString(data, 0, data.length);
      continue;
    }

    const magic = block.toString('latin1', 257, 263);
    const name = cString(block, 0, 100);
    const prefix = magic === 'ustar\0' ? cString(block, 345, 155) : '';
    const path =
      pax.get('path') ?? longName ?? (prefix ? `${prefix}/${name}` : name);
    let size = headerSize;
    const paxSize = pax.get('size');
    if (paxSize !== undefined) {
      if (!/^[0-9]+$/.test(paxSize) || !Number.isSafeInteger(Number(paxSize))) {
        throw new ArchiveRefusal(
          'hostile',
          `PAX size "${paxSize}" is not a byte count`,
          path,
        );
      }
      size = Number(paxSize);
    }
    pax = new Map();
    longName = undefined;
    previous = path;

    const type = TYPES[typeflag] ?? 'other';
    // As in Go's reader, links, devices, fifos and directories are header-only: a size on them
    // is not followed by data (a hard link's size is its target's).
    const dataSize = HEADER_ONLY.has(type) ? 0 : size;
    let remaining = dataSize;
    const nextChunk = async (): Promise<Buffer> => {
      const chunk = await bytes.readSome(Math.min(remaining, 64 * 1024));
      if (chunk.length === 0) {
        throw new ArchiveRefusal(
          'truncated',
          `the archive is truncated: "${path}" has ${
            dataSize - remaining
          } of its ${dataSize} bytes`,
          path,
        );
      }
      remaining -= chunk.length;
      return chunk;
    };
    const body = async function* bodyOf(): AsyncGenerator<Buffer> {
      while (remaining > 0) yield await nextChunk();
    };

    yield { path, type, typeflag, size, body: body() };

    // Skip what the consumer left unread, then the padding to the next block.
    while (remaining > 0) await nextChunk();
    const padding = (BLOCK - (dataSize % BLOCK)) % BLOCK;
    if ((await bytes.read(padding)).length < padding) {
      throw new ArchiveRefusal(
        'truncated',
        `the archive is truncated: the padding after "${path}" is cut short`,
        path,
      );
    }
  }
}
