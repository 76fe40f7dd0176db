import fs from 'node:fs/promises';
import { RevisionFolders } from '../RevisionFolders';
import { LocalTreeSource } from '../TreeSource';
import type { TreeManifest } from '../treeManifest';
import {
  type ArtifactDigest,
  digestDirName,
  formatArtifactDigest,
  parseArtifactDigest,
} from './artifactDigest';
import { ArtifactFetchError } from './ArtifactFetchError';
import type { ArtifactLimits } from './artifactLimits';
import {
  fetchArtifact,
  type FetchArtifactOptions,
  type FetchedArtifact,
} from './fetchArtifact';

const EXTRACTED = /^(sha256|sha384|sha512)-[0-9a-f]+$/;

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
  /**
   * Downloads, verifies and extracts one artifact into `<targetDir>/<algorithm>-<hex>`;
   * {@link fetchArtifact} by default (a test gives a stand-in).
   */
  fetchArtifact?: (options: FetchArtifactOptions) => Promise<FetchedArtifact>;
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
  /** Regular files written; 0 when nothing was downloaded. */
  files: number;
  /** Bytes of file contents written; 0 when nothing was downloaded. */
  bytes: number;
  /**
   * What the files hold, recorded while they were extracted; unset when nothing was downloaded
   * (or the fetch did not record it): `readTreeManifest(dir)` then.
   */
  manifest?: TreeManifest;
}

/**
 * Keeps the extracted revisions of one Flux source under one work folder, keyed by digest. A
 * digest already extracted is reused without a download, in this process or after a restart
 * (only verified extractions are ever renamed into place, so the folder's presence is the
 * proof); concurrent checkouts of one digest share one download; which revisions stay on disk
 * is the rule of the suite's revision folders (the current and the previous one by default).
 *
 * @public
 */
export class ArtifactStore {
  private readonly folders: RevisionFolders;
  private readonly inFlight = new Map<string, Promise<ArtifactCheckout>>();

  constructor(private readonly options: ArtifactStoreOptions) {
    this.folders = new RevisionFolders({
      workDir: options.workDir,
      keep: options.keep,
      isRevision: n => EXTRACTED.test(n),
      owner: 'ArtifactStore',
    });
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

  /** Removes every extraction and the store's folder: the source is no longer read. */
  async clear(): Promise<void> {
    await this.folders.removeAll();
    await fs.rmdir(this.folders.workDir).catch(() => undefined);
  }

  private async checkoutOnce(
    name: string,
    parsed: ArtifactDigest,
    request: { url: string; digest: string; signal?: AbortSignal },
  ): Promise<ArtifactCheckout> {
    const dir = this.folders.path(name);
    const digest = formatArtifactDigest(parsed);
    let got: { files: number; bytes: number; manifest?: TreeManifest } = {
      files: 0,
      bytes: 0,
    };
    const downloaded = !(await this.folders.has(name));
    if (downloaded) {
      const fetched = await (this.options.fetchArtifact ?? fetchArtifact)({
        url: request.url,
        digest: request.digest,
        targetDir: this.folders.workDir,
        limits: this.options.limits,
        fetch: this.options.fetch,
        signal: request.signal,
      });
      if (fetched.digest !== digest || fetched.dir !== dir) {
        throw new ArtifactFetchError(
          'digest',
          request.url,
          `digest ${fetched.digest} of the fetched artifact is not the ${digest} Flux recorded`,
        );
      }
      got = fetched;
    }
    // In-flight downloads of this store own their partial folders.
    await this.folders.use(name, { extracting: this.inFlight.size > 1 });
    return {
      digest,
      dir,
      source: new LocalTreeSource(dir),
      downloaded,
      files: got.files,
      bytes: got.bytes,
      ...(got.manifest ? { manifest: got.manifest } : {}),
    };
  }
}
