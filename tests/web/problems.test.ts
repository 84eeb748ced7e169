/**
 * The problem pages in a real browser (Debian's chromium, headless) against a
 * real `cmdb serve --reconcile` (startRuntime, a state dir, Alertmanager's
 * webhook, a tokens file with a viewer and a responder): the database goes
 * down and comes back three times, the third incident opens a problem; the
 * list and the problem render without a console error, a viewer sees no
 * action, a responder records the workaround and the known-error state, the
 * incident links to its problem; axe-core.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../server/auth/tokensFile.ts';
import { startRuntime, type Runtime } from '../../server/Runtime.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { buildWebInTemp, launchChromium, watchErrors } from './browser.ts';

const AM_TOKEN = 'alertmanager-token-for-the-problems-test';
const TOKENS = { viewer: 'cmdb_viewer-prb-0001', responder: 'cmdb_responder-prb-0002' };
const DB = 'resource:default/db';

let repo: TestRepo;
let dir: string;
let web: { dir: string; remove(): void };
let runtime: Runtime;
let browser: Browser;
const contexts: Partial<Record<keyof typeof TOKENS, BrowserContext>> = {};
let incidents: string[] = [];

const team = { owner: 'group:team', lifecycle: 'production' };

/** Alertmanager's webhook with one alert about db. */
async function alert(status: 'firing' | 'resolved'): Promise<number> {
  const body = {
    version: '4', groupKey: '{}:{alertname="Down"}', truncatedAlerts: 0, status, receiver: 'cmdb', groupLabels: { alertname: 'Down' }, commonLabels: { alertname: 'Down' }, commonAnnotations: {}, externalURL: 'http://alertmanager:9093',
    alerts: [{ status, labels: { alertname: 'Down', cmdb_ref: DB }, annotations: { summary: 'db is down' }, startsAt: new Date().toISOString(), endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : new Date().toISOString(), generatorURL: 'http://prometheus/graph', fingerprint: 'fp-db-down' }],
  };
  const res = await fetch(`${runtime.url.replace(/\/$/, '')}/webhooks/alertmanager`, { method: 'POST', headers: { authorization: `Bearer ${AM_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.status;
}

beforeAll(async () => {
  repo = TestRepo.create('cmdb-ui-problems-');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-ui-problems-state-'));
  repo.commit({
    'cmdb.yaml': stringify({ incidents: { for: '0s', resolveAfter: '0s', reopenWithin: '0s', problems: { count: 3, period: '7d' } } }),
    'team.yaml': entity('Group', 'team', { type: 'team' }),
    'db.yaml': entity('Resource', 'db', { type: 'database', criticality: 'high', ...team }, { title: 'Orders DB' }),
  });
  const tokens = path.join(dir, 'tokens.yaml');
  fs.writeFileSync(tokens, stringify({ tokens: [{ name: 'grafana', role: 'viewer', sha256: sha256Hex(TOKENS.viewer) }, { name: 'pager-bot', role: 'responder', sha256: sha256Hex(TOKENS.responder) }] }));
  [web, browser] = await Promise.all([buildWebInTemp(), launchChromium()]);
  runtime = await startRuntime({
    flags: { repo: repo.dir, ref: 'main', stateDir: path.join(dir, 'state'), port: 0, poll: 0, reconcile: true, tokens, anonymousRead: false },
    env: { CMDB_ALERTMANAGER_TOKEN: AM_TOKEN, CMDB_WEB_DIR: web.dir },
    log: pino({ level: 'silent' }),
    out: () => undefined,
  });
  await waitFor('the incident engine leads', () => runtime.leadership.isLeader());
  const store = runtime.incidents!.store;
  // The database goes down and comes back three times: three incidents, the third opens a problem.
  for (let n = 1; n <= 3; n++) {
    expect(await alert('firing')).toBe(200);
    await waitFor(`incident ${n} open`, () => store.incidents({ ref: DB }).length === n && store.incidents({ ref: DB, state: 'unresolved' }).length === 1);
    expect(await alert('resolved')).toBe(200);
    await waitFor(`incident ${n} resolved`, () => store.incidents({ ref: DB, state: 'unresolved' }).length === 0);
  }
  await waitFor('the problem', () => store.problem('PRB-1'));
  incidents = store.incidents({ ref: DB }).map((i) => i.id).sort();
  for (const role of Object.keys(TOKENS) as Array<keyof typeof TOKENS>) {
    const ctx = await browser.newContext({ baseURL: runtime.url, viewport: { width: 1280, height: 900 } });
    await ctx.addInitScript((t) => sessionStorage.setItem('cmdb.token', t), TOKENS[role]);
    contexts[role] = ctx;
  }
}, 180_000);

afterAll(async () => {
  for (const ctx of Object.values(contexts)) await ctx?.close();
  await browser?.close();
  await runtime?.shutdown();
  web?.remove();
  repo?.remove();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new page of `role` watching its errors, once its live query is read and its subscription open. */
async function open(role: keyof typeof TOKENS, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await contexts[role]!.newPage();
  const errors = watchErrors(page);
  await page.goto(url);
  await page.locator('h1').first().waitFor();
  await expect.poll(() => page.locator('[data-live]').first().getAttribute('data-live')).toBe('yes');
  return { page, errors };
}

describe('problem pages', () => {
  it('the list: the problem with its root, kind, incidents and state; the state filter', async () => {
    const { page, errors } = await open('viewer', '/problems');
    const row = page.locator('[data-testid="problems"] tr[data-id="PRB-1"]');
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells[0]).toContain('PRB-1');
    expect(cells.slice(1)).toEqual(['Orders DB', 'alert', '3', 'open', '—', expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/)]);
    await page.getByRole('link', { name: 'resolved', exact: true }).click();
    await expect.poll(() => page.locator('[data-testid="problems"] tbody td').first().textContent()).toBe('None.');
    expect(new URL(page.url()).search).toBe('?state=RESOLVED');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the problem: its incidents linked, its timeline; a viewer sees no action', async () => {
    const { page, errors } = await open('viewer', '/problems/PRB-1');
    const ids = await page.locator('[data-testid="problem-incidents"] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')));
    expect([...ids].sort()).toEqual(incidents);
    expect(await page.locator('[data-testid="timeline"] li').count()).toBeGreaterThan(0);
    await page.locator('[data-testid="no-actions"]').waitFor();
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    await page.getByRole('link', { name: incidents[0], exact: true }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/incidents/${incidents[0]}`);
    // and back from the incident to its problem
    await page.getByRole('link', { name: 'PRB-1', exact: true }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/problems/PRB-1');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a responder records the workaround and the known-error state; the page shows them', async () => {
    const { page, errors } = await open('responder', '/problems/PRB-1');
    await page.getByLabel('Workaround').fill('fail over to the replica');
    await page.getByLabel('State').selectOption('KNOWN_ERROR');
    await page.getByLabel('Note').fill('root cause: disk full');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('[data-testid="state"]').textContent()).toBe('known error');
    expect(await page.locator('[data-testid="workaround"]').textContent()).toBe('fail over to the replica');
    const stored = runtime.incidents!.store.problem('PRB-1')!;
    expect(stored).toMatchObject({ state: 'known-error', workaround: 'fail over to the replica' });
    expect(stored.timeline.some((t) => t.by === 'pager-bot' && t.note === 'root cause: disk full')).toBe(true);
    // Saving with nothing changed is refused by the server, and says why.
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.error[role="alert"]', { hasText: 'The update was refused' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('accessibility (axe-core)', () => {
  it.each(['/problems', '/problems/PRB-1'])('%s has no serious or critical violation', async (url) => {
    const { page } = await open('responder', url);
    const result = await new AxeBuilder({ page }).analyze();
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    expect(bad).toEqual([]);
    await page.close();
  });
});
