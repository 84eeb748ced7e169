/**
 * The web build's record of itself (dist/web/build.json): the files the first
 * page load fetches are the entry, its stylesheet and every chunk the entry
 * imports statically, so the first-load size it reports is what a browser gets.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildWebInTemp } from './browser.ts';

let web: Awaited<ReturnType<typeof buildWebInTemp>>;
beforeAll(async () => {
  web = await buildWebInTemp();
});
afterAll(() => web?.remove());

it('counts the statically imported chunks in the first load, and no lazily loaded one', () => {
  const dir = web.dir;
  const info = JSON.parse(fs.readFileSync(path.join(dir, 'build.json'), 'utf8')) as { entry: string; stylesheet: string; firstLoad: string[]; gzipFirstLoad: number; files: Array<{ file: string; gzip: number }> };
  // Follow the static imports of the emitted files themselves (esbuild writes `from "./chunk-X.js"` at the top level).
  const reached = new Set<string>([info.entry]);
  for (const queue = [info.entry]; queue.length > 0; ) {
    const text = fs.readFileSync(path.join(dir, queue.pop()!), 'utf8');
    for (const m of text.matchAll(/(?:^|[;\n])\s*import\s*(?:[^'"()]*?from\s*)?["']\.\/([^"']+\.js)["']/g)) {
      const file = `ui/${m[1]}`;
      if (!reached.has(file)) (reached.add(file), queue.push(file));
    }
  }
  expect([...info.firstLoad].sort()).toEqual([...reached, info.stylesheet].sort());
  const lazy = info.files.filter((f) => f.file.endsWith('.js') && !reached.has(f.file));
  expect(lazy.length).toBeGreaterThan(0); // Cytoscape and uPlot load only where drawn
  expect(info.gzipFirstLoad).toBe(info.files.filter((f) => info.firstLoad.includes(f.file)).reduce((s, f) => s + f.gzip, 0));
});
