import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BlobResult } from '../parseBlob.ts';
import type { ParseCache } from './ParseCache.ts';

/** Bumped whenever BlobResult's shape or parsing semantics change. */
export const CACHE_FORMAT = 'blobs-v8';

/** `CMDB_CACHE_DIR`, else the user's cache dir (XDG_CACHE_HOME or ~/.cache) + gitops-cmdb. */
export function defaultCacheDir(): string {
  if (process.env.CMDB_CACHE_DIR) return process.env.CMDB_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'gitops-cmdb');
}

export type Bucket = Map<string, BlobResult>;

/**
 * Parsed blobs on disk, in 256 bucket files (by the oid's first two hex digits),
 * each a line per blob: `oid TAB result-without-texts TAB text TAB text...`, so
 * the documents' JSON texts are sliced, not parsed, on load (JSON text has no raw
 * tab or newline). Writes are atomic (temp file + rename) and rewrite whole
 * buckets, so a bucket is always read before it is written; a lost race with
 * another process only costs a re-parse. Unreadable buckets are ignored.
 * `load` serves single entries without decoding their bucket (a line lookup in
 * the raw file), until 16 of one bucket were asked for: then it decodes it all.
 */
export class DiskParseCache implements ParseCache {
  readonly dir: string;
  private readonly buckets = new Map<string, Bucket>();
  private readonly dirty = new Set<string>();
  /** Bucket files read by `load`, kept raw: one line is decoded per blob asked for. */
  private readonly raw = new Map<string, Buffer>();
  private readonly loose = new Map<string, BlobResult>();
  private readonly asked = new Map<string, number>();

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
    this.raw.delete(name);
  }

  get(oid: string): BlobResult | undefined {
    return this.buckets.get(oid.slice(0, 2))?.get(oid);
  }

  load(oid: string): BlobResult | undefined {
    const hit = this.get(oid) ?? this.loose.get(oid);
    if (hit) return hit;
    const name = oid.slice(0, 2);
    const asked = (this.asked.get(name) ?? 0) + 1;
    this.asked.set(name, asked);
    if (asked > LOOSE_LOOKUPS) return this.loadBucketSync(name).get(oid);
    let raw = this.raw.get(name);
    if (!raw) {
      try {
        raw = readFileSync(path.join(this.dir, `${name}.txt`));
      } catch {
        raw = Buffer.alloc(0);
      }
      this.raw.set(name, raw);
    }
    const found = lineOf(raw, oid);
    if (found === undefined) return undefined;
    const one: Bucket = new Map();
    decodeLine(found, one);
    const result = one.get(oid);
    if (result) this.loose.set(oid, result);
    return result;
  }

  /** Decodes a whole bucket (once many of its blobs are asked for). */
  private loadBucketSync(name: string): Bucket {
    let bucket = this.buckets.get(name);
    if (bucket) return bucket;
    bucket = new Map();
    let raw = this.raw.get(name);
    try {
      raw ??= readFileSync(path.join(this.dir, `${name}.txt`));
      for (const line of raw.toString('utf8').split('\n')) if (line) decodeLine(line, bucket);
    } catch {
      /* missing or unreadable: empty */
    }
    this.raw.delete(name);
    this.buckets.set(name, bucket);
    return bucket;
  }

  set(oid: string, result: BlobResult): void {
    const name = oid.slice(0, 2);
    // A bucket is written whole: read what it holds first, or the write would drop it.
    this.loadBucketSync(name).set(oid, result);
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

/** Blobs of one bucket looked up one by one before the whole bucket is decoded. */
const LOOSE_LOOKUPS = 16;

/** The line of a bucket file that starts with `oid`, or undefined. */
function lineOf(raw: Buffer, oid: string): string | undefined {
  const key = Buffer.from(`${oid}\t`);
  for (let at = raw.indexOf(key); at >= 0; at = raw.indexOf(key, at + 1)) {
    if (at > 0 && raw[at - 1] !== 10) continue;
    const end = raw.indexOf(10, at);
    return raw.toString('utf8', at, end < 0 ? raw.length : end);
  }
  return undefined;
}

/** The line each result was decoded from (or encoded to), so writing it back costs no re-encoding (results are never mutated). */
const decodedFrom = new WeakMap<BlobResult, string>();

/**
 * For sending a result to another thread: its cache line (newline included),
 * and the result with the documents' texts emptied in place, since the line
 * carries them (`withTexts` puts them back). Saves copying every text twice.
 */
export function encodeForTransfer(oid: string, result: BlobResult): string {
  const line = encodeLine(oid, result);
  for (const d of result.documents) d.text = '';
  return line;
}

/**
 * The result `encodeForTransfer` emptied, with its texts sliced back out of
 * `line` (without its newline); the line is remembered, so writing the result
 * to the cache costs no re-encoding.
 */
export function withTexts(result: BlobResult, line: string): BlobResult {
  let stop = line.length;
  for (let k = result.documents.length - 1; k >= 0; k--) {
    const tab = line.lastIndexOf('\t', stop - 1);
    result.documents[k].text = line.slice(tab + 1, stop);
    stop = tab;
  }
  decodedFrom.set(result, line);
  return result;
}

/** One cache line for a blob's result (newline included). */
export function encodeLine(oid: string, result: BlobResult): string {
  const known = decodedFrom.get(result);
  if (known !== undefined && known.startsWith(oid) && known.charCodeAt(oid.length) === 9) return `${known}\n`;
  // The texts leave the JSON by being undefined for the call (JSON.stringify omits them):
  // half the cost of copying every document without its text.
  const texts = result.documents.map((d) => d.text);
  const documents = result.documents as Array<{ text?: string }>;
  for (const d of documents) d.text = undefined;
  let json: string;
  try {
    json = JSON.stringify(result);
  } finally {
    texts.forEach((text, i) => (documents[i].text = text));
  }
  return [oid, json, ...texts].join('\t') + '\n';
}

/** Adds the result a cache line (without its newline) holds; a malformed line is skipped. */
export function decodeLine(line: string, bucket: Bucket): void {
  const [oid, json, ...texts] = line.split('\t');
  try {
    const result = JSON.parse(json) as BlobResult;
    if (result.documents.length !== texts.length) return;
    result.documents.forEach((d, i) => (d.text = texts[i]));
    decodedFrom.set(result, line);
    bucket.set(oid, result);
  } catch {
    /* skip */
  }
}
