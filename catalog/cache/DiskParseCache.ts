import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync, fstatSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BlobResult } from '../parseBlob.ts';
import type { ParseCache } from './ParseCache.ts';
import { decodeRecord, decodeStoredRecord, encodeLine } from './cacheLine.ts';

export * from './cacheLine.ts';

/** Bumped whenever BlobResult's shape, parsing semantics or the file layout change. */
export const CACHE_FORMAT = 'blobs-v10';

/** `CMDB_CACHE_DIR`, else the user's cache dir (XDG_CACHE_HOME or ~/.cache) + gitops-cmdb. */
export function defaultCacheDir(): string {
  if (process.env.CMDB_CACHE_DIR) return process.env.CMDB_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'gitops-cmdb');
}

/** Segment file of a DiskParseCache. */
export const SEGMENT_FILE = /^[0-9a-z-]+\.seg$/;

/*
 * A segment file: the cache lines of the blobs one process parsed (one line
 * per blob, `oid TAB result-without-texts TAB text TAB text...` (cacheLine.ts), so the
 * documents' JSON texts are sliced, not parsed, on load: JSON text has no raw
 * tab or newline), then an index of INDEX_ENTRY bytes per blob sorted by oid, in columns
 * (20-byte oid, u32 offset of its line, u32 length without the newline), then
 * a trailer (u32 offset of the index, u32 count, the magic bytes).
 */
const MAGIC = Buffer.from('cmdbseg1');
const SHA1 = /^[0-9a-f]{40}$/;
const LITTLE_ENDIAN = os.endianness() === 'LE';
const INDEX_ENTRY = 28;
const TRAILER = 8 + MAGIC.length;

/** Lines are written to the segment in chunks of at most this many bytes (or one line, when longer). */
const CHUNK_BYTES = 4 * 1024 * 1024;
/** Small segments (under this many bytes) are merged into one when there are SMALL_SEGMENTS of them. */
const SMALL_SEGMENT_BYTES = 8 * 1024 * 1024;
const SMALL_SEGMENTS = 16;
/** preload reads a whole segment once it wants more than this share of its bytes, else line by line. */
const WHOLE_SEGMENT_SHARE = 0.25;

/** One segment's index, read from its trailer. */
interface Segment {
  file: string;
  /** The index: `count` 20-byte oids (sorted), then their lines' u32 offsets, then their u32 lengths. */
  index: Buffer;
  count: number;
  /** Bytes of lines (where the index starts). */
  dataBytes: number;
}

/** Where a blob's line is. */
interface Located {
  segment: Segment;
  offset: number;
  length: number;
}

/**
 * Parsed blobs on disk, as append-only segment files (one per process that
 * parsed something), each with a sorted index of its lines. A run writes the
 * lines of the blobs it parsed as they arrive (the parser threads encoded
 * them) into a temp file, and publishes it with its index at `flush` (rename):
 * nothing already on disk is read or rewritten to add entries. A lookup is a
 * binary search in each segment's index and a read of one line, so a warm run
 * that needs the documents of 50 entities reads 50 lines, not the cache.
 * Small segments are merged when there are many; `cmdb cache prune` drops
 * entries no stored table refers to. Unreadable segments and lines are
 * ignored (a miss costs a re-parse); a segment removed by another process
 * between its index and a read is a miss as well.
 */
export class DiskParseCache implements ParseCache {
  readonly dir: string;
  private readonly entries = new Map<string, BlobResult>();
  /**
   * Lines this process's parser threads made, not decoded here yet: decoded
   * when asked for. The caller that had them parsed has decoded them once
   * already and may have dropped the results (keeping 100,000 decoded results
   * alive costs scavenges; a line is one string).
   */
  private readonly lines = new Map<string, string>();
  private segments?: Segment[];
  private writer?: SegmentWriter;

  /** `namespace` names everything the results depend on besides the blob (schemas, limits). */
  constructor(options: { dir?: string; namespace: string }) {
    const key = createHash('sha256').update(`${CACHE_FORMAT}\0${options.namespace}`).digest('hex').slice(0, 16);
    this.dir = path.join(options.dir ?? defaultCacheDir(), `${CACHE_FORMAT}-${key}`);
  }

  /** The segments on disk, newest first (read once). */
  private segmentList(): Segment[] {
    if (this.segments) return this.segments;
    let names: string[] = [];
    try {
      names = readdirSync(this.dir).filter((n) => SEGMENT_FILE.test(n));
    } catch {
      /* no cache yet */
    }
    this.segments = names
      .sort()
      .reverse()
      .map((n) => readSegmentIndex(path.join(this.dir, n)))
      .filter((s): s is Segment => s !== undefined);
    return this.segments;
  }

  private locate(oid: string): Located | undefined {
    if (this.segmentList().length === 0 || !SHA1.test(oid)) return undefined;
    const key = Buffer.from(oid, 'hex');
    for (const segment of this.segmentList()) {
      const at = findEntry(segment.index, segment.count, key);
      if (at >= 0) return { segment, offset: offsetAt(segment, at), length: lengthAt(segment, at) };
    }
    return undefined;
  }

  async preload(oids: readonly string[]): Promise<void> {
    const bySegment = new Map<Segment, Array<{ oid: string; at: Located }>>();
    for (const oid of oids) {
      if (this.entries.has(oid) || this.lines.has(oid)) continue;
      const at = this.locate(oid);
      if (!at) continue;
      const list = bySegment.get(at.segment) ?? [];
      list.push({ oid, at });
      bySegment.set(at.segment, list);
    }
    await Promise.all(
      [...bySegment].map(async ([segment, wanted]) => {
        const bytes = wanted.reduce((a, w) => a + w.at.length, 0);
        try {
          if (bytes > segment.dataBytes * WHOLE_SEGMENT_SHARE) {
            const data = await fs.readFile(segment.file);
            for (const { oid, at } of wanted) this.decodeInto(oid, data.toString('utf8', at.offset, at.offset + at.length));
          } else {
            const handle = await fs.open(segment.file, 'r');
            try {
              await Promise.all(
                wanted.map(async ({ oid, at }) => {
                  const buf = Buffer.allocUnsafe(at.length);
                  const { bytesRead } = await handle.read(buf, 0, at.length, at.offset);
                  if (bytesRead === at.length) this.decodeInto(oid, buf.toString('utf8'));
                }),
              );
            } finally {
              await handle.close();
            }
          }
        } catch {
          /* removed or unreadable meanwhile: misses */
        }
      }),
    );
  }

  /** The result a stored line holds (its texts left in the line until an entity is built from it). */
  private decodeInto(oid: string, line: string): BlobResult | undefined {
    const result = decodeStoredRecord(oid, line);
    if (result) this.entries.set(oid, result);
    return result;
  }

  get(oid: string): BlobResult | undefined {
    return this.entries.get(oid) ?? this.fromLine(oid);
  }

  /** The result of a line set by `setAll`, decoded now (and kept, so that every caller gets the same result). */
  private fromLine(oid: string): BlobResult | undefined {
    const line = this.lines.get(oid);
    if (line === undefined) return undefined;
    this.lines.delete(oid);
    const result = decodeRecord(line);
    this.entries.set(oid, result);
    return result;
  }

  load(oid: string): BlobResult | undefined {
    const hit = this.get(oid);
    if (hit) return hit;
    const at = this.locate(oid);
    if (!at) return undefined;
    try {
      const fd = openSync(at.segment.file, 'r');
      try {
        const buf = Buffer.allocUnsafe(at.length);
        if (readSync(fd, buf, 0, at.length, at.offset) !== at.length) return undefined;
        return this.decodeInto(oid, buf.toString('utf8'));
      } finally {
        closeSync(fd);
      }
    } catch {
      return undefined;
    }
  }

  /** Adds a result the caller parsed (it found no entry by `get` after `preload`: it is written without looking for it on disk). */
  set(oid: string, result: BlobResult): void {
    if (this.entries.get(oid) === result) return;
    this.entries.set(oid, result);
    this.lines.delete(oid);
    (this.writer ??= new SegmentWriter(this.dir)).add(oid, result);
  }

  setAll(results: readonly BlobResult[], lines?: readonly string[]): void {
    if (lines === undefined) {
      for (const r of results) this.set(r.blob, r);
      return;
    }
    const oids = results.map((r) => r.blob);
    for (let i = 0; i < oids.length; i++) if (!this.entries.has(oids[i])) this.lines.set(oids[i], lines[i]);
    (this.writer ??= new SegmentWriter(this.dir)).addLines(oids, lines);
  }

  empty(): boolean {
    return this.entries.size === 0 && this.lines.size === 0 && this.segmentList().length === 0;
  }

  async flush(): Promise<{ written: number; error?: string }> {
    const writer = this.writer;
    this.writer = undefined;
    if (!writer) return { written: 0 };
    try {
      const segment = await writer.finish();
      if (this.segments && segment) this.segments.unshift(segment);
      await this.mergeSmallSegments();
      return { written: segment?.count ?? 0 };
    } catch (e) {
      await writer.abandon();
      return { written: 0, error: `cannot write the parse cache in ${this.dir}: ${(e as Error).message}` };
    }
  }

  /** Merges the small segments into one when there are many (each run that parsed a few blobs leaves one). */
  private async mergeSmallSegments(): Promise<void> {
    const small = this.segmentList().filter((s) => s.dataBytes < SMALL_SEGMENT_BYTES);
    if (small.length < SMALL_SEGMENTS) return;
    const lines: string[] = [];
    const seen = new Set<string>();
    for (const segment of small) {
      let ofSegment: string[];
      try {
        ofSegment = await segmentLines(segment.file);
      } catch {
        continue; // removed or unreadable meanwhile
      }
      for (const line of ofSegment) {
        const oid = lineOid(line);
        if (seen.has(oid)) continue;
        seen.add(oid);
        lines.push(line);
      }
    }
    await writeSegment(this.dir, lines);
    // Readers that looked a blob up in a removed segment miss it and re-parse.
    await Promise.all(small.map((s) => fs.rm(s.file, { force: true })));
    this.segments = undefined;
  }
}

/** Reads a segment's trailer and index; undefined when the file is not a complete segment. */
export function readSegmentIndex(file: string): Segment | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    if (size < TRAILER) return undefined;
    const trailer = Buffer.alloc(TRAILER);
    readSync(fd, trailer, 0, TRAILER, size - TRAILER);
    if (!trailer.subarray(8).equals(MAGIC)) return undefined;
    const dataBytes = trailer.readUInt32LE(0);
    const count = trailer.readUInt32LE(4);
    if (dataBytes + count * INDEX_ENTRY + TRAILER !== size) return undefined;
    const index = Buffer.alloc(count * INDEX_ENTRY);
    if (readSync(fd, index, 0, index.length, dataBytes) !== index.length) return undefined;
    return { file, index, count, dataBytes };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Offset and length of entry `i`'s line (the index's second and third columns). */
const offsetAt = (s: Segment, i: number): number => s.index.readUInt32LE(s.count * 20 + i * 4);
const lengthAt = (s: Segment, i: number): number => s.index.readUInt32LE(s.count * 24 + i * 4);

/** Index of the entry for a 20-byte oid, or -1 (binary search). */
function findEntry(index: Buffer, count: number, key: Buffer): number {
  let lo = 0;
  let hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = index.compare(key, 0, 20, mid * 20, mid * 20 + 20);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Writes one segment: lines are appended to a temp file in chunks as they are
 * added (writes are chained: the caller never waits for them until `finish`),
 * then the index and trailer, then the file is renamed into place.
 */
export class SegmentWriter {
  private readonly tmp: string;
  private readonly final: string;
  /** The chunk being filled: lines are encoded into it one by one, each followed by a newline. */
  private chunk = Buffer.alloc(0);
  private used = 0;
  private written = 0;
  private readonly oids: string[] = [];
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  private handle?: Promise<fs.FileHandle>;
  private readonly writes: Array<Promise<void>> = [];
  private failure?: Error;

  constructor(private readonly dir: string) {
    const name = `${Date.now().toString(36).padStart(9, '0')}-${process.pid.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    this.final = path.join(dir, `${name}.seg`);
    this.tmp = `${this.final}.tmp`;
  }

  add(oid: string, result: BlobResult): void {
    this.addLine(oid, encodeLine(oid, result));
  }

  /** Adds the cache line (without its newline) of `oid`. */
  addLine(oid: string, line: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8 (a surrogate pair 4 for 2): the line and its newline fit.
    const room = line.length * 3 + 1;
    if (this.used + room > this.chunk.length) {
      this.writeChunk();
      this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, room));
    }
    const bytes = this.chunk.write(line, this.used, 'utf8');
    this.oids.push(oid);
    this.offsets.push(this.written + this.used);
    this.lengths.push(bytes);
    this.chunk[this.used + bytes] = 10;
    this.used += bytes + 1;
  }

  /** Adds the cache lines (without newlines) of these oids, in order. */
  addLines(oids: readonly string[], lines: readonly string[]): void {
    for (let i = 0; i < oids.length; i++) this.addLine(oids[i], lines[i]);
  }

  private writeChunk(): void {
    if (this.used === 0) return;
    const data = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.alloc(0);
    this.used = 0;
    const position = this.written;
    this.written += data.length;
    this.handle ??= fs.mkdir(this.dir, { recursive: true }).then(() => fs.open(this.tmp, 'w'));
    // Each chunk at its own offset, all in flight at once: they complete in the I/O threads
    // while this thread goes on (parsing results, assembling), not one after another.
    this.writes.push(
      this.handle.then(
        (h) => h.write(data, 0, data.length, position).then(() => undefined),
        () => undefined, // the open failed: finish reports it
      ).catch((e: Error) => void (this.failure ??= e)),
    );
  }

  /** Writes what is left, the index and the trailer, and publishes the segment; undefined when nothing was added. */
  async finish(): Promise<Segment | undefined> {
    this.writeChunk();
    await Promise.all(this.writes);
    if (!this.handle) return undefined;
    const handle = await this.handle; // rejects when the file could not be opened
    if (this.failure) throw this.failure;
    // Only SHA-1 oids are indexed (a SHA-256 repository's blobs are parsed every time).
    const { raw, at } = sha1Oids(this.oids);
    const order = rawOidOrder(raw);
    const kept = order.filter((k, j) => j === 0 || !sameOid(raw, k, order[j - 1]));
    const count = kept.length;
    // In columns: the sorted 20-byte oids, then the offsets, then the lengths.
    const index = Buffer.alloc(count * INDEX_ENTRY);
    const numbers = new Uint32Array(2 * count);
    for (let j = 0; j < count; j++) {
      const k = kept[j];
      for (let b = 0; b < 20; b++) index[j * 20 + b] = raw[k * 20 + b];
      numbers[j] = this.offsets[at[k]];
      numbers[count + j] = this.lengths[at[k]];
    }
    if (LITTLE_ENDIAN) Buffer.from(numbers.buffer).copy(index, count * 20);
    else numbers.forEach((n, k) => index.writeUInt32LE(n, count * 20 + k * 4));
    const trailer = Buffer.alloc(TRAILER);
    trailer.writeUInt32LE(this.written, 0);
    trailer.writeUInt32LE(count, 4);
    MAGIC.copy(trailer, 8);
    const tail = Buffer.concat([index.subarray(0, count * INDEX_ENTRY), trailer]);
    await handle.write(tail, 0, tail.length, this.written);
    await handle.close();
    await fs.rename(this.tmp, this.final);
    return { file: this.final, index: index.subarray(0, count * INDEX_ENTRY), count, dataBytes: this.written };
  }

  /** Removes the temp file after a failure. */
  async abandon(): Promise<void> {
    await Promise.all(this.writes);
    await (await this.handle?.catch(() => undefined))?.close().catch(() => undefined);
    await fs.rm(this.tmp, { force: true }).catch(() => undefined);
  }
}

/**
 * The SHA-1 oids among `oids` (40 hex digits) as 20 bytes each, one after
 * another, and the index in `oids` of each; others (SHA-256) are left out.
 * All the hex goes through one conversion; only when a character that is not
 * a hex digit cuts it short is each oid checked on its own.
 */
export function sha1Oids(oids: readonly string[]): { raw: Buffer; at: number[] } {
  let at: number[] = [];
  for (let i = 0; i < oids.length; i++) if (oids[i].length === 40) at.push(i);
  let raw = Buffer.alloc(at.length * 20);
  if (raw.write(at.length === oids.length ? oids.join('') : at.map((i) => oids[i]).join(''), 'hex') !== raw.length) {
    at = at.filter((i) => SHA1.test(oids[i]));
    raw = Buffer.from(at.map((i) => oids[i]).join(''), 'hex');
  }
  return { raw, at };
}

/** Whether the 20-byte oids `a` and `b` of `raw` are equal. */
function sameOid(raw: Buffer, a: number, b: number): boolean {
  for (let i = 0; i < 20; i++) if (raw[a * 20 + i] !== raw[b * 20 + i]) return false;
  return true;
}

/**
 * Indexes of the 20-byte oids in `raw` in ascending order. Sorts numbers,
 * not strings: each key is the oid's first 32 bits times 2^21 plus the index
 * (exact in a double for up to 2M oids), and the rare runs of equal prefixes
 * are put in order by the whole oid afterwards.
 */
export function rawOidOrder(raw: Buffer): number[] {
  const n = raw.length / 20;
  const compare = (a: number, b: number) => raw.compare(raw, b * 20, b * 20 + 20, a * 20, a * 20 + 20) || a - b;
  if (n > 1 << 21) return Array.from({ length: n }, (_, i) => i).sort(compare);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = raw.readUInt32BE(i * 20) * 2 ** 21 + i;
  keys.sort();
  const order = new Array<number>(n);
  for (let k = 0; k < n; k++) order[k] = keys[k] % 2 ** 21;
  for (let k = 1; k < n; k++) {
    if (Math.floor(keys[k] / 2 ** 21) !== Math.floor(keys[k - 1] / 2 ** 21)) continue;
    let end = k + 1;
    while (end < n && Math.floor(keys[end] / 2 ** 21) === Math.floor(keys[k] / 2 ** 21)) end++;
    const run = order.slice(k - 1, end).sort(compare);
    order.splice(k - 1, run.length, ...run);
    k = end - 1;
  }
  return order;
}

/** The oid a cache line is for (what precedes its first tab). */
export const lineOid = (line: string): string => line.slice(0, line.indexOf('\t'));

/** Writes a segment holding these cache lines (without newlines), keyed by the oid each starts with. */
export async function writeSegment(dir: string, lines: readonly string[]): Promise<Segment | undefined> {
  const writer = new SegmentWriter(dir);
  for (const line of lines) writer.addLine(lineOid(line), line);
  try {
    return await writer.finish();
  } catch (e) {
    await writer.abandon();
    throw e;
  }
}

/** The lines of a segment (without newlines), in file order; throws when the file is not a segment. */
export async function segmentLines(file: string): Promise<string[]> {
  await fs.stat(file); // ENOENT when another process removed it meanwhile
  const segment = readSegmentIndex(file);
  if (!segment) throw new Error('not a complete parse cache segment');
  const data = await fs.readFile(file);
  const out: string[] = [];
  for (let i = 0; i < segment.count; i++) {
    const offset = offsetAt(segment, i);
    out.push(data.toString('utf8', offset, offset + lengthAt(segment, i)));
  }
  return out;
}

/** Size of the segment `writeSegment` writes for these distinct lines (without newlines). */
export function segmentBytes(lines: readonly string[]): number {
  return lines.reduce((a, l) => a + Buffer.byteLength(l) + 1, 0) + lines.length * INDEX_ENTRY + TRAILER;
}

/** Entries of a segment file (from its trailer), or undefined when it is not one. */
export function segmentEntries(file: string): number | undefined {
  return readSegmentIndex(file)?.count;
}

