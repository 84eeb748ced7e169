import fs from 'node:fs/promises';
import path from 'node:path';
import v8 from 'node:v8';
import { lineOid, segmentBytes, segmentLines, writeSegment } from './DiskParseCache.ts';
import { SEGMENT_FILE, inBatches, inspectCache, readStamp, sizeOf, TABLE_FILE, TEMP_FILE, writeStamp, type CacheNamespace } from './inspect.ts';

export interface PruneOptions {
  /** Report what would be removed, change nothing. */
  dryRun?: boolean;
  /** Clock, for tests (ms since the epoch). */
  now?: number;
  /** Temp files older than this are leftovers of interrupted writes (default: an hour). */
  tempAgeMs?: number;
}

/** What one parse cache namespace lost (or would lose). */
export interface PrunedNamespace {
  name: string;
  entries: number;
  removed: number;
  bytesBefore: number;
  bytesAfter: number;
}

export interface CacheProblem {
  file: string;
  message: string;
}

export interface PruneReport {
  dir: string;
  dryRun: boolean;
  /** Namespace dirs of older formats, removed whole. */
  removedDirs: { name: string; bytes: number }[];
  /** Current parse caches, with the entries removed from each. */
  parse: PrunedNamespace[];
  /** Stored tables read, and the distinct blobs they refer to. */
  tables: number;
  liveBlobs: number;
  /** Why the parse caches were kept whole: no stored table, or a table that could not be read. */
  keptWhole?: 'no-tables' | 'unreadable-tables';
  /** Leftover temp files removed. */
  removedTemp: { files: number; bytes: number };
  /** Files that could not be read or written (skipped). */
  problems: CacheProblem[];
  removedEntries: number;
  removedBytes: number;
}

const HOUR = 60 * 60 * 1000;
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

/** The blobs a stored table (`SnapshotTableCache` file) refers to; throws when the file is not a readable table. */
export function blobsOfStoredTable(buf: Buffer, commit: string): string[] {
  const stored: unknown = v8.deserialize(buf);
  const table = isObject(stored) ? stored.table : undefined;
  if (!isObject(table) || table.commit !== commit || !Array.isArray(table.blobs) || !table.blobs.every((b) => typeof b === 'string'))
    throw new Error('not a snapshot table');
  return table.blobs as string[];
}

/**
 * Blobs the stored tables of the current format refer to. A table that
 * vanished meanwhile (rotated out by another process) is skipped; one that
 * cannot be read is a problem, and makes `complete` false. `collect` may run
 * again to take in tables stored since.
 */
class LiveBlobs {
  readonly blobs = new Set<string>();
  tables = 0;
  complete = true;
  private readonly seen = new Set<string>();

  constructor(
    private readonly dirs: readonly CacheNamespace[],
    private readonly problems: CacheProblem[],
  ) {}

  async collect(): Promise<void> {
    for (const ns of this.dirs) {
      const names = (await fs.readdir(ns.path).catch(() => [] as string[])).filter((n) => TABLE_FILE.test(n) && !TEMP_FILE.test(n));
      for (const name of names) {
        const file = path.join(ns.path, name);
        if (this.seen.has(file)) continue;
        this.seen.add(file);
        await this.read(file, name.slice(0, -'.bin'.length));
      }
    }
  }

  private async read(file: string, commit: string): Promise<void> {
    let buf: Buffer;
    try {
      buf = await fs.readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.problems.push({ file, message: `cannot read snapshot table: ${message(e)}` });
      this.complete = false;
      return;
    }
    try {
      for (const b of blobsOfStoredTable(buf, commit)) this.blobs.add(b);
      this.tables++;
    } catch (e) {
      this.problems.push({ file, message: `unreadable snapshot table (${message(e)})` });
      this.complete = false;
    }
  }
}

/** Removes temp files older than `age` from a namespace dir. */
async function removeOldTemp(dir: string, now: number, age: number, dryRun: boolean): Promise<{ files: number; bytes: number }> {
  const out = { files: 0, bytes: 0 };
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    if (!TEMP_FILE.test(name)) continue;
    const file = path.join(dir, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat?.isFile() || now - stat.mtimeMs < age) continue;
    if (!dryRun && (await fs.rm(file, { force: true }).then(() => false, () => true))) continue;
    out.files++;
    out.bytes += stat.size;
  }
  return out;
}

/**
 * Rewrites one segment keeping the lines of live blobs: the kept lines go to a
 * new segment, then the old one is removed (a reader that read the old index
 * misses and re-parses); a segment with nothing live is removed.
 */
async function pruneSegment(file: string, live: ReadonlySet<string>, dryRun: boolean): Promise<{ entries: number; removed: number; before: number; after: number }> {
  const before = await sizeOf(file);
  const lines = await segmentLines(file);
  const kept = lines.filter((l) => live.has(lineOid(l)));
  if (kept.length === lines.length) return { entries: lines.length, removed: 0, before, after: before };
  const after = kept.length === 0 ? 0 : segmentBytes(kept);
  if (!dryRun) {
    if (kept.length > 0) await writeSegment(path.dirname(file), kept);
    await fs.rm(file, { force: true });
  }
  return { entries: lines.length, removed: lines.length - kept.length, before, after };
}

/** Prunes the segments of one parse cache namespace. */
async function pruneNamespace(ns: CacheNamespace, live: ReadonlySet<string>, dryRun: boolean, problems: CacheProblem[]): Promise<PrunedNamespace> {
  const names = (await fs.readdir(ns.path).catch(() => [] as string[])).filter((n) => SEGMENT_FILE.test(n));
  const result: PrunedNamespace = { name: ns.name, entries: 0, removed: 0, bytesBefore: 0, bytesAfter: 0 };
  await inBatches(names, 8, async (name) => {
    const file = path.join(ns.path, name);
    try {
      const r = await pruneSegment(file, live, dryRun);
      result.entries += r.entries;
      result.removed += r.removed;
      result.bytesBefore += r.before;
      result.bytesAfter += r.after;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      problems.push({ file, message: `cannot prune parse cache segment: ${message(e)}` });
      const size = await sizeOf(file);
      result.bytesBefore += size;
      result.bytesAfter += size;
    }
  });
  return result;
}

/**
 * Prunes a cache dir (`CMDB_CACHE_DIR`): removes the namespace dirs of older
 * formats, and rewrites each current parse cache keeping only the blobs that
 * some stored snapshot table of the dir refers to. With no stored table, or
 * one that cannot be read (its blobs are unknown), the parse caches are kept
 * whole. Unreadable files are reported in `problems`, never thrown; a dir that
 * cannot be read is a CmdbError. A process racing with the prune at worst
 * re-parses a blob.
 */
export async function pruneCache(dir: string, options: PruneOptions = {}): Promise<PruneReport> {
  const dryRun = options.dryRun ?? false;
  const now = options.now ?? Date.now();
  const info = await inspectCache(dir);
  const report: PruneReport = {
    dir,
    dryRun,
    removedDirs: [],
    parse: [],
    tables: 0,
    liveBlobs: 0,
    removedTemp: { files: 0, bytes: 0 },
    problems: [],
    removedEntries: 0,
    removedBytes: 0,
  };
  if (!info.exists) return report;
  for (const ns of info.namespaces.filter((n) => n.status === 'stale')) {
    try {
      if (!dryRun) await fs.rm(ns.path, { recursive: true, force: true });
      report.removedDirs.push({ name: ns.name, bytes: ns.bytes });
    } catch (e) {
      report.problems.push({ file: ns.path, message: `cannot remove stale cache directory: ${message(e)}` });
    }
  }
  const current = info.namespaces.filter((n) => n.status === 'current');
  const tableDirs = current.filter((n) => n.kind === 'tables');
  const parseDirs = current.filter((n) => n.kind === 'parse');
  for (const ns of current) {
    const t = await removeOldTemp(ns.path, now, options.tempAgeMs ?? HOUR, dryRun);
    report.removedTemp.files += t.files;
    report.removedTemp.bytes += t.bytes;
  }
  const live = new LiveBlobs(tableDirs, report.problems);
  await live.collect();
  if (live.tables === 0 && live.complete) report.keptWhole = 'no-tables';
  for (const ns of report.keptWhole ? [] : parseDirs) {
    await live.collect(); // tables another process stored meanwhile count too
    if (!live.complete) break;
    report.parse.push(await pruneNamespace(ns, live.blobs, dryRun, report.problems));
  }
  if (!live.complete) report.keptWhole = 'unreadable-tables';
  report.tables = live.tables;
  report.liveBlobs = live.blobs.size;
  report.removedEntries = report.parse.reduce((a, p) => a + p.removed, 0);
  report.removedBytes =
    report.removedDirs.reduce((a, d) => a + d.bytes, 0) + report.parse.reduce((a, p) => a + p.bytesBefore - p.bytesAfter, 0) + report.removedTemp.bytes;
  if (!dryRun) {
    const pruned = new Set(report.parse.map((p) => p.name));
    const bytes = report.parse.reduce((a, p) => a + p.bytesAfter, 0) + parseDirs.filter((n) => !pruned.has(n.name)).reduce((a, n) => a + n.bytes, 0);
    await writeStamp(dir, { checkedAt: now, prunedAt: report.keptWhole ? (await readStamp(dir))?.prunedAt : now, bytes, live: report.liveBlobs });
  }
  return report;
}

export interface AutoPruneOptions {
  /** Clock, for tests (ms since the epoch). */
  now?: number;
  /** Decide at most once per this interval (default: an hour). */
  minIntervalMs?: number;
  /** Prune when the parse caches have grown by this factor since the last prune... (default 1.5) */
  growth?: number;
  /** ...and by at least this many bytes (default 16 MiB). */
  minGrowthBytes?: number;
}

export type AutoPruneOutcome =
  | { pruned: true; report: PruneReport }
  | { pruned: false; reason: 'recent' | 'small' | 'missing' }
  | { pruned: false; reason: 'error'; error: string };

/** Bytes of the segment files of the current parse caches, and whether older-format dirs are present (stats only). */
async function measure(dir: string): Promise<{ exists: boolean; bytes: number; stale: boolean }> {
  const info = await inspectCache(dir);
  const parse = info.namespaces.filter((n) => n.kind === 'parse' && n.status === 'current');
  return { exists: info.exists, bytes: parse.reduce((a, n) => a + n.bytes, 0), stale: info.namespaces.some((n) => n.status === 'stale') };
}

/**
 * Prunes the cache dir when that is worth it; cheap otherwise. Decides at
 * most once per `minIntervalMs` (one small stamp file read, `prune-stamp.json`);
 * then stats the segment files and prunes when older-format dirs are present or
 * the parse caches grew by `growth` and `minGrowthBytes` since the last prune
 * (never pruned: since 0 bytes). Meant to run after a snapshot table is
 * stored. Never throws: failures come back as `reason: 'error'`.
 */
export async function pruneCacheIfLarge(dir: string, options: AutoPruneOptions = {}): Promise<AutoPruneOutcome> {
  const now = options.now ?? Date.now();
  try {
    const stamp = await readStamp(dir);
    if (stamp && now - stamp.checkedAt < (options.minIntervalMs ?? HOUR) && now >= stamp.checkedAt) return { pruned: false, reason: 'recent' };
    const { exists, bytes, stale } = await measure(dir);
    if (!exists) return { pruned: false, reason: 'missing' };
    const base = stamp?.bytes ?? 0;
    if (!stale && (bytes < base * (options.growth ?? 1.5) || bytes - base < (options.minGrowthBytes ?? 16 * 1024 * 1024))) {
      await writeStamp(dir, { ...stamp, checkedAt: now, bytes: base });
      return { pruned: false, reason: 'small' };
    }
    return { pruned: true, report: await pruneCache(dir, { now }) };
  } catch (e) {
    return { pruned: false, reason: 'error', error: message(e) };
  }
}
