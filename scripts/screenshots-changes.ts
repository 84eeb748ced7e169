/**
 * `node --import tsx scripts/screenshots-changes.ts`: the change calendar
 * (docs/screenshots/changes.png) in Debian's chromium against a real
 * `cmdb serve --reconcile` on the Acme demo (its year-end freeze), with a few
 * change records written into the state dir before the start (as
 * tests/web/changes.test.ts does). A fixed month, so the picture is stable.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { buildWeb } from '../bin/build-web.js';
import { createDemoRepo } from '../examples/create-demo-repo.ts';
import { startRuntime } from '../server/Runtime.ts';
import type { PullRequestChangeRecord } from '../state/ChangeRecord.ts';
import { FileChangeStore } from '../state/FileChangeStore.ts';
import { launchChromium } from '../tests/web/browser.ts';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

function record(n: number, title: string, mergedAt: string, changed: string, risk: PullRequestChangeRecord['risk']): PullRequestChangeRecord {
  const sha = String(n % 10).repeat(40);
  return {
    id: `acme/config#${n}`, repository: 'acme/config', source: 'pull-request', number: n, title, author: 'ann', url: `https://github.com/acme/config/pull/${n}`,
    commits: [sha], base: '0'.repeat(40), head: sha, mergeCommit: sha, mergedAt, changed: [changed], impacted: [], recordedAt: mergedAt,
    risk, changeType: 'normal', decision: risk === 'high' ? 'needs-approval' : 'pass', openedAt: mergedAt, approvedAt: null, approvedBy: risk === 'high' ? ['bob'] : [],
  };
}
const CHANGES = [
  record(101, 'Scale the cart service', '2026-12-02T10:00:00Z', 'component:default/cartservice', 'moderate'),
  record(102, 'Rotate the payment keys', '2026-12-08T14:30:00Z', 'component:default/paymentservice', 'high'),
  record(103, 'New checkout banner', '2026-12-15T09:00:00Z', 'component:default/frontend', 'low'),
  record(104, 'Hotfix: redis eviction', '2026-12-22T03:15:00Z', 'resource:default/redis-cart', 'high'),
];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-shots-'));
process.env.CMDB_CACHE_DIR = path.join(tmp, 'cache');
const repo = await createDemoRepo({ dir: path.join(tmp, 'acme') });
const stateDir = path.join(tmp, 'state');
const store = new FileChangeStore({ dir: stateDir });
for (const r of CHANGES) await store.recordChange(r);
await store.close();
await buildWeb({ outdir: path.join(tmp, 'web') });
const runtime = await startRuntime({ flags: { repo: repo.dir, ref: 'main', port: 0, poll: 0, stateDir, reconcile: true }, env: { CMDB_WEB_DIR: path.join(tmp, 'web') }, log: pino({ level: 'silent' }), out: () => undefined });
const browser = await launchChromium();
try {
  fs.mkdirSync(OUT, { recursive: true });
  const context = await browser.newContext({ baseURL: runtime.url, viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await page.goto('/changes?view=month&date=2026-12-01');
  await page.locator('.cal-summary').waitFor();
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: path.join(OUT, 'changes.png'), fullPage: true });
  process.stdout.write('docs/screenshots/changes.png\n');
  await context.close();
} finally {
  await browser.close();
  await runtime.shutdown();
  fs.rmSync(tmp, { recursive: true, force: true });
}
