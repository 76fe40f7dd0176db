import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A problem with one file, reported with the file and the reason. */
export interface FileError {
  /** Repository-relative path. */
  file: string;
  reason: string;
}

interface Entry {
  hash: string;
  docs: unknown[];
  error?: string;
}

/**
 * Reads YAML files by repository-relative path, parsing each content hash once. A file that
 * stops parsing keeps its last good documents (and is reported), so one malformed file never
 * drops what other files - or its own earlier version - contributed.
 */
export class YamlFileCache {
  private readonly entries = new Map<string, Entry>();
  private readonly lastGood = new Map<string, unknown[]>();
  private touched = new Map<string, string>();
  private errors: FileError[] = [];

  constructor(private readonly rootDir: string) {}

  /** Starts a read pass: forgets which files were read and the errors of the last pass. */
  begin(): void {
    this.touched = new Map();
    this.errors = [];
  }

  /** Content hash of every file read in this pass, by path: the input of the delta decision. */
  fingerprint(): Map<string, string> {
    return new Map(this.touched);
  }

  /** Errors of this pass. */
  fileErrors(): FileError[] {
    return [...this.errors];
  }

  /** Records a problem found while interpreting a file's content. */
  report(file: string, reason: string): void {
    if (!this.errors.some(e => e.file === file && e.reason === reason)) {
      this.errors.push({ file, reason });
    }
  }

  exists(rel: string): boolean {
    return fs.existsSync(path.join(this.rootDir, rel));
  }

  isDirectory(rel: string): boolean {
    try {
      return fs.statSync(path.join(this.rootDir, rel)).isDirectory();
    } catch {
      return false;
    }
  }

  /** YAML files under a directory, recursively, sorted; symlinks are not followed. */
  listYaml(relDir: string): string[] {
    const out: string[] = [];
    const walk = (rel: string) => {
      let dirents: fs.Dirent[];
      try {
        dirents = fs.readdirSync(path.join(this.rootDir, rel), {
          withFileTypes: true,
        });
      } catch {
        return;
      }
      for (const d of dirents) {
        const child = path.posix.join(rel, d.name);
        if (d.isDirectory()) walk(child);
        else if (d.isFile() && /\.ya?ml$/.test(d.name)) out.push(child);
      }
    };
    walk(relDir);
    return out.sort();
  }

  /** The YAML documents of a file (plain objects); `[]` when missing or never parsed. */
  read(rel: string): unknown[] {
    let text: string;
    try {
      text = fs.readFileSync(path.join(this.rootDir, rel), 'utf8');
    } catch (e) {
      this.touched.set(rel, 'missing');
      this.report(rel, `cannot be read: ${(e as Error).message}`);
      return [];
    }
    const hash = createHash('sha256').update(text).digest('hex');
    this.touched.set(rel, hash);
    let entry = this.entries.get(rel);
    if (!entry || entry.hash !== hash) {
      entry = parseEntry(text, hash);
      this.entries.set(rel, entry);
      if (!entry.error) this.lastGood.set(rel, entry.docs);
    }
    if (entry.error) {
      const kept = this.lastGood.get(rel);
      this.report(
        rel,
        kept ? `${entry.error} (keeping its last valid version)` : entry.error,
      );
      return kept ?? [];
    }
    return entry.docs;
  }
}

function parseEntry(text: string, hash: string): Entry {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      const line = err.linePos?.[0]?.line;
      return {
        hash,
        docs: [],
        error: `invalid YAML${line ? ` at line ${line}` : ''}: ${
          err.message.split('\n')[0]
        }`,
      };
    }
  }
  return {
    hash,
    docs: list.map(d => d.toJS()).filter(d => d !== null && d !== undefined),
  };
}
