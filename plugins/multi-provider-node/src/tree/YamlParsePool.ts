import { createHash } from 'node:crypto';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import * as jsYaml from 'js-yaml';
import { parse, parseAllDocuments } from 'yaml';

/**
 * A parsed YAML stream: its documents as plain values, or the first problem with its line.
 *
 * @public
 */
export interface ParsedYaml {
  docs: unknown[];
  error?: string;
}

/**
 * The fast path of {@link parseYamlStream}: `js-yaml` (much faster than the `yaml` library on
 * Kubernetes manifests; `bench:flux-tree` prints the ratio) given the `yaml` library's YAML 1.2 core schema for plain
 * scalars (the same patterns, resolved by the same `parseInt` / `parseFloat` calls). It answers
 * only where the two libraries are known to agree and otherwise declines (`undefined`), leaving
 * the text to the `yaml` library, whose answer (documents or error) stays the reference. It
 * declines on:
 * - any error or warning of `js-yaml` (so a malformed text is reported by `yaml`, as before);
 * - anchors, aliases and tags (`&`, `*`, `!` where a node may start; `yaml` bounds alias
 *   expansion), merge keys (`<<`), directives, complex (`?`) keys, and a null key (`yaml` makes
 *   it `""`, `js-yaml` `"null"`);
 * - tabs, carriage returns, Unicode line or paragraph separators, NEL and a byte order mark
 *   anywhere in the text, a block scalar's explicit indentation indicator (`|1-`), a `#` right
 *   after a quote or flow indicator (`yaml` refuses a comment not separated by white space), and
 *   lines of 1,000 characters or more (`yaml` refuses implicit keys longer than 1,024);
 * - document end markers, content on a document start marker's line, empty sequence items,
 *   flow collections as keys, null keys in flow mappings, block scalars at a document's root or
 *   starting with an empty line (found by the differential tests).
 * The differential tests (`YamlParsePool.fast.test.ts`) hold it to the `yaml` library.
 * It refers to nothing but its argument, because the parse workers run its source text with
 * their own copy of the library.
 */
export function fastYamlParser(
  lib: typeof jsYaml,
): (text: string) => unknown[] | undefined {
  const scalar = (
    tag: string,
    test: RegExp,
    construct: (s: string) => unknown,
  ) =>
    new lib.Type(`tag:yaml.org,2002:${tag}`, {
      kind: 'scalar',
      resolve: (s: unknown) => typeof s === 'string' && test.test(s),
      construct: (s: string) => construct(s),
    });
  // The `yaml` library's core schema (its schema/core/*.js); the patterns do not overlap.
  const INT_OCT = /^0o[0-7]+$/;
  const INT_DEC = /^[-+]?[0-9]+$/;
  const INT_HEX = /^0x[0-9a-fA-F]+$/;
  const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
  const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
  const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
  const either = (...res: RegExp[]) =>
    new RegExp(res.map(r => `(?:${r.source})`).join('|'));
  const schema = lib.FAILSAFE_SCHEMA.extend({
    implicit: [
      scalar('null', /^(?:~|[Nn]ull|NULL)?$/, () => null),
      scalar(
        'bool',
        /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
        s => s[0] === 't' || s[0] === 'T',
      ),
      scalar('int', either(INT_OCT, INT_DEC, INT_HEX), s => {
        if (INT_OCT.test(s)) return parseInt(s.substring(2), 8);
        if (INT_DEC.test(s)) return parseInt(s, 10);
        return parseInt(s.substring(2), 16);
      }),
      scalar('float', either(FLOAT_NAN, FLOAT_EXP, FLOAT), s => {
        if (!FLOAT_NAN.test(s)) return parseFloat(s);
        if (s.slice(-3).toLowerCase() === 'nan') return NaN;
        return s[0] === '-' ? -Infinity : Infinity;
      }),
    ],
  });
  const DECLINE = [
    // An anchor, alias or tag where a node may start; a merge key; a directive.
    /(?:^|[\s[\]{},])[&*!]|<<|^%/m,
    // A complex key; a null key (`~:`, `null:`, or nothing before the colon).
    /(?:^|[\s[{,])\?(?:\s|$)|(?:^|[\s[{,-])(?:~|[Nn]ull|NULL)? *:(?:\s|$|[,\]}])/m,
    // Characters the two libraries may break lines or indent differently on; a block scalar's
    // explicit indentation (`|1-`), which they read differently; a `#` right after a quote or a
    // flow indicator (`yaml` refuses a comment not separated by white space).
    /[\t\r\u0085\u2028\u2029\uFEFF]|[|>][-+]?[0-9]|[[\]{},"']#/,
    // A line starting with a block scalar indicator (a block scalar at the document's root); a
    // block scalar whose first line is empty.
    /^[ ]*[|>]|[|>][-+0-9]*[ ]*(?:#[^\n]*)?\n[ ]*\n/m,
    // A document end marker; a document start marker with content on its line, or a line
    // starting like one that is not one (`----`).
    /^\.\.\.|^---[ ]*[^\s#]|^---\S/m,
    // An empty sequence item; a flow collection as a key; a null key in a flow mapping.
    /(?:^|\s)-[ ]*(?:#.*)?$|[\]}][ ]*:(?:\s|$|[,\]}])|\{[^}\n]*(?:~|\b(?:null|Null|NULL)\b)/m,
  ];
  const LONG_LINE = 1000;
  const hasLongLine = (text: string) => {
    for (let at = 0; at < text.length; ) {
      const end = text.indexOf('\n', at);
      if ((end === -1 ? text.length : end) - at >= LONG_LINE) return true;
      if (end === -1) return false;
      at = end + 1;
    }
    return false;
  };
  return text => {
    if (DECLINE.some(re => re.test(text)) || hasLongLine(text))
      return undefined;
    let warned = false;
    try {
      const docs = lib.loadAll(text, undefined, {
        schema,
        onWarning: () => {
          warned = true;
        },
      });
      return warned ? undefined : docs;
    } catch {
      return undefined;
    }
  };
}

/**
 * The one definition of how a YAML stream becomes documents: the `yaml` library's answer, given
 * by {@link fastYamlParser} where it answers. It refers to nothing but its arguments, because the
 * parse workers run its source text with their own copy of the libraries.
 */
export function parseYamlStream(
  parseAll: typeof parseAllDocuments,
  text: string,
  fast?: (text: string) => unknown[] | undefined,
): ParsedYaml {
  const quick = fast?.(text);
  if (quick) {
    return { docs: quick.filter(d => d !== null && d !== undefined) };
  }
  const list = parseAll(text);

  const docs = Array.isArray(list) ? list : [list];
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      const line = err.linePos?.[0]?.line;
      return {
        docs: [],
        error: `invalid YAML${line ? ` at line ${line}` : ''}: ${
          err.message.split('\n')[0]
        }`,
      };
    }
  }
  return {
    docs: docs.map(d => d.toJS()).filter(d => d !== null && d !== undefined),
  };
}

/** The content hash a file's parse is reused under. */
export const contentHash = (text: string) =>
  createHash('sha256').update(text).digest('hex');

/**
 * The worker's program: the libraries resolved by the main thread, and the functions above. Given
 * a file, it looks at it (as `LocalTreeSource.stat` does: `lstat`, files and directories only),
 * reads and hashes it unless its size and modification time are the ones known, and parses it
 * unless its hash is the one known. Requests come in batches and are answered in one message
 * per batch: a request costs the worker less than waking the two threads for it.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { lstatSync, readFileSync } = require('node:fs');
const { parseAllDocuments } = require(workerData.yaml);
const fastYaml = (${fastYamlParser.toString()})(require(workerData.jsYaml));
const parseYamlStream = (${parseYamlStream.toString()});
const answer = ({ text, file, known }) => {
  try {
    if (file === undefined) {
      return { parsed: parseYamlStream(parseAllDocuments, text, fastYaml) };
    }
    let st;
    try {
      st = lstatSync(file);
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
    }
    const stat = st && (st.isFile() || st.isDirectory())
      ? { kind: st.isFile() ? 'file' : 'directory', size: st.size, mtimeMs: st.mtimeMs }
      : null;
    if (!stat || stat.kind !== 'file' ||
        (stat.size === known.size && stat.mtimeMs === known.mtimeMs)) {
      return { stat };
    }
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      return { stat, readError: String(e.message) };
    }
    const hash = createHash('sha256').update(text).digest('hex');
    return hash === known.hash
      ? { stat, hash }
      : { stat, hash, parsed: parseYamlStream(parseAllDocuments, text, fastYaml) };
  } catch (e) {
    return { failed: String((e && e.message) || e) };
  }
};
parentPort.on('message', ({ batch }) => {
  parentPort.postMessage({
    results: batch.map(request => ({ id: request.id, result: answer(request) })),
  });
});
`;

interface WorkerRequest {
  text?: string;
  file?: string;
  known?: KnownFile;
}

/**
 * What the caller already has of a file: a look that finds the same size and modification time
 * reads nothing, a read that finds the same hash parses nothing.
 *
 * @public
 */
export interface KnownFile {
  size?: number;
  mtimeMs?: number;
  hash?: string;
}

/**
 * What a worker found at a path: its stat (`null`: nothing there, or neither file nor directory),
 * and for a file it read, the content hash and, unless the hash was known, the parse.
 *
 * @public
 */
export interface FileLook {
  stat: { kind: 'file' | 'directory'; size: number; mtimeMs: number } | null;
  hash?: string;
  parsed?: ParsedYaml;
}

interface WorkerAnswer {
  stat?: FileLook['stat'];
  hash?: string;
  parsed?: ParsedYaml;
  readError?: string;
  failed?: string;
}

/** A pool without work for this long ends its workers; the next parse starts them again. */
const IDLE_MS = 5_000;

/**
 * Requests a worker takes at once, at most: the queue is shared out among the free workers, so a
 * batch is as large as what waited while the workers were busy.
 */
const MAX_BATCH = 64;

/** More workers than this add memory (each holds its own copy of the library) for little gain. */
const MAX_DEFAULT_WORKERS = 4;

/**
 * Workers a pool starts by default: one per core, at most four. The main
 * thread keeps yielding while they parse, so it shares a core with one of them rather than
 * leaving the parse a core short.
 *
 * @public
 */
export function defaultParseWorkers(): number {
  return Math.max(1, Math.min(MAX_DEFAULT_WORKERS, os.availableParallelism()));
}

interface Task {
  id: number;
  request: WorkerRequest;
  /** `undefined`: the worker could not give the answer; the caller works in the main thread. */
  resolve: (r: WorkerAnswer | undefined) => void;
}

interface PoolWorker {
  worker: Worker;
  /** The batch the worker is answering. */
  tasks?: Task[];
}

/**
 * Parses YAML streams in `worker_threads`, so a cold read of a large tree does not hold the
 * backend's event loop for the whole parse. The caller bounds how many texts wait (it awaits each
 * parse); workers start on the first parse, end after a while without work, and never keep the
 * process alive. The answer is always what `parseYamlStream` gives in the main thread:
 * whatever a worker cannot do (a crash, a value it cannot send back) is parsed in the main
 * thread instead, and a pool whose worker crashed parses in the main thread from then on.
 *
 * @public
 */
export class YamlParsePool {
  readonly size: number;
  private workers: PoolWorker[] = [];
  private readonly queue: Task[] = [];
  private nextId = 0;
  private idleTimer?: NodeJS.Timeout;
  private broken = false;

  constructor(options: { size?: number } = {}) {
    this.size = options.size ?? defaultParseWorkers();
    if (!Number.isInteger(this.size) || this.size < 1) {
      throw new TypeError(
        `YamlParsePool: size must be an integer of at least 1, got ${options.size}`,
      );
    }
  }

  private static sharedPool?: YamlParsePool;

  /** The process's pool, sized by {@link defaultParseWorkers}. */
  static shared(): YamlParsePool {
    YamlParsePool.sharedPool ??= new YamlParsePool();
    return YamlParsePool.sharedPool;
  }

  /** The documents of a YAML stream, parsed by a worker. */
  async parse(text: string): Promise<ParsedYaml> {
    // A throw inside the library reaches the caller as the rejection of this promise.
    return (await this.run({ text }))?.parsed ?? inline(text);
  }

  /**
   * Looks at a file on local disk in a worker and, unless `known` says it is unchanged, reads,
   * hashes and parses it there. Rejects with the read's error; `undefined` when the worker could
   * not answer (the caller does it in the main thread).
   */
  async look(
    file: string,
    known: KnownFile = {},
  ): Promise<FileLook | undefined> {
    const answer = await this.run({ file, known });
    if (answer?.readError !== undefined) throw new Error(answer.readError);
    if (answer?.stat === undefined) return undefined;
    return { stat: answer.stat, hash: answer.hash, parsed: answer.parsed };
  }

  private run(request: WorkerRequest): Promise<WorkerAnswer | undefined> {
    if (this.broken) return Promise.resolve(undefined);
    clearTimeout(this.idleTimer);
    return new Promise<WorkerAnswer | undefined>(resolve => {
      this.queue.push({ id: this.nextId++, request, resolve });
      this.dispatch();
    }).then(r => (r?.failed === undefined ? r : undefined));
  }

  /** Ends the workers now (they also end by themselves when idle). */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const workers = this.workers;
    this.workers = [];
    for (const w of workers) if (w.tasks) this.queue.unshift(...w.tasks);
    await Promise.all(workers.map(w => w.worker.terminate()));
    for (const task of this.queue.splice(0)) task.resolve(undefined);
  }

  private dispatch() {
    while (this.queue.length > 0) {
      let free = this.workers.find(w => !w.tasks);
      if (!free && this.workers.length < this.size) free = this.start();
      if (!free) return;
      // What waits is shared out among the workers free now or yet to start.
      const idle =
        this.workers.filter(w => !w.tasks).length +
        (this.size - this.workers.length);
      const tasks = this.queue.splice(
        0,
        Math.min(MAX_BATCH, Math.ceil(this.queue.length / idle)),
      );
      free.tasks = tasks;
      free.worker.postMessage({
        batch: tasks.map(t => ({ id: t.id, ...t.request })),
      });
    }
    if (this.workers.every(w => !w.tasks)) {
      this.idleTimer = setTimeout(() => void this.close(), IDLE_MS);
      this.idleTimer.unref();
    }
  }

  private start(): PoolWorker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        yaml: require.resolve('yaml'),
        jsYaml: require.resolve('js-yaml'),
      },
    });
    worker.unref();
    const w: PoolWorker = { worker };
    worker.on(
      'message',
      (m: { results: Array<{ id: number; result: WorkerAnswer }> }) => {
        const tasks = w.tasks;
        if (!tasks) return;
        w.tasks = undefined;
        const byId = new Map(m.results.map(r => [r.id, r.result]));
        for (const task of tasks) task.resolve(byId.get(task.id));
        this.dispatch();
      },
    );
    worker.on('error', () => this.fail(w));
    worker.on('exit', () => this.fail(w));
    this.workers.push(w);
    return w;
  }

  private fail(w: PoolWorker) {
    if (!this.workers.includes(w)) return;
    this.broken = true;
    this.workers = this.workers.filter(x => x !== w);
    for (const task of w.tasks ?? []) task.resolve(undefined);
    for (const task of this.queue.splice(0)) task.resolve(undefined);
    void this.close();
  }
}

/** The main thread's fast path, built once. */
let fastInline: ((text: string) => unknown[] | undefined) | undefined;

/** Parses a YAML stream in the calling thread, as the workers do. */
export function parseYamlInline(text: string): ParsedYaml {
  fastInline ??= fastYamlParser(jsYaml);
  return parseYamlStream(parseAllDocuments, text, fastInline);
}

/**
 * The one document of a YAML text as `yaml`'s `parse` gives it (which throws on a malformed
 * text), by the fast path where it answers with exactly one document.
 */
export function parseYamlValue(text: string): unknown {
  fastInline ??= fastYamlParser(jsYaml);
  const docs = fastInline(text);
  return docs?.length === 1 ? docs[0] : parse(text);
}

function inline(text: string): ParsedYaml {
  return parseYamlInline(text);
}
