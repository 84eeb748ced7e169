import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { CmdbError } from '../../core/errors.ts';
import { CACHE_FORMAT, SEGMENT_FILE, segmentEntries } from './DiskParseCache.ts';
import { TABLE_FORMAT } from './SnapshotTableCache.ts';

/** `parse`: a DiskParseCache namespace (segment files); `tables`: a SnapshotTableCache namespace (one file per commit). */
export type CacheKind = 'parse' | 'tables';

/** `stale`: written by an older cmdb (removed by prune); `newer`: by a newer one (left alone). */
export type FormatStatus = 'current' | 'stale' | 'newer';

/** One namespace directory of a cache dir, such as `blobs-v4-5989d189be5a704d`. */
export interface CacheNamespace {
  name: string;
  path: string;
  kind: CacheKind;
  /** Format prefix, such as `blobs-v4`. */
  format: string;
  status: FormatStatus;
  /** Segment files (parse) or stored tables (tables); for other formats, every file. */
  files: number;
  /** Parse results in the segment files, when counted (current format only). */
  entries?: number;
  /** Temp files left by interrupted writes. */
  temp: number;
  /** Every file of the directory. */
  bytes: number;
}

/** What `pruneCacheIfLarge` remembers between runs (`prune-stamp.json` in the cache dir). */
export interface PruneStamp {
  /** When the decision was last made (ms since the epoch). */
  checkedAt: number;
  /** When the parse caches were last pruned, if ever. */
  prunedAt?: number;
  /** Bytes of the current parse caches after the last prune (0: never pruned). */
  bytes: number;
  /** Distinct blobs the stored tables referred to at the last prune. */
  live?: number;
}

export interface CacheInfo {
  dir: string;
  exists: boolean;
  namespaces: CacheNamespace[];
  /** Other entries of the cache dir (not ours to judge), by name. */
  other: string[];
  stamp?: PruneStamp;
  bytes: number;
}

export const STAMP_FILE = 'prune-stamp.json';

export { SEGMENT_FILE };
/** Stored table of a SnapshotTableCache. */
export const TABLE_FILE = /^.+\.bin$/;
/** Temp file of an atomic write (`name.pid.random.tmp`). */
export const TEMP_FILE = /\.tmp$/;

const NAMESPACE = /^(blobs|tables)-v(\d+)-[0-9a-z]+$/;

/** Kind, format and status of a namespace dir name; undefined for a name that is not one. */
export function classifyNamespace(name: string): Pick<CacheNamespace, 'kind' | 'format' | 'status'> | undefined {
  const m = NAMESPACE.exec(name);
  if (!m) return undefined;
  const kind: CacheKind = m[1] === 'blobs' ? 'parse' : 'tables';
  const current = kind === 'parse' ? CACHE_FORMAT : TABLE_FORMAT;
  const version = Number(m[2]);
  const currentVersion = Number(current.slice(current.lastIndexOf('v') + 1));
  const status: FormatStatus = version === currentVersion ? 'current' : version < currentVersion ? 'stale' : 'newer';
  return { kind, format: `${m[1]}-v${m[2]}`, status };
}

/** Entries of a directory; ENOENT is an empty list, anything else a CmdbError naming the directory. */
async function listDir(dir: string): Promise<Dirent[]> {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return [];
    if (err.code === 'ENOTDIR') throw new CmdbError(`cache directory ${dir} is not a directory`, { code: 'cache', cause: e });
    throw new CmdbError(`cannot read cache directory ${dir}: ${err.message}`, { code: 'cache', cause: e });
  }
}

/** Size of a file or, recursively, a directory; 0 for what vanished meanwhile. */
export async function sizeOf(file: string): Promise<number> {
  const stat = await fs.lstat(file).catch(() => undefined);
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.size;
  const entries = await fs.readdir(file).catch(() => [] as string[]);
  let total = 0;
  for (const name of entries) total += await sizeOf(path.join(file, name));
  return total;
}

/** Runs `f` over `items`, `width` at a time. */
export async function inBatches<T, R>(items: readonly T[], width: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(f))));
  return out;
}


/** Files, temp files and bytes of one namespace dir; with `countEntries`, the entries of a parse cache's segments (from their trailers). */
async function describeNamespace(dir: string, name: string, countEntries: boolean): Promise<CacheNamespace | undefined> {
  const kindOf = classifyNamespace(name);
  if (!kindOf) return undefined;
  const nsPath = path.join(dir, name);
  const entries = await listDir(nsPath).catch(() => [] as Dirent[]);
  // Other formats laid their files out differently: count them all.
  const layout = kindOf.status !== 'current' ? /./ : kindOf.kind === 'parse' ? SEGMENT_FILE : TABLE_FILE;
  const isData = (n: string) => layout.test(n) && !TEMP_FILE.test(n);
  const data = entries.filter((e) => e.isFile() && isData(e.name)).map((e) => e.name);
  const sizes = await inBatches(entries.map((e) => e.name), 32, (n) => sizeOf(path.join(nsPath, n)));
  const ns: CacheNamespace = {
    name,
    path: nsPath,
    ...kindOf,
    files: data.length,
    temp: entries.filter((e) => TEMP_FILE.test(e.name)).length,
    bytes: sizes.reduce((a, b) => a + b, 0),
  };
  if (countEntries && kindOf.kind === 'parse' && kindOf.status === 'current') {
    // From each segment's trailer; an incomplete segment holds nothing a reader would use.
    ns.entries = data.reduce((a, n) => a + (segmentEntries(path.join(nsPath, n)) ?? 0), 0);
  }
  return ns;
}

/** The last prune stamp of a cache dir, or undefined when there is none (or it is unreadable). */
export async function readStamp(dir: string): Promise<PruneStamp | undefined> {
  try {
    const stamp = JSON.parse(await fs.readFile(path.join(dir, STAMP_FILE), 'utf8')) as PruneStamp;
    return typeof stamp.checkedAt === 'number' && typeof stamp.bytes === 'number' ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the prune stamp atomically; failures are ignored (the next run decides again). */
export async function writeStamp(dir: string, stamp: PruneStamp): Promise<void> {
  const file = path.join(dir, STAMP_FILE);
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await fs.writeFile(tmp, `${JSON.stringify(stamp)}\n`);
    await fs.rename(tmp, file);
  } catch {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
  }
}

/**
 * What a cache dir holds: its namespace dirs (kind, format status, files,
 * bytes; with `countEntries`, the parse results in each parse cache) and the
 * entries that are not ours. A missing dir is `exists: false`; a dir that
 * cannot be read is a CmdbError (code `cache`).
 */
export async function inspectCache(dir: string, options: { countEntries?: boolean } = {}): Promise<CacheInfo> {
  const stat = await fs.stat(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw new CmdbError(`cannot read cache directory ${dir}: ${e.message}`, { code: 'cache', cause: e });
  });
  if (!stat) return { dir, exists: false, namespaces: [], other: [], bytes: 0 };
  if (!stat.isDirectory()) throw new CmdbError(`cache directory ${dir} is not a directory`, { code: 'cache' });
  // Versions in number order: blobs-v9 before blobs-v10.
  const entries = (await listDir(dir)).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  const namespaces: CacheNamespace[] = [];
  const other: string[] = [];
  for (const e of entries) {
    const ns = e.isDirectory() ? await describeNamespace(dir, e.name, options.countEntries ?? false) : undefined;
    if (ns) namespaces.push(ns);
    else if (e.name !== STAMP_FILE) other.push(e.name);
  }
  return { dir, exists: true, namespaces, other, stamp: await readStamp(dir), bytes: namespaces.reduce((a, n) => a + n.bytes, 0) };
}
