// Loads the `cmdb` CLI from an esbuild bundle in dist/.
//
// In a checkout (the TypeScript sources next to bin/), the bundle (dist/dev/current) is rebuilt
// (in ~0.1 s) whenever a source file is newer than it, falling back to
// running the sources through tsx when it cannot be built or written.
//
// Ahead of time, `npm run build` (`node bin/bundle.js build [--outdir DIR]`)
// writes the bundle plus the marker dist/build.json. An install that has that
// marker and no sources next to it (the container image, any copy of
// package.json + bin/ + dist/ + node_modules/) runs the bundle as it is:
// nothing is checked against sources and nothing is written into the install
// directory, which may be read-only.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(fileURLToPath(import.meta.url), '../..');
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, 'main.js');
/**
 * In a checkout, each rebuild goes to a new folder dist/dev/<id>/ and the link
 * dist/dev/current is swapped to it atomically; older folders are removed
 * only after a while. A process that loaded main.js keeps importing its lazily
 * loaded chunks from the folder it started from, even if another process
 * rebuilds meanwhile (two `cmdb` started together after a source change).
 */
const DEV = path.join(DIST, 'dev');
const CURRENT = path.join(DEV, 'current');
/**
 * Rebuilt folders other than the newest few are removed once older than this:
 * a long-running `cmdb serve` keeps loading worker and command chunks from the
 * folder it started from.
 */
const KEEP_OLD_MS = 24 * 60 * 60_000;
const KEEP_NEWEST = 3;
/** Written by `npm run build` only: marks a bundle built ahead of time. */
export const BUILD_MARKER = 'build.json';
/** The top folders whose TypeScript the bundle is built from. */
export const BUNDLE_SOURCES = ['cli', 'core', 'schema', 'catalog', 'graph', 'policies', 'state', 'controller', 'reconcilers', 'incidents', 'graph-api', 'server'];
const ENTRY_POINTS = ['cli/main.ts', 'catalog/parseWorker.ts'];

/** Newest modification time of the sources (ms). */
function newestSource() {
  let newest = fs.statSync(path.join(ROOT, 'package.json')).mtimeMs;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  for (const dir of BUNDLE_SOURCES) if (fs.existsSync(path.join(ROOT, dir))) walk(path.join(ROOT, dir));
  return newest;
}

/**
 * Bundles the sources into `outdir` (built in a temp dir beside it and swapped
 * in, so concurrent runs never see half a bundle). With `marker`, also writes
 * outdir/build.json: the bundle is then used as is where no sources are installed.
 */
export async function buildBundle({ outdir = DIST, marker = false } = {}) {
  const { build: esbuild } = await import('esbuild');
  const target = path.resolve(outdir);
  const tmp = `${target}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  await esbuild({
    entryPoints: ENTRY_POINTS.map((entry) => path.join(ROOT, entry)),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    splitting: true,
    entryNames: '[name]',
    outdir: tmp,
    logLevel: 'silent',
  });
  if (marker) {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const info = { version, entryPoints: ENTRY_POINTS, builtAt: new Date().toISOString(), node: process.version };
    fs.writeFileSync(path.join(tmp, BUILD_MARKER), `${JSON.stringify(info, null, 2)}\n`);
  }
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(tmp, target);
  return target;
}

/** A bundle built ahead of time in an install without sources: used as is, never rebuilt. */
function isPrebuiltInstall() {
  return fs.existsSync(path.join(DIST, BUILD_MARKER)) && !fs.existsSync(path.join(ROOT, ENTRY_POINTS[0]));
}

/** The current dev bundle's main.js (real path), rebuilt first when a source is newer. */
async function devBundle() {
  const main = path.join(CURRENT, 'main.js');
  if (fs.existsSync(main) && fs.statSync(main).mtimeMs >= newestSource()) return fs.realpathSync(main);
  fs.mkdirSync(DEV, { recursive: true });
  const dir = await buildBundle({ outdir: path.join(DEV, `b-${Date.now().toString(36)}-${process.pid}`) });
  const link = `${CURRENT}.${process.pid}.tmp`;
  fs.rmSync(link, { force: true });
  fs.symlinkSync(path.basename(dir), link);
  fs.renameSync(link, CURRENT); // atomic: readers see the old folder or the new one
  removeOldBundles(dir);
  return path.join(dir, 'main.js');
}

function removeOldBundles(keep) {
  const old = fs
    .readdirSync(DEV)
    .filter((name) => name.startsWith('b-') && path.join(DEV, name) !== keep)
    .map((name) => {
      try {
        return { full: path.join(DEV, name), mtime: fs.statSync(path.join(DEV, name)).mtimeMs };
      } catch {
        return undefined; // another process removed it
      }
    })
    .filter((e) => e !== undefined)
    .sort((a, b) => b.mtime - a.mtime)
    .slice(KEEP_NEWEST - 1);
  for (const { full, mtime } of old) if (Date.now() - mtime > KEEP_OLD_MS) fs.rmSync(full, { recursive: true, force: true });
}

/** The CLI's `main`, from the bundle when possible. */
export async function loadCli() {
  if (isPrebuiltInstall()) return (await import(pathToFileURL(STAMP).href)).main;
  try {
    return (await import(pathToFileURL(await devBundle()).href)).main;
  } catch (error) {
    if (process.env.CMDB_DEBUG) process.stderr.write(`cmdb: running from sources (${error.message})\n`);
    const { register } = await import('tsx/esm/api');
    register();
    return (await import('../cli/main.ts')).main;
  }
}

/** `node bin/bundle.js build [--outdir DIR]`: the ahead-of-time bundle (`npm run build`). */
async function cli(argv) {
  const [command, ...rest] = argv;
  const at = rest.indexOf('--outdir');
  const outdir = at >= 0 ? rest[at + 1] : undefined;
  if (command !== 'build' || (at >= 0 && !outdir) || rest.length !== (at >= 0 ? 2 : 0)) {
    process.stderr.write('usage: node bin/bundle.js build [--outdir DIR]   (default: dist/)\n');
    return 2;
  }
  try {
    const written = await buildBundle({ outdir: outdir ?? DIST, marker: true });
    process.stdout.write(`${written}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`bin/bundle.js build: ${error.message}\n`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await cli(process.argv.slice(2));
}
