// Loads the `cmdb` CLI from an esbuild bundle in dist/, rebuilt (in ~0.1 s)
// whenever a source file is newer than it; falls back to running the
// TypeScript sources through tsx when the bundle cannot be built or written.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(fileURLToPath(import.meta.url), '../..');
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, 'main.js');
const SOURCES = ['cli', 'core', 'catalog', 'schema', 'graph', 'policies', 'state', 'controller', 'reconcilers', 'incidents', 'graph-api', 'server'];

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
  for (const dir of SOURCES) if (fs.existsSync(path.join(ROOT, dir))) walk(path.join(ROOT, dir));
  return newest;
}

/** Builds dist/ into a temp dir and swaps it in, so concurrent runs never see half a bundle. */
async function build() {
  const { build: esbuild } = await import('esbuild');
  const tmp = `${DIST}.${process.pid}.tmp`;
  await esbuild({
    entryPoints: [path.join(ROOT, 'cli/main.ts'), path.join(ROOT, 'catalog/parseWorker.ts')],
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
  fs.rmSync(DIST, { recursive: true, force: true });
  fs.renameSync(tmp, DIST);
}

/** The CLI's `main`, from the bundle when possible. */
export async function loadCli() {
  try {
    if (!fs.existsSync(STAMP) || fs.statSync(STAMP).mtimeMs < newestSource()) await build();
    return (await import(pathToFileURL(STAMP).href)).main;
  } catch (error) {
    if (process.env.CMDB_DEBUG) process.stderr.write(`cmdb: running from sources (${error.message})\n`);
    const { register } = await import('tsx/esm/api');
    register();
    return (await import('../cli/main.ts')).main;
  }
}
