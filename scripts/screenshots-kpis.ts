/**
 * The KPI page's screenshot (docs/screenshots/kpis.png): the demo keeps no
 * change records, so this one is taken against `cmdb serve --reconcile` over
 * the KPI fixture (tests/web/kpiServe.ts), in Debian's chromium.
 * Run by `npm run screenshots` (scripts/screenshots.ts), or alone:
 * `node --import tsx scripts/screenshots-kpis.ts`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWeb } from '../bin/build-web.js';
import { launchChromium } from '../tests/web/browser.ts';
import { serveKpiFixture } from '../tests/web/kpiServe.ts';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-shots-kpis-'));
await buildWeb({ outdir: path.join(tmp, 'web') });
const server = await serveKpiFixture(path.join(tmp, 'web'));
const browser = await launchChromium();
try {
  fs.mkdirSync(OUT, { recursive: true });
  const context = await browser.newContext({ baseURL: server.runtime.url, viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await page.goto('/kpis?from=2026-03-01&to=2026-03-07');
  await page.locator('.chart[data-drawn=yes]').nth(4).waitFor();
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: path.join(OUT, 'kpis.png'), fullPage: true });
  process.stdout.write('docs/screenshots/kpis.png\n');
  await context.close();
} finally {
  await browser.close();
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
