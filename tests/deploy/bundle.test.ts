/**
 * The bundle built ahead of time (`npm run build`), run the way the image runs
 * it: an install of package.json + bin/ + dist/ + node_modules/ without the
 * TypeScript sources, whose every file is read-only, by a user who may not
 * write there (as root, the commands run as nobody: root ignores permissions).
 * The install must be byte-for-byte the same afterwards.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKER_THRESHOLD } from '../../catalog/parsePool.ts';
import { TestRepo, entity } from '../helpers/gitRepo.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
/** Files the catalog holds: enough for parsing on worker threads. */
const FILES = WORKER_THRESHOLD + 100;

let base: string;
let install: string;
let cacheDir: string;
let home: string;
let repo: TestRepo;
let before: string[];
let goodCommit: string;

/** Every entry under dir (symlinks not followed): relative path, type, size and modification time. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      const st = fs.lstatSync(path.join(dir, child));
      out.push(`${child} ${entry.isSymbolicLink() ? 'link' : entry.isDirectory() ? 'dir' : 'file'} ${st.size} ${st.mtimeMs} ${(st.mode & 0o777).toString(8)}`);
      if (entry.isDirectory()) walk(child);
    }
  };
  walk('');
  return out.sort();
}

/** chmod a-w on dir and everything in it, never through a symlink (node_modules is shared). */
function makeReadOnly(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) makeReadOnly(full);
    else fs.chmodSync(full, fs.statSync(full).mode & ~0o222);
  }
  fs.chmodSync(dir, fs.statSync(dir).mode & ~0o222);
}

function chownTree(dir: string, uid: number): void {
  fs.lchownSync(dir, uid, uid);
  if (!fs.lstatSync(dir).isDirectory()) return;
  for (const name of fs.readdirSync(dir)) chownTree(path.join(dir, name), uid);
}

/** What the commands run with: no write access to the install, a writable cache dir and HOME. */
function runAs(): { uid?: number; gid?: number; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', HOME: home, CMDB_CACHE_DIR: cacheDir, CMDB_PARSE_THREADS: '2' };
  delete env.CMDB_DEBUG;
  return asRoot ? { uid: NOBODY, gid: NOBODY, env } : { env };
}

function cmdb(installDir: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [path.join(installDir, 'bin', 'cmdb.js'), ...args], { encoding: 'utf8', timeout: 120_000, ...runAs() });
}

/** package.json + bin/ copied, dist/ from `node bin/bundle.js build --outdir` (what `npm run build` runs), node_modules linked. */
function makeInstall(dir: string): void {
  fs.mkdirSync(dir);
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  fs.cpSync(path.join(ROOT, 'bin'), path.join(dir, 'bin'), { recursive: true });
  const build = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'bundle.js'), 'build', '--outdir', path.join(dir, 'dist')], { encoding: 'utf8', timeout: 120_000 });
  expect(build.stderr).toBe('');
  expect(build.status).toBe(0);
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(dir, 'node_modules'));
  // Copies keep no order of modification times: package.json newer than the bundle must not make it look stale.
  const later = new Date(Date.now() + 3_600_000);
  fs.utimesSync(path.join(dir, 'package.json'), later, later);
}

beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-install-'));
  fs.chmodSync(base, 0o755);
  install = path.join(base, 'app');
  makeInstall(install);
  cacheDir = path.join(base, 'cache');
  home = path.join(base, 'home');
  fs.mkdirSync(cacheDir);
  fs.mkdirSync(home);

  repo = TestRepo.create('cmdb-install-repo-');
  const files: Record<string, string> = { 'teams/platform.yaml': entity('Group', 'platform', { type: 'team' }) };
  for (let i = 0; i < FILES; i++) files[`services/svc-${i}.yaml`] = entity('Component', `svc-${i}`, { type: 'service', owner: 'group:platform', lifecycle: 'production' });
  repo.commit(files, 'catalog');
  repo.branch('good');
  goodCommit = repo.git('rev-parse', 'good');
  repo.commit({ 'services/svc-7.yaml': entity('Component', 'svc-7', { type: 'service', owner: 'group:nobody-owns-this', lifecycle: 'production' }) }, 'dangling owner');
  fs.chmodSync(repo.dir, 0o755);
  if (asRoot) {
    // Git refuses a repository another user owns; the cache dir and HOME must be theirs to write.
    for (const dir of [repo.dir, cacheDir, home]) chownTree(dir, NOBODY);
  }
  makeReadOnly(install);
  before = listing(install);
}, 180_000);

afterAll(() => {
  for (const dir of [install, path.join(base, 'no-worker')]) {
    if (!fs.existsSync(dir)) continue;
    const restore = (d: string): void => {
      fs.chmodSync(d, 0o755);
      for (const entry of fs.readdirSync(d, { withFileTypes: true })) if (entry.isDirectory()) restore(path.join(d, entry.name));
    };
    restore(dir);
  }
  fs.rmSync(base, { recursive: true, force: true });
  repo?.remove();
});

describe('the ahead-of-time bundle in a read-only install', () => {
  it('has the build marker and no TypeScript sources, and may not be written by the user running it', () => {
    expect(fs.existsSync(path.join(install, 'dist', 'build.json'))).toBe(true);
    expect(fs.existsSync(path.join(install, 'cli'))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(install, 'dist', 'build.json'), 'utf8'))).toMatchObject({ version: JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version });
    const probe = spawnSync(process.execPath, ['-e', `require('node:fs').writeFileSync(${JSON.stringify(path.join(install, 'dist', 'probe'))}, 'x')`], { encoding: 'utf8', ...runAs() });
    expect(probe.status).not.toBe(0);
    expect(probe.stderr).toMatch(/EACCES/);
  });

  it('runs cmdb --help', () => {
    const r = cmdb(install, ['--help']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: cmdb/);
    expect(r.stdout).toMatch(/\bserve\b/);
    expect(r.stdout).toMatch(/\bvalidate\b/);
  });

  it(`runs cmdb validate on ${FILES} files, parsed on worker threads from dist/parseWorker.js`, () => {
    const good = cmdb(install, ['validate', '--repo', repo.dir, '--ref', 'good']);
    expect(good.stderr).toBe(`valid: ${FILES + 1} entities at ${goodCommit.slice(0, 12)}\n`);
    expect(good.status).toBe(0);
    const bad = cmdb(install, ['validate', '--repo', repo.dir, '--ref', 'main']);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/services\/svc-7\.yaml:\d+:\d+: .*group:default\/nobody-owns-this/);
    expect(fs.readdirSync(cacheDir).length).toBeGreaterThan(0); // the parse cache went to CMDB_CACHE_DIR
  });

  it('really used the workers: the same install without dist/parseWorker.js fails on that catalog', () => {
    const broken = path.join(base, 'no-worker');
    makeInstall(broken);
    fs.rmSync(path.join(broken, 'dist', 'parseWorker.js'));
    makeReadOnly(broken);
    const r = cmdb(broken, ['--no-cache', 'validate', '--repo', repo.dir, '--ref', 'good']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/parser worker failed/);
  });

  it('runs cmdb serve, which answers /healthz and GraphQL', async () => {
    const opts = runAs();
    const child = spawn(process.execPath, [path.join(install, 'bin', 'cmdb.js'), 'serve', '--repo', repo.dir, '--ref', 'good', '--port', '0', '--host', '127.0.0.1', '--poll', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...opts,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8');
          const m = /GraphQL API on (http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(stdout);
          if (m) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`cmdb serve exited with ${code} before listening:\n${stderr}`)));
      });
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      const query = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
      expect(query.status).toBe(200);
      expect(await query.json()).toEqual({ data: { __typename: 'Query' } });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    expect(stderr).not.toMatch(/EACCES|EROFS/);
  });

  it('left the install exactly as it was', () => {
    expect(listing(install)).toEqual(before);
  });
});

describe('node bin/bundle.js build', () => {
  it('rejects anything but `build [--outdir DIR]` with its usage', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'bundle.js'), 'build', '--outdir'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^usage: node bin\/bundle\.js build \[--outdir DIR\]/);
  });
});
