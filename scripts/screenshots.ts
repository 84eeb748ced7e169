/**
 * `npm run screenshots`: a picture of each page of the web UI, taken in
 * Debian's chromium against a real `cmdb serve` on the Acme demo, into
 * docs/screenshots/ (docs/ui.md shows them). Builds web/ first.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { buildWeb } from '../bin/build-web.js';
import { createDemoRepo } from '../examples/create-demo-repo.ts';
import { startRuntime } from '../server/Runtime.ts';
import { launchChromium } from '../tests/web/browser.ts';
import { incidentScreenshots } from './incidentScreenshots.ts';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const SHOTS: Array<{ file: string; url: string; wait: string; phone?: boolean }> = [
  { file: 'home.png', url: '/?q=cart', wait: 'ul.hits' },
  { file: 'entity.png', url: '/entities/resource:default/redis-cart?depth=3', wait: '.graph canvas' },
  { file: 'path.png', url: '/path?from=frontend&to=redis-cart&rel=DEPENDS_ON,RUNS_ON,CONSUMES_API,PROVIDES_API', wait: '.graph canvas' },
  { file: 'not-found.png', url: '/entities/component:default/cartservic', wait: '.results' },
  { file: 'phone-entity.png', url: '/entities/resource:default/redis-cart', wait: '.graph canvas', phone: true },
];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-shots-'));
const repo = await createDemoRepo({ dir: path.join(tmp, 'acme') });
await buildWeb({ outdir: path.join(tmp, 'web') });
const runtime = await startRuntime({ flags: { repo: repo.dir, ref: 'main', port: 0, poll: 0 }, env: { CMDB_WEB_DIR: path.join(tmp, 'web') }, log: pino({ level: 'silent' }), out: () => undefined });
const browser = await launchChromium();
try {
  fs.mkdirSync(OUT, { recursive: true });
  for (const shot of SHOTS) {
    const context = await browser.newContext({ baseURL: runtime.url, ...(shot.phone ? { viewport: { width: 390, height: 844 }, isMobile: true, deviceScaleFactor: 2 } : { viewport: { width: 1280, height: 860 } }) });
    const page = await context.newPage();
    await page.goto(shot.url);
    await page.locator(shot.wait).first().waitFor();
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(300); // the graph's layout settles
    await page.screenshot({ path: path.join(OUT, shot.file), fullPage: !shot.phone });
    process.stdout.write(`docs/screenshots/${shot.file}\n`);
    await context.close();
  }
  await incidentScreenshots(browser, path.join(tmp, 'web'), OUT);
} finally {
  await browser.close();
  await runtime.shutdown();
  fs.rmSync(tmp, { recursive: true, force: true });
}

// The KPI page needs change records and incidents, which the demo does not keep.
await import('./screenshots-kpis.ts');
