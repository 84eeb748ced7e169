/**
 * Web UI speed (issue 13) in the real browser (Debian's chromium, headless)
 * against a real `cmdb serve` on a generated catalog, loopback:
 * - first load: a fresh browser context (empty cache) opening `/` until the
 *   search box is there (app rendered) and until the at-a-glance card has its
 *   figures (first GraphQL answer shown);
 * - search to results: Enter in the search box until the result list shows
 *   (the first search of a commit builds the server's search index: reported apart);
 * - blast radius: opening an entity page with `show=500` until the graph is drawn;
 * - bundle size (gzip) from dist/web/build.json of the build measured.
 * `npm run bench -- --only web --sizes 100000`, or alone: `node --import tsx bench/web.ts [--entities N] [--runs N]`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { pino } from 'pino';
import { buildWeb, type WebBuildInfo } from '../bin/build-web.js';
import { startRuntime } from '../server/Runtime.ts';
import { launchChromium } from '../tests/web/browser.ts';
import { generateRepo } from './generate.ts';
import { formatMs, markdownHeader, markdownRow, summarize } from './stats.ts';

export interface WebFigures {
  entities: number;
  runs: number;
  firstLoadRenderedMs: number[];
  firstLoadDataMs: number[];
  firstSearchMs: number;
  searchMs: number[];
  blastRadius: { ref: string; reached: number; drawn: number; ms: number[] };
  bundle: Pick<WebBuildInfo, 'gzipFirstLoad' | 'gzipTotal'>;
}

const graphql = async (url: string, query: string) => {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
};

/** An entity whose blast radius (depth 3) reaches at least `min` entities: the cluster reaching the most. */
async function bigBlastRadius(url: string, min: number): Promise<{ ref: string; count: number }> {
  const clusters = (await graphql(url, '{ entities(kind: "cluster", first: 50) { nodes { ref } } }')).entities.nodes as Array<{ ref: string }>;
  let best = { ref: '', count: -1 };
  for (const { ref } of clusters) {
    const { impact } = await graphql(url, `{ impact(refs: ["${ref}"], depth: 3) { count } }`);
    if (impact.count > best.count) best = { ref, count: impact.count };
    if (best.count >= min) break;
  }
  return best;
}

export async function benchWeb(options: { repo: string; entities: number; runs: number }): Promise<WebFigures> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-bench-web-'));
  const build = await buildWeb({ outdir: path.join(tmp, 'web') });
  const runtime = await startRuntime({ flags: { repo: options.repo, ref: 'main', port: 0, poll: 0 }, env: { CMDB_WEB_DIR: path.join(tmp, 'web') }, log: pino({ level: 'silent' }), out: () => undefined });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const figures: WebFigures = {
      entities: options.entities,
      runs: options.runs,
      firstLoadRenderedMs: [],
      firstLoadDataMs: [],
      firstSearchMs: 0,
      searchMs: [],
      blastRadius: { ref: '', reached: 0, drawn: 0, ms: [] },
      bundle: { gzipFirstLoad: build.gzipFirstLoad, gzipTotal: build.gzipTotal },
    };
    // First load, cold cache each time.
    for (let i = 0; i < options.runs; i++) {
      const context = await browser.newContext({ baseURL: runtime.url });
      const page = await context.newPage();
      const start = performance.now();
      await page.goto('/', { waitUntil: 'commit' });
      await page.locator('#q').waitFor();
      figures.firstLoadRenderedMs.push(performance.now() - start);
      await page.locator('.glance dd').first().waitFor();
      figures.firstLoadDataMs.push(performance.now() - start);
      await context.close();
    }
    // Search to results (the first one builds the commit's search index on the server).
    const context = await browser.newContext({ baseURL: runtime.url });
    const page = await context.newPage();
    await page.goto('/');
    const search = async (text: string) => {
      await page.getByLabel('Ref, name or title').fill(text);
      const start = performance.now();
      await page.keyboard.press('Enter');
      await page.locator(`.results[data-text="${text}"][data-state=done]`).waitFor();
      return performance.now() - start;
    };
    figures.firstSearchMs = await search('svc-00001');
    for (let i = 0; i < options.runs; i++) figures.searchMs.push(await search(`svc-0${String(1000 + i * 37).padStart(4, '0')}`));
    // A blast radius of about 500 drawn nodes.
    const big = await bigBlastRadius(runtime.url, 500);
    figures.blastRadius.ref = big.ref;
    figures.blastRadius.reached = big.count;
    for (let i = 0; i < options.runs; i++) {
      await page.goto('/');
      await page.locator('#q').waitFor();
      const start = performance.now();
      await page.goto(`/entities/${big.ref}?depth=3&show=500`);
      await page.waitForFunction(() => document.querySelector('.graph')?.getAttribute('data-drawn') === 'yes', undefined, { timeout: 120_000 });
      figures.blastRadius.ms.push(performance.now() - start);
      figures.blastRadius.drawn = Number(await page.locator('.graph').getAttribute('data-nodes')) - 1;
    }
    await context.close();
    return figures;
  } finally {
    await browser?.close();
    await runtime.shutdown();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export function webMarkdown(f: WebFigures): string {
  const row = (what: string, ms: number[]) => {
    const s = summarize(ms);
    return markdownRow([what, formatMs(s.p50), formatMs(s.max)]);
  };
  return [
    `### Web UI (${f.entities.toLocaleString('en')} entities, chromium headless, loopback, ${f.runs} runs)`,
    '',
    markdownHeader(['what', 'median', 'max']),
    row('first load, cold cache: app rendered', f.firstLoadRenderedMs),
    row('first load, cold cache: first API answer shown', f.firstLoadDataMs),
    markdownRow(['first search of the commit (builds the index)', formatMs(f.firstSearchMs), '']),
    row('search to results', f.searchMs),
    row(`blast radius drawn: ${f.blastRadius.drawn} of ${f.blastRadius.reached} nodes (${f.blastRadius.ref})`, f.blastRadius.ms),
    '',
    `Bundle (gzip): ${(f.bundle.gzipFirstLoad / 1024).toFixed(1)} kB first load, ${(f.bundle.gzipTotal / 1024).toFixed(1)} kB with Cytoscape.js.`,
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { entities: { type: 'string', default: '100000' }, runs: { type: 'string', default: '5' } } });
  const entities = Number(values.entities);
  const work = fileURLToPath(new URL('./.work/', import.meta.url));
  const repo = await generateRepo({ dir: path.join(work, entities >= 1000 ? `repo-${entities / 1000}k` : `repo-${entities}`), entities });
  const figures = await benchWeb({ repo: repo.dir, entities, runs: Number(values.runs) });
  process.stdout.write(`${webMarkdown(figures)}\n`);
}
