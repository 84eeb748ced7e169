import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_FORMAT } from '../../catalog/cache/DiskParseCache.ts';
import { inspectCache, readStamp, STAMP_FILE } from '../../catalog/cache/inspect.ts';
import { pruneCache, pruneCacheIfLarge } from '../../catalog/cache/prune.ts';
import { TABLE_FORMAT } from '../../catalog/cache/SnapshotTableCache.ts';
import { CatalogReader } from '../../catalog/CatalogReader.ts';
import { cachedOids, contents, createCacheRepo, fillCache, namespaces, strictGit, view, type CacheRepo } from './cacheFixture.ts';

let r: CacheRepo;
const dirs: string[] = [];

beforeAll(() => {
  r = createCacheRepo();
});
afterAll(() => {
  r.repo.remove();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function filled() {
  const f = await fillCache(r);
  dirs.push(f.dir);
  return f;
}

const tablesDir = (dir: string) => namespaces(dir, `${TABLE_FORMAT}-`)[0];
const reader = (dir: string) => new CatalogReader({ git: strictGit(r.repo.dir), cacheDir: dir });

describe('pruneCache', () => {
  it('keeps exactly the blobs the stored tables refer to; B then reads warm, parsing nothing, and answers the same', async () => {
    const { dir, live, viewB } = await filled();
    const before = (await cachedOids(dir));
    const garbage = before.filter((o) => !live.has(o));
    expect(garbage.length).toBeGreaterThan(0); // M's versions of a.yaml: no stored table refers to them
    expect(before.filter((o) => live.has(o))).toEqual([...live].sort());

    const report = await pruneCache(dir);
    expect(report).toMatchObject({ tables: 2, liveBlobs: live.size, removedEntries: garbage.length, problems: [], dryRun: false });
    expect(report.keptWhole).toBeUndefined();
    expect(report.removedBytes).toBeGreaterThan(0);
    expect((await cachedOids(dir))).toEqual([...live].sort());

    const fromTable = reader(dir);
    expect(view(await fromTable.read(r.B))).toEqual(viewB);
    expect(fromTable.lastRead.parsed).toBe(0);

    fs.rmSync(path.join(tablesDir(dir), `${r.B}.bin`));
    const rebuilt = reader(dir);
    expect(view(await rebuilt.read(r.B))).toEqual(viewB);
    expect(rebuilt.lastRead).toMatchObject({ parsed: 0, files: 6 });

    const derived = reader(dir);
    const b = await derived.readFrom(await derived.read(r.A), r.B);
    expect(derived.lastRead.parsed).toBe(0);
    expect(view(b)).toEqual(viewB);
  });

  it('removes older-format dirs, leaves newer formats and foreign entries alone', async () => {
    const { dir } = await filled();
    const stale = [path.join(dir, 'blobs-v1-0123456789abcdef'), path.join(dir, 'tables-v0-0123456789abcdef')];
    for (const s of stale) {
      fs.mkdirSync(s);
      fs.writeFileSync(path.join(s, '00.bin'), 'x'.repeat(100));
    }
    const newer = path.join(dir, 'blobs-v99-0123456789abcdef');
    fs.mkdirSync(newer);
    fs.writeFileSync(path.join(newer, '00.txt'), 'a\tb\n');
    fs.mkdirSync(path.join(dir, 'neo4j'));
    fs.writeFileSync(path.join(dir, 'neo4j', 'blobs-v1-0123'), '');

    const info = await inspectCache(dir, { countEntries: true });
    expect(info.namespaces.map((n) => [n.name.replace(/-[0-9a-f]{16}$/, ''), n.kind, n.status])).toEqual([
      ['blobs-v1', 'parse', 'stale'],
      [CACHE_FORMAT, 'parse', 'current'],
      ['blobs-v99', 'parse', 'newer'],
      ['tables-v0', 'tables', 'stale'],
      [TABLE_FORMAT, 'tables', 'current'],
    ]);
    expect(info.other).toEqual(['neo4j']);

    const report = await pruneCache(dir);
    expect(report.removedDirs).toEqual([
      { name: 'blobs-v1-0123456789abcdef', bytes: 100 },
      { name: 'tables-v0-0123456789abcdef', bytes: 100 },
    ]);
    for (const s of stale) expect(fs.existsSync(s)).toBe(false);
    expect(fs.readFileSync(path.join(newer, '00.txt'), 'utf8')).toBe('a\tb\n');
    expect(fs.existsSync(path.join(dir, 'neo4j', 'blobs-v1-0123'))).toBe(true);
  });

  it('with dryRun reports what it would remove and changes nothing', async () => {
    const { dir } = await filled();
    fs.mkdirSync(path.join(dir, 'blobs-v2-0123456789abcdef'));
    const before = contents(dir);
    const dry = await pruneCache(dir, { dryRun: true });
    expect(contents(dir)).toEqual(before);
    expect(fs.existsSync(path.join(dir, STAMP_FILE))).toBe(false);
    const real = await pruneCache(dir);
    expect({ ...dry, dryRun: false }).toEqual(real);
    expect(real.removedEntries).toBeGreaterThan(0);
  });

  it('keeps the parse cache whole when a stored table cannot be read, and says which', async () => {
    const { dir } = await filled();
    const bad = path.join(tablesDir(dir), `${'0'.repeat(40)}.bin`);
    fs.writeFileSync(bad, 'not a table');
    fs.mkdirSync(path.join(dir, 'blobs-v3-0123456789abcdef'));
    const before = (await cachedOids(dir));
    const report = await pruneCache(dir);
    expect(report.keptWhole).toBe('unreadable-tables');
    expect(report.problems).toEqual([{ file: bad, message: expect.stringMatching(/unreadable snapshot table/) }]);
    expect(report.removedEntries).toBe(0);
    expect(report.removedDirs.map((d) => d.name)).toEqual(['blobs-v3-0123456789abcdef']);
    expect((await cachedOids(dir))).toEqual(before);
  });

  it('a table of another commit than its file name is treated as unreadable', async () => {
    const { dir } = await filled();
    fs.copyFileSync(path.join(tablesDir(dir), `${r.A}.bin`), path.join(tablesDir(dir), `${'1'.repeat(40)}.bin`));
    expect((await pruneCache(dir, { dryRun: true })).keptWhole).toBe('unreadable-tables');
  });

  it('keeps everything when no table is stored', async () => {
    const { dir } = await filled();
    fs.rmSync(tablesDir(dir), { recursive: true });
    const before = (await cachedOids(dir));
    const report = await pruneCache(dir);
    expect(report).toMatchObject({ keptWhole: 'no-tables', tables: 0, removedEntries: 0, problems: [] });
    expect((await cachedOids(dir))).toEqual(before);
  });

  it('reports and skips a segment it cannot read; removes old temp files only', async () => {
    const { dir, live } = await filled();
    const ns = namespaces(dir, `${CACHE_FORMAT}-`)[0];
    const unreadable = path.join(ns, 'unreadable.seg');
    fs.mkdirSync(unreadable);
    const oldTemp = path.join(ns, 'old.seg.tmp');
    const newTemp = path.join(ns, 'new.seg.tmp');
    fs.writeFileSync(oldTemp, 'old');
    fs.writeFileSync(newTemp, 'new');
    const hourAgo = (Date.now() - 2 * 3600_000) / 1000;
    fs.utimesSync(oldTemp, hourAgo, hourAgo);
    const report = await pruneCache(dir);
    expect(report.problems).toEqual([{ file: unreadable, message: expect.stringMatching(/cannot prune parse cache segment/) }]);
    expect(report.removedTemp).toEqual({ files: 1, bytes: 3 });
    expect(fs.existsSync(oldTemp)).toBe(false);
    expect(fs.existsSync(newTemp)).toBe(true);
    expect((await cachedOids(dir))).toEqual([...live].sort());
  });

  it('is a CmdbError for a dir that cannot be one, and nothing for a missing one', async () => {
    const file = path.join(os.tmpdir(), `cmdb-prune-file-${process.pid}`);
    fs.writeFileSync(file, '');
    dirs.push(file);
    await expect(pruneCache(file)).rejects.toMatchObject({ code: 'cache', message: `cache directory ${file} is not a directory` });
    await expect(pruneCache(path.join(file, 'under'))).rejects.toMatchObject({ code: 'cache', message: expect.stringMatching(/^cannot read cache directory .*\/under: ENOTDIR/) });
    expect((await pruneCache('/nonexistent/cmdb-cache')).removedDirs).toEqual([]);
  });
});

describe('pruneCacheIfLarge', () => {
  it('decides at most once per interval, from a stamp', async () => {
    const { dir } = await filled();
    const t0 = Date.now();
    expect(await pruneCacheIfLarge(dir, { now: t0 })).toEqual({ pruned: false, reason: 'small' });
    expect(await readStamp(dir)).toEqual({ checkedAt: t0, bytes: 0 });
    expect(await pruneCacheIfLarge(dir, { now: t0 + 1000, minGrowthBytes: 0 })).toEqual({ pruned: false, reason: 'recent' });
  });

  it('prunes once the parse cache has grown past the thresholds, then waits for more growth', async () => {
    const { dir, live } = await filled();
    const t0 = Date.now();
    const outcome = await pruneCacheIfLarge(dir, { now: t0, minGrowthBytes: 1 });
    expect(outcome.pruned).toBe(true);
    expect((await cachedOids(dir))).toEqual([...live].sort());
    const stamp = (await readStamp(dir))!;
    expect(stamp).toMatchObject({ checkedAt: t0, prunedAt: t0, live: live.size });
    const info = await inspectCache(dir);
    expect(stamp.bytes).toBe(info.namespaces.filter((n) => n.kind === 'parse').reduce((a, n) => a + n.bytes, 0));

    const later = t0 + 2 * 3600_000;
    expect(await pruneCacheIfLarge(dir, { now: later, minGrowthBytes: 1 })).toEqual({ pruned: false, reason: 'small' });
    expect(await readStamp(dir)).toMatchObject({ checkedAt: later, prunedAt: t0, bytes: stamp.bytes });
  });

  it('prunes when older-format dirs are present, however small', async () => {
    const { dir } = await filled();
    fs.mkdirSync(path.join(dir, 'blobs-v2-0123456789abcdef'));
    const outcome = await pruneCacheIfLarge(dir);
    expect(outcome.pruned && outcome.report.removedDirs.map((d) => d.name)).toEqual(['blobs-v2-0123456789abcdef']);
  });

  it('never throws', async () => {
    const file = path.join(os.tmpdir(), `cmdb-autoprune-file-${process.pid}`);
    fs.writeFileSync(file, '');
    dirs.push(file);
    expect(await pruneCacheIfLarge(file)).toEqual({ pruned: false, reason: 'error', error: `cache directory ${file} is not a directory` });
    expect(await pruneCacheIfLarge('/nonexistent/cmdb-cache')).toEqual({ pruned: false, reason: 'missing' });
  });
});
