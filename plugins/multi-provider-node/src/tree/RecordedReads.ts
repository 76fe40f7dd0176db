import { eventLoopDue, yieldWhenDue } from './eventLoopSlice';
import { answersNow } from './answersNow';
import type { YamlDocumentCache } from './YamlDocumentCache';

/** The reads a kustomize walk makes of a tree. */
export type TreeReads = Pick<
  YamlDocumentCache,
  'exists' | 'isDirectory' | 'listYaml' | 'read'
>;

type Answer = boolean | string | unknown[];

/** The questions a {@link RecordedReads} was asked, with its answers. */
export type RecordedAnswers = ReadonlyMap<string, Answer>;

/**
 * A {@link TreeReads} that remembers what it was asked and answered, so a later pass can ask
 * again and tell whether a result derived from these reads still holds. Documents compare by
 * identity: the cache hands out the same array while a file's content is unchanged.
 */
export class RecordedReads implements TreeReads {
  private readonly log = new Map<string, Answer>();

  constructor(private readonly cache: YamlDocumentCache) {}

  async exists(rel: string): Promise<boolean> {
    return this.note(`exists\0${rel}`, await this.cache.exists(rel));
  }

  async isDirectory(rel: string): Promise<boolean> {
    return this.note(`isDirectory\0${rel}`, await this.cache.isDirectory(rel));
  }

  async listYaml(rel: string): Promise<string[]> {
    const files = await this.cache.listYaml(rel);
    this.note(`listYaml\0${rel}`, files.join('\0'));
    return files;
  }

  async read(rel: string): Promise<unknown[]> {
    return this.note(`read\0${rel}`, await this.cache.read(rel));
  }

  /** What was read, to check with {@link readsStillHold}. */
  reads(): RecordedAnswers {
    return this.log;
  }

  private note<T extends Answer>(key: string, answer: T): T {
    this.log.set(key, answer);
    return answer;
  }
}

/**
 * Asks `cache` every recorded question again, in order, and says whether every answer is the
 * same. The reads count in the cache's pass as if made anew (fingerprint, file errors).
 */
export async function readsStillHold(
  cache: YamlDocumentCache,
  reads: RecordedAnswers,
): Promise<boolean> {
  // Most answers are at hand (what this pass already saw); only the others are awaited.
  if (eventLoopDue()) await yieldWhenDue();
  const answerNow = answersNow.get(cache)!;
  for (const [key, answer] of reads) {
    const sep = key.indexOf('\0');
    const op = key.slice(0, sep);
    const rel = key.slice(sep + 1);
    let now = op === 'listYaml' ? undefined : answerNow(op as 'read', rel);
    if (now !== undefined) {
      if (now !== answer) return false;
      continue;
    }
    if (op === 'exists') now = await cache.exists(rel);
    else if (op === 'isDirectory') now = await cache.isDirectory(rel);
    else if (op === 'listYaml') now = (await cache.listYaml(rel)).join('\0');
    else now = await cache.read(rel);
    if (now !== answer) return false;
  }
  return true;
}
