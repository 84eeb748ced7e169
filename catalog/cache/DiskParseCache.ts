import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BlobResult } from '../parseBlob.ts';
import type { ParseCache } from './ParseCache.ts';

/** Bumped whenever BlobResult's shape or parsing semantics change. */
export const CACHE_FORMAT = 'blobs-v3';

/** `CMDB_CACHE_DIR`, else the user's cache dir (XDG_CACHE_HOME or ~/.cache) + gitops-cmdb. */
export function defaultCacheDir(): string {
  if (process.env.CMDB_CACHE_DIR) return process.env.CMDB_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'gitops-cmdb');
}

type Bucket = Map<string, BlobResult>;

/**
 * Parsed blobs on disk, in 256 bucket files (by the oid's first two hex digits),
 * each a line per blob: `oid TAB result-without-texts TAB text TAB text...`, so
 * the documents' JSON texts are sliced, not parsed, on load (JSON text has no raw
 * tab or newline). Writes are atomic (temp file + rename); a lost race with another process
 * only costs a re-parse. Unreadable buckets are ignored.
 */
export class DiskParseCache implements ParseCache {
  readonly dir: string;
  private readonly buckets = new Map<string, Bucket>();
  private readonly dirty = new Set<string>();

  /** `namespace` names everything the results depend on besides the blob (schemas, limits). */
  constructor(options: { dir?: string; namespace: string }) {
    const key = createHash('sha256').update(`${CACHE_FORMAT}\0${options.namespace}`).digest('hex').slice(0, 16);
    this.dir = path.join(options.dir ?? defaultCacheDir(), `${CACHE_FORMAT}-${key}`);
  }

  async preload(oids: readonly string[]): Promise<void> {
    const wanted = new Set<string>();
    for (const oid of oids) {
      const b = oid.slice(0, 2);
      if (!this.buckets.has(b)) wanted.add(b);
    }
    await Promise.all([...wanted].map((b) => this.loadBucket(b)));
  }

  private async loadBucket(name: string): Promise<void> {
    let bucket: Bucket = new Map();
    try {
      const text = await fs.readFile(path.join(this.dir, `${name}.txt`), 'utf8');
      for (const line of text.split('\n')) if (line) decodeLine(line, bucket);
    } catch {
      /* missing or unreadable: start empty */
    }
    if (!this.buckets.has(name)) this.buckets.set(name, bucket);
  }

  get(oid: string): BlobResult | undefined {
    return this.buckets.get(oid.slice(0, 2))?.get(oid);
  }

  set(oid: string, result: BlobResult): void {
    const name = oid.slice(0, 2);
    let bucket = this.buckets.get(name);
    if (!bucket) this.buckets.set(name, (bucket = new Map()));
    bucket.set(oid, result);
    this.dirty.add(name);
  }

  async flush(): Promise<{ written: number; error?: string }> {
    if (this.dirty.size === 0) return { written: 0 };
    const names = [...this.dirty];
    this.dirty.clear();
    try {
      await fs.mkdir(this.dir, { recursive: true });
      await Promise.all(names.map((name) => this.writeBucket(name)));
      return { written: names.length };
    } catch (e) {
      return { written: 0, error: `cannot write the parse cache in ${this.dir}: ${(e as Error).message}` };
    }
  }

  private async writeBucket(name: string): Promise<void> {
    const file = path.join(this.dir, `${name}.txt`);
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await fs.writeFile(tmp, [...this.buckets.get(name)!].map(([oid, result]) => encodeLine(oid, result)).join(''));
    await fs.rename(tmp, file);
  }
}

/** One cache line for a blob's result. */
function encodeLine(oid: string, result: BlobResult): string {
  const documents = result.documents.map(({ text: _, ...rest }) => rest);
  return [oid, JSON.stringify({ ...result, documents }), ...result.documents.map((d) => d.text)].join('\t') + '\n';
}

/** Adds the result a cache line holds; a malformed line is skipped. */
function decodeLine(line: string, bucket: Bucket): void {
  const [oid, json, ...texts] = line.split('\t');
  try {
    const result = JSON.parse(json) as BlobResult;
    if (result.documents.length !== texts.length) return;
    result.documents.forEach((d, i) => (d.text = texts[i]));
    bucket.set(oid, result);
  } catch {
    /* skip */
  }
}
