import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_FORMAT } from '../../catalog/cache/DiskParseCache.ts';
import { TABLE_FORMAT } from '../../catalog/cache/SnapshotTableCache.ts';
import { cachedOids, contents, createCacheRepo, fillCache, namespaces, type CacheRepo } from '../catalog/cacheFixture.ts';
import { cmdb } from '../helpers/cli.ts';

let r: CacheRepo;
const dirs: string[] = [];
const savedEnv = process.env.CMDB_CACHE_DIR;

beforeAll(() => {
  r = createCacheRepo();
});
afterEach(() => {
  if (savedEnv === undefined) delete process.env.CMDB_CACHE_DIR;
  else process.env.CMDB_CACHE_DIR = savedEnv;
});
afterAll(() => {
  r.repo.remove();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function filled() {
  const f = await fillCache(r);
  dirs.push(f.dir);
  fs.mkdirSync(path.join(f.dir, 'blobs-v3-0123456789abcdef'));
  fs.writeFileSync(path.join(f.dir, 'blobs-v3-0123456789abcdef', '00.json'), '{}');
  return f;
}

describe('cmdb cache info', () => {
  it('lists each namespace dir with kind, entries and bytes, stale formats marked', async () => {
    const { dir, live } = await filled();
    const entries = (await cachedOids(dir)).length;
    expect(entries).toBeGreaterThan(live.size);
    const json = await cmdb('cache', 'info', '--cache-dir', dir, '--format', 'json');
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const info = JSON.parse(json.stdout);
    expect(info).toMatchObject({ dir, exists: true, other: [] });
    expect(info.namespaces).toEqual([
      { name: 'blobs-v3-0123456789abcdef', kind: 'parse', format: 'blobs-v3', status: 'stale', files: 1, temp: 0, bytes: 2 },
      { name: expect.stringMatching(new RegExp(`^${CACHE_FORMAT}-`)), kind: 'parse', format: CACHE_FORMAT, status: 'current', files: expect.any(Number), entries, temp: 0, bytes: expect.any(Number) },
      { name: expect.stringMatching(new RegExp(`^${TABLE_FORMAT}-`)), kind: 'tables', format: TABLE_FORMAT, status: 'current', files: 2, temp: 0, bytes: expect.any(Number) },
    ]);

    const text = await cmdb('cache', 'info', '--cache-dir', dir);
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^cache directory ${dir}: 3 namespaces, [\\d.]+ kB$`));
    expect(lines[1]).toMatch(/^ {2}blobs-v3-0123456789abcdef +parse cache +1 file +2 B {2}stale format blobs-v3: cmdb cache prune removes it$/);
    expect(lines[2]).toMatch(new RegExp(`^ {2}${CACHE_FORMAT}-[0-9a-f]{16} +parse cache +${entries} entries in \\d+ files +[\\d.]+ kB$`));
    expect(lines[3]).toMatch(new RegExp(`^ {2}${TABLE_FORMAT}-[0-9a-f]{16} +snapshot tables +2 tables +[\\d.]+ kB$`));
    expect(lines[4]).toBe('never pruned');
  });

  it('reads CMDB_CACHE_DIR by default; a missing default dir is an empty cache', async () => {
    const { dir } = await filled();
    process.env.CMDB_CACHE_DIR = dir;
    expect(JSON.parse((await cmdb('cache', 'info', '--format', 'json')).stdout).dir).toBe(dir);
    process.env.CMDB_CACHE_DIR = path.join(dir, 'not-yet');
    expect(await cmdb('cache', 'info')).toEqual({ code: 0, stdout: `no cache at ${path.join(dir, 'not-yet')} yet\n`, stderr: '' });
  });

  it('a named dir that does not exist yet is an empty cache (exit 0, said so); a path that is not a directory exits 2 naming --cache-dir', async () => {
    expect(await cmdb('cache', 'info', '--cache-dir', '/nonexistent/cmdb-cache')).toEqual({ code: 0, stdout: 'no cache at /nonexistent/cmdb-cache yet\n', stderr: '' });
    const json = await cmdb('cache', 'info', '--cache-dir', '/nonexistent/cmdb-cache', '--format', 'json');
    expect(json).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(json.stdout)).toMatchObject({ dir: '/nonexistent/cmdb-cache', exists: false, namespaces: [] });
    expect(await cmdb('cache', 'prune', '--cache-dir', '/nonexistent/cmdb-cache')).toEqual({ code: 0, stdout: 'no cache at /nonexistent/cmdb-cache yet: nothing to prune\n', stderr: '' });
    const file = path.join(os.tmpdir(), `cmdb-cache-cli-file-${process.pid}`);
    fs.writeFileSync(file, '');
    dirs.push(file);
    expect(await cmdb('cache', 'prune', '--cache-dir', file)).toEqual({ code: 2, stdout: '', stderr: `cmdb: --cache-dir: cache directory ${file} is not a directory\n` });
  });

});

describe('cmdb cache prune', () => {
  it('--dry-run says what it would remove and changes nothing; prune then removes it', async () => {
    const { dir, live } = await filled();
    const garbage = (await cachedOids(dir)).length - live.size;
    const before = contents(dir);
    const dry = await cmdb('cache', 'prune', '--cache-dir', dir, '--dry-run');
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(contents(dir)).toEqual(before);
    const lines = dry.stdout.trim().split('\n');
    expect(lines[0]).toBe('would remove blobs-v3-0123456789abcdef (stale format, 2 B)');
    expect(lines[1]).toMatch(new RegExp(`^${CACHE_FORMAT}-[0-9a-f]{16}: would remove ${garbage} of ${live.size + garbage} entries \\([\\d.]+ k?B\\), ${live.size} kept \\([\\d.]+ kB\\)$`));
    expect(lines[2]).toMatch(new RegExp(`^would remove ${garbage} entr(y|ies) and 1 directory, [\\d.]+ k?B in all \\(2 stored tables refer to ${live.size} blobs\\)$`));

    const real = await cmdb('cache', 'prune', '--cache-dir', dir);
    expect(real).toMatchObject({ code: 0, stderr: '', stdout: dry.stdout.replaceAll('would remove', 'removed') });
    expect((await cachedOids(dir))).toEqual([...live].sort());
    expect(fs.existsSync(path.join(dir, 'blobs-v3-0123456789abcdef'))).toBe(false);

    const again = JSON.parse((await cmdb('cache', 'prune', '--cache-dir', dir, '--format', 'json')).stdout);
    expect(again).toMatchObject({ dir, dryRun: false, removedEntries: 0, removedBytes: 0, removedDirs: [], tables: 2, liveBlobs: live.size, problems: [] });
    expect((await cmdb('cache', 'info', '--cache-dir', dir)).stdout).toMatch(new RegExp(`\\nlast pruned \\S+, when stored tables referred to ${live.size} blobs\\n`));
  });

  it('--if-large prunes when older formats are present, then not again within the hour', async () => {
    const { dir, live } = await filled();
    const first = await cmdb('cache', 'prune', '--cache-dir', dir, '--if-large');
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain('removed blobs-v3-0123456789abcdef (stale format, 2 B)');
    expect((await cachedOids(dir))).toEqual([...live].sort());
    expect(await cmdb('cache', 'prune', '--cache-dir', dir, '--if-large')).toEqual({ code: 0, stdout: 'not pruned (checked within the last hour)\n', stderr: '' });
  });

  it('reports an unreadable table on stderr, keeps the parse cache whole and exits 0', async () => {
    const { dir } = await filled();
    const bad = path.join(namespaces(dir, `${TABLE_FORMAT}-`)[0], `${'0'.repeat(40)}.bin`);
    fs.writeFileSync(bad, Buffer.from([0xff, 0x0d, 0x6f]));
    const before = (await cachedOids(dir));
    const r = await cmdb('cache', 'prune', '--cache-dir', dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^cmdb: ${bad}: unreadable snapshot table \\(.*\\); skipped\\n$`));
    expect(r.stdout).toMatch(/\nkept the parse cache whole: a stored snapshot table could not be read, so the blobs it needs are unknown/);
    expect(r.stdout).toMatch(/^removed blobs-v3-0123456789abcdef/);
    expect((await cachedOids(dir))).toEqual(before);
  });

  it('says so when there is nothing to prune', async () => {
    process.env.CMDB_CACHE_DIR = '/nonexistent/cmdb-cache';
    expect(await cmdb('cache', 'prune')).toEqual({ code: 0, stdout: 'no cache at /nonexistent/cmdb-cache yet: nothing to prune\n', stderr: '' });
  });
});
