import { defaultCacheDir } from '../../catalog/cache/DiskParseCache.ts';
import { inspectCache, type CacheInfo, type CacheNamespace } from '../../catalog/cache/inspect.ts';
import { pruneCache, pruneCacheIfLarge, type PruneReport } from '../../catalog/cache/prune.ts';
import { CmdbError } from '../../core/errors.ts';
import { EXIT } from '../exitCodes.ts';
import type { Output } from '../output.ts';

export interface CacheInfoOptions {
  cacheDir?: string;
  format: 'text' | 'json';
}

export interface CachePruneOptions extends CacheInfoOptions {
  dryRun?: boolean;
  ifLarge?: boolean;
}

/** `1.4 MB`: bytes in decimal units. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

const count = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

/**
 * The cache dir the options name. One that does not exist yet is an empty
 * cache (`exists: false`: the first command that reads a catalog creates it);
 * a path that is not a directory is an error naming `--cache-dir`.
 */
async function openCacheDir(o: CacheInfoOptions, countEntries: boolean): Promise<CacheInfo> {
  const dir = o.cacheDir ?? defaultCacheDir();
  try {
    return await inspectCache(dir, { countEntries });
  } catch (e) {
    if (o.cacheDir === undefined || !(e instanceof CmdbError)) throw e;
    throw new CmdbError(`--cache-dir: ${e.message}`, { code: e.code, cause: e });
  }
}

/** What the text output says of a cache dir that does not exist yet. */
const noCache = (dir: string) => `no cache at ${dir} yet`;

function describe(ns: CacheNamespace): string[] {
  const what = ns.kind === 'parse' ? 'parse cache' : 'snapshot tables';
  const amount =
    ns.kind === 'parse' || ns.status !== 'current'
      ? `${ns.entries === undefined ? '' : `${plural(ns.entries, 'entry', 'entries')} in `}${plural(ns.files, 'file')}`
      : plural(ns.files, 'table');
  const notes = [
    ns.temp > 0 ? plural(ns.temp, 'temp file') : '',
    ns.status === 'stale' ? `stale format ${ns.format}: cmdb cache prune removes it` : '',
    ns.status === 'newer' ? `newer format ${ns.format}: kept` : '',
  ].filter(Boolean);
  return [ns.name, what, amount, formatBytes(ns.bytes), notes.join('; ')];
}

/** Rows of cells, columns padded to their widest cell. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => `  ${r.map((c, i) => (i === 2 || i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ')}`.trimEnd()).join('\n');
}

/** `cmdb cache info`: each namespace dir of the cache dir. */
export async function runCacheInfo(o: CacheInfoOptions, io: Output): Promise<number> {
  const info = await openCacheDir(o, true);
  if (o.format === 'json') {
    const { namespaces, ...rest } = info;
    io.out(JSON.stringify({ ...rest, namespaces: namespaces.map(({ path: _, ...ns }) => ns) }, null, 2));
    return EXIT.ok;
  }
  if (!info.exists) {
    io.out(noCache(info.dir));
    return EXIT.ok;
  }
  const lines = [`cache directory ${info.dir}: ${plural(info.namespaces.length, 'namespace')}, ${formatBytes(info.bytes)}`];
  if (info.namespaces.length > 0) lines.push(table(info.namespaces.map(describe)));
  const stamp = info.stamp;
  if (stamp?.prunedAt) lines.push(`last pruned ${new Date(stamp.prunedAt).toISOString()}${stamp.live === undefined ? '' : `, when stored tables referred to ${plural(stamp.live, 'blob')}`}`);
  else lines.push('never pruned');
  if (info.other.length > 0) lines.push(`not cmdb cache namespaces (left alone): ${info.other.join(', ')}`);
  io.out(lines.join('\n'));
  return EXIT.ok;
}

const KEPT_WHOLE = {
  'no-tables': 'no stored snapshot table says which blobs are still needed',
  'unreadable-tables': 'a stored snapshot table could not be read, so the blobs it needs are unknown (it is replaced when its commit is read again, or rotated out)',
} as const;

function pruneLines(r: PruneReport): string[] {
  const verb = r.dryRun ? 'would remove' : 'removed';
  const lines: string[] = [];
  for (const d of r.removedDirs) lines.push(`${verb} ${d.name} (stale format, ${formatBytes(d.bytes)})`);
  for (const p of r.parse)
    lines.push(
      `${p.name}: ${verb} ${count(p.removed)} of ${plural(p.entries, 'entry', 'entries')} (${formatBytes(p.bytesBefore - p.bytesAfter)}), ${count(p.entries - p.removed)} kept (${formatBytes(p.bytesAfter)})`,
    );
  if (r.removedTemp.files > 0) lines.push(`${verb} ${plural(r.removedTemp.files, 'leftover temp file')} (${formatBytes(r.removedTemp.bytes)})`);
  if (r.keptWhole) lines.push(`kept the parse cache whole: ${KEPT_WHOLE[r.keptWhole]}`);
  const refers = r.tables > 0 ? ` (${plural(r.tables, 'stored table')} refer to ${plural(r.liveBlobs, 'blob')})` : '';
  const dirs = r.removedDirs.length > 0 ? ` and ${plural(r.removedDirs.length, 'directory', 'directories')}` : '';
  lines.push(`${verb} ${plural(r.removedEntries, 'entry', 'entries')}${dirs}, ${formatBytes(r.removedBytes)} in all${refers}`);
  return lines;
}

/** `cmdb cache prune`: stale formats and unreferenced blobs; problems go to stderr, the exit code stays 0. */
export async function runCachePrune(o: CachePruneOptions, io: Output): Promise<number> {
  const info = await openCacheDir(o, false);
  if (o.ifLarge && !o.dryRun) {
    const outcome = await pruneCacheIfLarge(info.dir);
    if (!outcome.pruned) {
      if (outcome.reason === 'error') io.err(`cmdb: cannot prune ${info.dir}: ${outcome.error}`);
      if (o.format === 'json') io.out(JSON.stringify(outcome, null, 2));
      else io.out(`not pruned (${outcome.reason === 'recent' ? 'checked within the last hour' : outcome.reason === 'small' ? 'the parse cache has not grown enough since the last prune' : outcome.reason === 'missing' ? 'no cache' : 'error'})`);
      return outcome.reason === 'error' ? EXIT.error : EXIT.ok;
    }
    if (o.format === 'json') io.out(JSON.stringify(outcome.report, null, 2));
    else io.out(pruneLines(outcome.report).join('\n'));
    return EXIT.ok;
  }
  const report = await pruneCache(info.dir, { dryRun: o.dryRun ?? false });
  for (const p of report.problems) io.err(`cmdb: ${p.file}: ${p.message}; skipped`);
  if (o.format === 'json') io.out(JSON.stringify(report, null, 2));
  else io.out(info.exists ? pruneLines(report).join('\n') : `${noCache(info.dir)}: nothing to prune`);
  return EXIT.ok;
}
