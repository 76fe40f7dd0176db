import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ArchiveRefusal } from './ArchiveRefusal';
import type { ArtifactLimits } from './artifactLimits';
import { normalizeEntryPath } from './entryPath';
import type { TarEntry } from './readTarEntries';
import type { TreeManifest } from '../treeManifest';

/** What an extraction wrote. */
export interface ExtractedTree {
  files: number;
  /** Bytes of file contents written. */
  bytes: number;
  /** Symbolic links in the archive, not created (as Flux's controllers drop them). */
  skippedSymlinks: string[];
  /**
   * What every file written holds, hashed as it was written: the same manifest
   * `readTreeManifest` would make of `dir` afterwards, without reading the files again.
   */
  manifest: TreeManifest;
}

const WRITE_FLAGS =
  fsConstants.O_WRONLY |
  fsConstants.O_CREAT |
  fsConstants.O_EXCL |
  fsConstants.O_NOFOLLOW;

/**
 * Writes the entries of a Flux artifact into `dir`, a fresh folder of the caller's. The rules
 * follow what Flux's kustomize-controller accepts when it untars an artifact: regular files and
 * directories are written; symbolic links are skipped, never created; hard links, devices,
 * fifos and any other entry type refuse the whole archive. Beyond Flux, a path written twice, or a
 * file where a directory is needed, refuses it too: which copy wins would otherwise depend on
 * order. Every entry is checked before a byte of it is written, and files are created exclusively
 * without following links, so nothing can land outside `dir`.
 */
export async function extractTarEntries(
  entries: AsyncIterable<TarEntry>,
  dir: string,
  limits: ArtifactLimits,
): Promise<ExtractedTree> {
  const manifest = new Map<string, string>();
  const result: ExtractedTree = {
    files: 0,
    bytes: 0,
    skippedSymlinks: [],
    manifest,
  };
  const kinds = new Map<string, 'file' | 'directory'>();

  const claimParents = (clean: string, raw: string) => {
    const segments = clean.split('/');
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join('/');
      const kind = kinds.get(parent);
      if (kind === 'file') {
        throw new ArchiveRefusal(
          'hostile',
          `entry path goes through "${parent}", which is a file in the archive`,
          raw,
        );
      }
      if (!kind) kinds.set(parent, 'directory');
    }
  };

  for await (const entry of entries) {
    const clean = normalizeEntryPath(entry.path, limits);
    if (entry.type === 'symlink') {
      result.skippedSymlinks.push(clean ?? entry.path);
      continue;
    }
    if (entry.type !== 'file' && entry.type !== 'directory') {
      throw new ArchiveRefusal(
        'hostile',
        entry.type === 'other'
          ? `entry type "${entry.typeflag}" is not supported (only files and directories are extracted)`
          : `entry is a ${entry.type.replace(
              '-',
              ' ',
            )} (only files and directories are extracted)`,
        entry.path,
      );
    }
    if (clean === undefined) {
      if (entry.type === 'directory') continue;
      throw new ArchiveRefusal(
        'hostile',
        'a file entry has an empty path',
        entry.path,
      );
    }
    claimParents(clean, entry.path);
    const existing = kinds.get(clean);

    if (entry.type === 'directory') {
      if (existing === 'file') {
        throw new ArchiveRefusal(
          'hostile',
          'entry path appears twice in the archive (as a file and a directory)',
          entry.path,
        );
      }
      kinds.set(clean, 'directory');
      await fs.mkdir(path.join(dir, clean), { recursive: true });
      continue;
    }

    if (existing) {
      throw new ArchiveRefusal(
        'hostile',
        `entry path appears twice in the archive${
          existing === 'directory' ? ' (as a directory and a file)' : ''
        }`,
        entry.path,
      );
    }
    if (result.files + 1 > limits.files) {
      throw new ArchiveRefusal(
        'limit',
        `the archive has more than files=${limits.files} files`,
        entry.path,
      );
    }
    if (entry.size > limits.fileBytes) {
      throw new ArchiveRefusal(
        'limit',
        `entry is ${entry.size} bytes, over the per-file limit fileBytes=${limits.fileBytes}`,
        entry.path,
      );
    }
    if (result.bytes + entry.size > limits.uncompressedBytes) {
      throw new ArchiveRefusal(
        'limit',
        `the files reach ${
          result.bytes + entry.size
        } bytes, over the limit uncompressedBytes=${limits.uncompressedBytes}`,
        entry.path,
      );
    }
    kinds.set(clean, 'file');
    result.files += 1;

    const target = path.join(dir, clean);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const handle = await fs.open(target, WRITE_FLAGS, 0o644);
    const hash = createHash('sha256');
    let written = 0;
    try {
      for await (const chunk of entry.body) {
        hash.update(chunk);
        written += chunk.length;
        let offset = 0;
        while (offset < chunk.length) {
          const { bytesWritten } = await handle.write(chunk, offset);
          offset += bytesWritten;
        }
      }
    } catch (e) {
      if (e instanceof ArchiveRefusal && !e.entry) e.entry = entry.path;
      throw e;
    } finally {
      await handle.close();
    }
    result.bytes += entry.size;
    manifest.set(clean, `${written}:${hash.digest('hex')}`);
  }
  return result;
}
