// Builds the web UI (web/, Preact + Cytoscape.js) ahead of time into static files:
//   dist/web/index.html      the page every client route answers (no-cache)
//   dist/web/ui/*.js, *.css  hashed names (cached forever), each with a .gz beside it
//   dist/web/build.json      the files with their sizes and gzip sizes
// `npm run build:web`; run by `npm ci` (prepare) and `npm run build`.
// Nothing is loaded from a CDN: everything the page needs is in dist/web.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(fileURLToPath(import.meta.url), '../..');
export const WEB_ENTRY = path.join(ROOT, 'web/main.tsx');
export const WEB_DIST = path.join(ROOT, 'dist/web');

const html = ({ js, css }) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cmdb</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/${css}">
<script type="module" src="/ui/${js}"></script>
</head>
<body>
<div id="app"><noscript>The cmdb web UI needs JavaScript; the GraphQL API is at /graphql.</noscript></div>
</body>
</html>
`;

/**
 * Bundles web/ into `outdir` (built beside it and swapped in, so a running
 * server never sees half a build). Returns build.json's content.
 */
export async function buildWeb({ outdir = WEB_DIST, minify = true } = {}) {
  const { build } = await import('esbuild');
  const target = path.resolve(outdir);
  const tmp = `${target}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const result = await build({
    entryPoints: { app: WEB_ENTRY },
    bundle: true,
    format: 'esm',
    splitting: true,
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    outdir: path.join(tmp, 'ui'),
    metafile: true,
    legalComments: 'linked',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const outputs = Object.entries(result.metafile.outputs);
  const entry = outputs.find(([, o]) => o.entryPoint?.endsWith('web/main.tsx'));
  const js = path.basename(entry[0]);
  const css = entry[1].cssBundle ? path.basename(entry[1].cssBundle) : undefined;
  if (!css) throw new Error('the web build produced no stylesheet');
  fs.writeFileSync(path.join(tmp, 'index.html'), html({ js, css }));
  // What the first page load fetches: the entry, the chunks it imports statically (transitively), its stylesheet.
  const outputByBase = new Map(outputs.map(([file, o]) => [path.basename(file), o]));
  const firstLoad = new Set([js, css]);
  for (const queue = [js]; queue.length > 0; ) {
    for (const imp of outputByBase.get(queue.pop())?.imports ?? []) {
      const base = path.basename(imp.path);
      if (imp.kind === 'import-statement' && outputByBase.has(base) && !firstLoad.has(base)) (firstLoad.add(base), queue.push(base));
    }
  }
  const files = [];
  for (const name of fs.readdirSync(path.join(tmp, 'ui')).sort()) {
    const file = path.join(tmp, 'ui', name);
    const bytes = fs.readFileSync(file);
    const gz = zlib.gzipSync(bytes, { level: 9 });
    if (/\.(js|css|txt)$/.test(name)) fs.writeFileSync(`${file}.gz`, gz);
    files.push({ file: `ui/${name}`, bytes: bytes.length, gzip: gz.length });
  }
  const info = {
    builtAt: new Date().toISOString(),
    entry: `ui/${js}`,
    stylesheet: `ui/${css}`,
    files,
    gzipTotal: files.filter((f) => /\.(js|css)$/.test(f.file)).reduce((s, f) => s + f.gzip, 0),
    firstLoad: [...firstLoad].sort().map((name) => `ui/${name}`),
    gzipFirstLoad: files.filter((f) => firstLoad.has(path.basename(f.file))).reduce((s, f) => s + f.gzip, 0),
  };
  fs.writeFileSync(path.join(tmp, 'build.json'), `${JSON.stringify(info, null, 2)}\n`);
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.renameSync(tmp, target);
  return info;
}

/** `npm run build:web` / `npm ci`'s prepare: builds when web/ is there (an install without sources, e.g. the image's deps stage, has nothing to build). */
export async function main() {
  if (!fs.existsSync(WEB_ENTRY)) return 0;
  try {
    const info = await buildWeb();
    const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
    process.stdout.write(`web UI: ${path.relative(process.cwd(), WEB_DIST) || '.'} (first load ${kb(info.gzipFirstLoad)} gzip, all ${kb(info.gzipTotal)} gzip)\n`);
    return 0;
  } catch (error) {
    const messages = error.errors?.map((e) => `${e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : ''}${e.text}`) ?? [error.message];
    process.stderr.write(`bin/build-web.js: ${messages.join('\n')}\n`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
