import fs from 'node:fs/promises';
import path from 'node:path';
import { LocalTreeSource } from '../TreeSource';
import {
  type ArtifactDigest,
  digestDirName,
  formatArtifactDigest,
  parseArtifactDigest,
} from './artifactDigest';
import { ArtifactFetchError } from './ArtifactFetchError';
import type { ArtifactLimits } from './artifactLimits';
import { fetchArtifact } from './fetchArtifact';

const EXTRACTED = /^(sha256|sha384|sha512)-[0-9a-f]+$/;
const PARTIAL = /^\.partial-/;

/**
 * Options of {@link ArtifactStore}.
 *
 * @public
 */
export interface ArtifactStoreOptions {
  /** The folder the store owns: one per Flux source, so revisions of different sources never mix. */
  workDir: string;
  /**
   * Extractions kept: the current one and the ones before it, so a reader still walking the
   * previous revision is not cut off when a new one arrives. At least 1; 2 by default.
   */
  keep?: number;
  limits?: Partial<ArtifactLimits>;
  fetch?: typeof fetch;
}

/**
 * One revision of a Flux source, extracted and verified.
 *
 * @public
 */
export interface ArtifactCheckout {
  /** `<algorithm>:<hex>`. */
  digest: string;
  dir: string;
  /** The tree to read: a `LocalTreeSource` over `dir`. */
  source: LocalTreeSource;
  /** `false` when an extraction of this digest was already on disk and nothing was downloaded. */
  downloaded: boolean;
}

/**
 * Keeps the extracted revisions of one Flux source under one work folder, keyed by digest. A
 * digest already extracted is reused without a download (only verified extractions are ever
 * renamed into place, so the folder's presence is the proof); concurrent checkouts of one
 * digest share one download; after each checkout, extractions beyond the `keep` most recently
 * checked out are removed, and so are partial folders a stopped process left behind.
 *
 * @public
 */
export class ArtifactStore {
  private readonly workDir: string;
  private readonly keep: number;
  /** Directory names, most recently checked out first. */
  private recent: string[] = [];
  private readonly inFlight = new Map<string, Promise<ArtifactCheckout>>();

  constructor(private readonly options: ArtifactStoreOptions) {
    this.workDir = path.resolve(options.workDir);
    this.keep = options.keep ?? 2;
    if (!Number.isInteger(this.keep) || this.keep < 1) {
      throw new TypeError(
        `ArtifactStore: keep must be an integer of at least 1, got ${options.keep}`,
      );
    }
  }

  /** The extraction of `digest`, fetched from `url` unless it is already on disk. */
  async checkout(request: {
    url: string;
    digest: string;
    signal?: AbortSignal;
  }): Promise<ArtifactCheckout> {
    let parsed: ArtifactDigest;
    try {
      parsed = parseArtifactDigest(request.digest);
    } catch (e) {
      throw new ArtifactFetchError(
        'unsupported-digest',
        request.url,
        (e as Error).message,
      );
    }
    const name = digestDirName(parsed);
    const pending = this.inFlight.get(name);
    if (pending) return pending;
    const work = this.checkoutOnce(name, parsed, request).finally(() =>
      this.inFlight.delete(name),
    );
    this.inFlight.set(name, work);
    return work;
  }

  private async checkoutOnce(
    name: string,
    parsed: ArtifactDigest,
    request: { url: string; digest: string; signal?: AbortSignal },
  ): Promise<ArtifactCheckout> {
    const dir = path.join(this.workDir, name);
    let downloaded = false;
    if (await isDirectory(dir)) {
      // The modification time orders extractions across restarts, when `recent` is empty.
      const now = new Date();
      await fs.utimes(dir, now, now);
    } else {
      await fetchArtifact({
        url: request.url,
        digest: request.digest,
        targetDir: this.workDir,
        limits: this.options.limits,
        fetch: this.options.fetch,
        signal: request.signal,
      });
      downloaded = true;
    }
    this.recent = [name, ...this.recent.filter(n => n !== name)];
    await this.prune();
    return {
      digest: formatArtifactDigest(parsed),
      dir,
      source: new LocalTreeSource(dir),
      downloaded,
    };
  }

  /**
   * Removes extractions beyond the `keep` most recent (by checkout in this process, then by
   * modification time for those found on disk), and partial folders when no fetch is running.
   * A removal that fails is left for the next checkout, which lists the folder again.
   */
  private async prune(): Promise<void> {
    const names = await fs.readdir(this.workDir).catch(() => [] as string[]);
    const extracted = await Promise.all(
      names
        .filter(n => EXTRACTED.test(n))
        .map(async n => ({
          name: n,
          mtimeMs:
            (
              await fs.stat(path.join(this.workDir, n)).catch(() => undefined)
            )?.mtimeMs ?? 0,
        })),
    );
    const rank = (n: string) => {
      const i = this.recent.indexOf(n);
      return i === -1 ? Number.MAX_SAFE_INTEGER : i;
    };
    extracted.sort(
      (a, b) => rank(a.name) - rank(b.name) || b.mtimeMs - a.mtimeMs,
    );
    const kept = new Set(extracted.slice(0, this.keep).map(e => e.name));
    this.recent = this.recent.filter(n => kept.has(n));
    // In-flight downloads of this store own their partial folders.
    const removable = [
      ...extracted.filter(e => !kept.has(e.name)).map(e => e.name),
      ...(this.inFlight.size <= 1 ? names.filter(n => PARTIAL.test(n)) : []),
    ];
    await Promise.all(
      removable.map(n =>
        fs
          .rm(path.join(this.workDir, n), { recursive: true, force: true })
          .catch(() => undefined),
      ),
    );
  }
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fs.lstat(p)).isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}
