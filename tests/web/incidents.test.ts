/**
 * The incident pages in a real browser (Debian's chromium, headless) against a
 * real `cmdb serve --reconcile` (startRuntime, a state dir, Alertmanager's
 * webhook, a tokens file with a viewer and a responder): the list, the
 * incident, the home card and the entity page's section render without a
 * console error; an incident opened while the list is open appears without a
 * reload (the `incidentChanged` subscription); acknowledging needs the
 * responder role (a viewer sees no button and the API refuses it); axe-core.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../server/Runtime.ts';
import { entity } from '../helpers/gitRepo.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { startIncidentUi, TOKENS, type IncidentUi } from './incidentUi.ts';

let ui: IncidentUi;
let runtime: Runtime;
let dbIncident: string;

const team = { owner: 'group:team', lifecycle: 'production' };
/** More services than a page of the API's incidents (200). */
const MANY = Array.from({ length: 230 }, (_, i) => `many-${String(i).padStart(3, '0')}`);
beforeAll(async () => {
  ui = await startIncidentUi('cmdb-ui-incidents', {
    'cmdb.yaml': stringify({ incidents: { for: '0s', resolveAfter: '1h', reopenWithin: '0s', probableCause: { lookBack: '3650d' } } }),
    'team.yaml': entity('Group', 'team', { type: 'team' }),
    'db.yaml': entity('Resource', 'db', { type: 'database', criticality: 'high', ...team }),
    'api.yaml': entity('Component', 'api', { type: 'service', dependsOn: ['resource:db'], ...team }),
    'web.yaml': entity('Component', 'web', { type: 'website', criticality: 'low', dependsOn: ['component:api'], ...team }),
    'cache.yaml': entity('Resource', 'cache', { type: 'cache', ...team }),
    'queue.yaml': entity('Resource', 'queue', { type: 'queue', ...team }),
    'runbooks/db.md': [
      '---\ntitle: Fail the database over\nentities: [resource:default/db]\n---\n# Fail over\n',
      '1. Check the replication lag.\n2. Promote the replica:\n\n```sh\npg_ctl promote\n```\n',
      // What the API must not pass on as it is: raw HTML and a javascript: link.
      '<script>window.pwned = 1</script>\n\n<img src=x onerror="window.pwned = 2">\n\n[the dashboard](javascript:window.pwned=3)\n',
    ].join('\n'),
    // Unrelated services for more than a page of unresolved incidents (the last test).
    ...Object.fromEntries(MANY.map((name) => [`many/${name}.yaml`, entity('Component', name, { type: 'service', ...team })])),
  });
  runtime = ui.runtime;
  // db changes after the server started: the branch's move is a change record, the probable cause of db's incident.
  ui.repo.commit({ 'db.yaml': entity('Resource', 'db', { type: 'database', criticality: 'high', ...team }, { title: 'Orders DB' }) }, 'db: a title');
  await runtime.follower.refresh();
  await waitFor('the change recorded', async () => ((await runtime.changes!.changes({})).length > 0 ? true : undefined));
  // db and api down together: one incident, root db, api correlated.
  expect(await alerts('firing', ['resource:default/db', 'component:default/api'])).toBe(200);
  dbIncident = await waitFor('the db incident', () => runtime.incidents!.store.incidents({ ref: 'resource:default/db' })[0]?.id);
}, 180_000);

afterAll(async () => {
  await ui?.close();
});

const alerts = (status: 'firing' | 'resolved', refs: string[], name?: string) => ui.alerts(status, refs, name);

/** The page's live list or incident is read and its subscription open (such a page never reaches "network idle": the stream stays open). */
async function settled(page: Page): Promise<void> {
  await expect.poll(() => page.locator('[data-live]').first().getAttribute('data-live')).toBe('yes');
}

const open = (role: keyof typeof TOKENS, url: string) => ui.open(role, url);

const rowIds = (page: Page, table: string) => page.locator(`[data-testid="${table}"] tbody tr[data-id]`).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')));

describe('pages', () => {
  it('the list: the unresolved incident with its severity, root, impacted count, probable cause and state', async () => {
    const { page, errors } = await open('viewer', '/incidents');
    await expect.poll(() => rowIds(page, 'unresolved')).toEqual([dbIncident]);
    const cells = await page.locator(`tr[data-id="${dbIncident}"] td`).allTextContents();
    expect(cells[1]).toBe('high');
    expect(cells[2]).toBe('Orders DB');
    expect(Number(cells[3])).toBe(runtime.incidents!.store.incident(dbIncident)!.impacted.length);
    expect(Number(cells[3])).toBeGreaterThanOrEqual(2); // api and web depend on db
    expect(cells[4]).toBe('db: a title');
    expect(cells[5]).toBe('open');
    await page.getByRole('link', { name: 'Orders DB' }).waitFor();
    await settled(page);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the incident: timeline, signals, correlated and impacted entities drawn, runbooks, probable causes', async () => {
    const { page, errors } = await open('viewer', `/incidents/${dbIncident}`);
    await expect.poll(() => page.locator('h1').textContent()).toContain(`Incident ${dbIncident}`);
    await expect.poll(() => page.locator('[data-testid="timeline"] li').first().getAttribute('data-type')).toBe('opened');
    expect(await page.locator('[data-testid="correlated"] li').allTextContents()).toEqual(['component:default/api']);
    expect(await page.locator('[data-testid="impacted"] tbody td:first-child').allTextContents()).toEqual(expect.arrayContaining(['component:default/api', 'component:default/web']));
    expect(await page.locator('main').textContent()).toContain('runbooks/db.md');
    // The runbook itself, open, as the API rendered its Markdown: heading, steps and the command, without the front matter.
    const runbook = page.locator('.runbooks li[data-path="runbooks/db.md"] .runbook');
    expect(await runbook.locator('h3').textContent()).toBe('Fail over'); // under the page's h1 and the section's h2
    expect(await runbook.locator('ol li').allTextContents()).toEqual(['Check the replication lag.', 'Promote the replica:']);
    expect(await runbook.locator('pre code').textContent()).toBe('pg_ctl promote\n');
    expect(await runbook.textContent()).not.toContain('entities:');
    // Raw HTML shown as text, never run; the javascript: link has no target.
    expect(await runbook.locator('script, img').count()).toBe(0);
    expect(await runbook.textContent()).toContain('<script>window.pwned = 1</script>');
    expect(await runbook.getByRole('link', { name: 'the dashboard' }).getAttribute('href')).toBe('');
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator('[data-testid="causes"] li').first().textContent()).toContain('db: a title');
    const graph = page.locator('.incident-graph');
    await expect.poll(() => graph.getAttribute('data-drawn')).toBe('yes');
    expect(await graph.getAttribute('data-correlated')).toBe('1');
    await settled(page);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('an unknown incident says so', async () => {
    const { page, errors } = await open('viewer', '/incidents/INC-999');
    await expect.poll(() => page.locator('main').textContent()).toContain('No incident INC-999');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the home card counts the open incidents by severity and links to them', async () => {
    const { page, errors } = await open('viewer', '/');
    const card = page.locator('[data-testid="open-incidents"]');
    await card.waitFor();
    await settled(page);
    const unresolved = runtime.incidents!.store.incidents({ state: 'open' }).length + runtime.incidents!.store.incidents({ state: 'acknowledged' }).length;
    expect(unresolved).toBe(1);
    expect(await card.textContent()).toContain('1 unresolved incident');
    await card.getByRole('link', { name: /high/ }).click();
    await page.waitForURL(/\/incidents\?severity=HIGH$/);
    await expect.poll(() => rowIds(page, 'unresolved')).toContain(dbIncident);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the entity page lists the entity's findings, incidents, runbooks and changes", async () => {
    const { page, errors } = await open('viewer', '/entities/resource:default/db');
    const section = page.locator('[data-testid="entity-ops"]');
    await section.locator('[data-testid="entity-incidents"]').waitFor();
    expect(await section.locator('[data-testid="entity-incidents"]').textContent()).toContain(dbIncident);
    await section.locator('[data-testid="entity-changes"]').waitFor();
    expect(await section.locator('[data-testid="entity-changes"]').textContent()).toContain('db: a title');
    expect(await section.textContent()).toContain('runbooks/db.md');
    expect(await section.textContent()).toMatch(/Findings\s*None\./);
    await page.waitForLoadState('networkidle');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('live', () => {
  it('an incident opened while the list is open appears without a reload', async () => {
    const { page, errors } = await open('viewer', '/incidents');
    await expect.poll(() => rowIds(page, 'unresolved')).toContain(dbIncident);
    await expect.poll(() => page.locator('[data-live]').getAttribute('data-live')).toBe('yes');
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    expect(await alerts('firing', ['resource:default/cache'], 'CacheDown')).toBe(200);
    const cacheIncident = await waitFor('the cache incident', () => runtime.incidents!.store.incidents({ ref: 'resource:default/cache' })[0]?.id);
    await expect.poll(() => rowIds(page, 'unresolved'), { timeout: 15_000 }).toContain(cacheIncident);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a lost stream shows the banner and is reopened; what changed meanwhile is read on reconnection', async () => {
    const page = await ui.context('viewer').newPage();
    // Every subscription request fails (as when the server is unreachable); queries pass.
    const refuse = (route: import('playwright-core').Route) => (route.request().headers().accept === 'text/event-stream' ? route.abort('connectionrefused') : route.fallback());
    await page.route('**/graphql', refuse);
    await page.goto('/incidents');
    await expect.poll(() => rowIds(page, 'unresolved')).toContain(dbIncident);
    await page.locator('.banner').waitFor();
    expect(await page.locator('.banner').textContent()).toContain('Connection to the server lost');
    expect(await page.locator('[data-live]').getAttribute('data-live')).toBe('no');
    expect(await alerts('firing', ['resource:default/queue'], 'QueueDown')).toBe(200);
    const queueIncident = await waitFor('the queue incident', () => runtime.incidents!.store.incidents({ ref: 'resource:default/queue' })[0]?.id);
    await page.unroute('**/graphql', refuse);
    // Retried with back-off (1, 2, 4 s...): once connected, the list is read again and shows the incident opened meanwhile.
    await expect.poll(() => page.locator('[data-live]').getAttribute('data-live'), { timeout: 20_000 }).toBe('yes');
    await expect.poll(() => rowIds(page, 'unresolved')).toContain(queueIncident);
    expect(await page.locator('.banner').count()).toBe(0);
    await page.close();
  });
});

describe('acknowledging needs a role', () => {
  it('a viewer sees no action, and the API refuses one (FORBIDDEN)', async () => {
    const { page } = await open('viewer', `/incidents/${dbIncident}`);
    await page.locator('[data-testid="no-actions"]').waitFor();
    expect(await page.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Dismiss/ }).count()).toBe(0);
    const answer = await page.evaluate(async ({ id, t }) => {
      const res = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` }, body: JSON.stringify({ query: `mutation { acknowledgeIncident(id: "${id}") { state } }` }) });
      return (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
    }, { id: dbIncident, t: TOKENS.viewer });
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(runtime.incidents!.store.incident(dbIncident)!.state).toBe('open');
    await page.close();
  });

  it('a responder acknowledges with a note; the timeline and the state show it without a reload', async () => {
    const { page, errors } = await open('responder', `/incidents/${dbIncident}`);
    await page.getByLabel('Note').fill('looking at the DB');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    const last = page.locator('[data-testid="timeline"] li').last();
    await expect.poll(() => last.getAttribute('data-type')).toBe('acknowledged');
    expect(await last.textContent()).toContain('pager-bot');
    expect(await last.textContent()).toContain('looking at the DB');
    await expect.poll(() => page.locator('[data-testid="state"]').textContent()).toBe('acknowledged');
    expect(await page.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    expect(runtime.incidents!.store.incident(dbIncident)!.state).toBe('acknowledged');
    // A refusal is shown: an empty note.
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'BAD_USER_INPUT' }).count()).toBe(1);
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await page.close();
  });
});

describe('accessibility (axe-core)', () => {
  it.each(['/incidents', '/incidents/:db', '/entities/resource:default/db', '/'])('%s has no serious or critical violation', async (url) => {
    const { page } = await open('responder', url.replace(':db', dbIncident));
    if (url.startsWith('/entities/')) await page.waitForLoadState('networkidle');
    else await settled(page);
    if (url === '/incidents/:db') await expect.poll(() => page.locator('.incident-graph').getAttribute('data-drawn')).toBe('yes');
    const result = await new AxeBuilder({ page }).analyze();
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    expect(bad).toEqual([]);
    await page.close();
  });
});

describe('more than a page of unresolved incidents (runs last: it opens 230 more)', () => {
  it('the list reads every page: all of them are listed, and counted in the caption; the home card counts them all by severity', async () => {
    expect(await alerts('firing', MANY.map((name) => `component:default/${name}`), 'Many')).toBe(200);
    const unresolved = () => runtime.incidents!.store.incidents({ state: 'open' }).length + runtime.incidents!.store.incidents({ state: 'acknowledged' }).length;
    await waitFor('an incident each', () => (unresolved() > MANY.length ? true : undefined));
    const { page, errors } = await open('viewer', '/incidents');
    await settled(page);
    await expect.poll(() => rowIds(page, 'unresolved').then((ids) => ids.length)).toBe(unresolved());
    expect(await page.locator('[data-testid="unresolved"] caption').textContent()).toBe(`Unresolved (${unresolved()})`);
    const ids = await rowIds(page, 'unresolved');
    expect(new Set(ids).size).toBe(ids.length);
    expect(errors).toEqual([]);
    await page.close();

    const home = await open('viewer', '/');
    const card = home.page.locator('[data-testid="open-incidents"]');
    await card.waitFor();
    await settled(home.page);
    expect(await card.locator('p').textContent()).toBe(`${unresolved()} unresolved incidents`);
    const bySeverity = await card.locator('.by-severity li').evaluateAll((lis) => lis.map((li) => li.textContent?.trim()));
    const now = [...runtime.incidents!.store.incidents({ state: 'unresolved' })];
    const ofSeverity = (s: string) => now.filter((i) => i.severity === s);
    const severities = ['critical', 'high', 'medium', 'low'].filter((s) => ofSeverity(s).length > 0);
    expect(severities.length).toBeGreaterThanOrEqual(2);
    expect(bySeverity).toEqual(severities.map((s) => `${ofSeverity(s).length} ${s}`));
    expect(home.errors).toEqual([]);
    await home.page.close();

    // One severity, more than a page of it: the API filters and the list reads every page of that severity.
    const most = severities.reduce((a, b) => (ofSeverity(b).length > ofSeverity(a).length ? b : a));
    expect(ofSeverity(most).length).toBeGreaterThan(200);
    const filtered = await open('viewer', `/incidents?severity=${most.toUpperCase()}`);
    await settled(filtered.page);
    await expect.poll(() => rowIds(filtered.page, 'unresolved')).toEqual(ofSeverity(most).map((i) => i.id));
    expect(await filtered.page.locator('[data-testid="unresolved"] caption').textContent()).toBe(`Unresolved (${ofSeverity(most).length})`);
    expect(filtered.errors).toEqual([]);
    await filtered.page.close();

    const unknown = await open('viewer', '/incidents?severity=severe');
    await settled(unknown.page);
    expect(await unknown.page.locator('[data-testid="unknown-severity"]').textContent()).toBe('There is no severity “severe”: all incidents are listed.');
    await expect.poll(() => rowIds(unknown.page, 'unresolved').then((ids) => ids.length)).toBe(unresolved());
    await unknown.page.close();
  });
});
