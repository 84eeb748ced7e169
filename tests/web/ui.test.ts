/**
 * The web UI in a real browser (chromium, headless) against a real `cmdb
 * serve` on a catalog generated in a temp Git repository: every page renders
 * without a console error, search, the blast radius and its filters (kept in
 * the URL across a reload), time travel, errors and a lost connection, and an
 * automated accessibility check (axe-core: no serious or critical violation).
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../server/auth/tokensFile.ts';
import type { Runtime } from '../../server/Runtime.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';
import { buildWebInTemp, launchChromium, serve, openPage } from './browser.ts';

let repo: TestRepo;
let web: { dir: string; remove(): void };
let runtime: Runtime;
let browser: Browser;
let context: BrowserContext;
let before: string;

const team = { owner: 'group:team', lifecycle: 'production' };
beforeAll(async () => {
  repo = TestRepo.create();
  before = repo.commit({
    'team.yaml': entity('Group', 'team', { type: 'team' }),
    'k1.yaml': entity('Cluster', 'k1', { type: 'kubernetes', criticality: 'critical', ...team }, { title: 'Cluster one' }),
    'db.yaml': entity('Resource', 'db', { type: 'database', criticality: 'high', runsOn: ['cluster:k1'], ...team }),
    'worker.yaml': entity('Component', 'worker', { type: 'service', runsOn: ['cluster:k1'], ...team }),
    'api.yaml': entity('Component', 'api', { type: 'service', dependsOn: ['resource:db'], ...team }, { labels: { tier: 'backend' } }),
    'web.yaml': entity('Component', 'web', { type: 'website', criticality: 'low', dependsOn: ['component:api'], ...team }),
    'legacy.yaml': entity('Component', 'legacy-billing', { type: 'service', ...team }),
  });
  repo.commit({ 'legacy.yaml': undefined }, 'retire legacy-billing');
  [web, browser] = await Promise.all([buildWebInTemp(), launchChromium()]);
  runtime = await serve(repo.dir, web.dir);
  context = await browser.newContext({ baseURL: runtime.url, viewport: { width: 1280, height: 900 } });
}, 180_000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await runtime?.shutdown();
  web?.remove();
  repo?.remove();
});

/** A new page watching its errors, once its title is there. */
const open = (url: string) => openPage(context, url);

/** The blast radius table as ref → distance. */
async function distances(page: Page): Promise<Record<string, number>> {
  await page.locator('table.impact, .blast p:has-text("Nothing is reached")').first().waitFor();
  const rows = await page.locator('table.impact tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.children[0].textContent, Number(tr.children[2].textContent)] as const));
  return Object.fromEntries(rows);
}

describe('pages', () => {
  const pages: Array<[string, RegExp]> = [
    ['/', /Search the catalog/],
    ['/entities/cluster:default/k1', /Cluster one/],
    ['/path?from=web&to=k1', /Shortest path/],
    ['/changes', /Changes/],
    ['/changes/42', /Change 42/],
    ['/incidents', /Incidents/],
    ['/incidents/7', /Incident 7/],
    ['/kpis', /KPIs/],
    ['/entities/component:default/nope', /Entity not found/],
    ['/changes/1/more', /Page not found/],
  ];
  it.each(pages)('%s renders its title without a console error', async (url, title) => {
    const { page, errors } = await open(url);
    await expect.poll(() => page.locator('h1').first().textContent()).toMatch(title);
    await page.waitForLoadState('networkidle');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a server without --reconcile keeps no incidents: the page says so (NOT_AVAILABLE), never a blank page', async () => {
    const { page } = await open('/incidents');
    await expect.poll(() => page.locator('main [role="alert"]').textContent()).toContain('NOT_AVAILABLE');
    await page.close();
  });

  it('anonymous callers are told they read only', async () => {
    const { page } = await open('/');
    await expect.poll(() => page.locator('.account').textContent()).toContain('Anonymous (read-only)');
    await page.close();
  });
});

describe('search', () => {
  it('finds an entity by part of its name, links to it, and back returns to the results', async () => {
    const { page, errors } = await open('/');
    await page.getByLabel('Ref, name or title').fill('work');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/\?q=work$/);
    const link = page.getByRole('link', { name: 'component:default/worker' });
    await link.click();
    await page.waitForURL(/\/entities\/component:default\/worker$/);
    await expect.poll(() => page.locator('h1').textContent()).toContain('component:default/worker');
    await page.goBack();
    await page.waitForURL(/\/\?q=work$/);
    await page.getByRole('link', { name: 'component:default/worker' }).waitFor();
    await page.goForward();
    await expect.poll(() => page.locator('h1').textContent()).toContain('component:default/worker');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('entity page', () => {
  it('shows facts, labels, owner and relations', async () => {
    const { page } = await open('/entities/component:default/api');
    const main = page.locator('main');
    await main.locator('dl.facts').waitFor();
    const text = await main.textContent();
    expect(text).toContain('tier=backend');
    expect(await page.locator('dl.facts').textContent()).toContain('group:default/team');
    expect(await page.locator('ul.relations').textContent()).toMatch(/dependsOn\s*resource:default\/db/);
    await page.close();
  });

  it('lists the blast radius with its distances and draws it', async () => {
    const { page, errors } = await open('/entities/cluster:default/k1');
    expect(await distances(page)).toEqual({ 'resource:default/db': 1, 'component:default/worker': 1, 'component:default/api': 2, 'component:default/web': 3 });
    expect(await page.getByTestId('shown').textContent()).toContain('Showing 4 of 4 entities');
    await expect.poll(() => page.locator('.graph canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('.graph').getAttribute('data-nodes')).toBe('5');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('depth and relation filters change what is drawn, live in the URL and survive a reload', async () => {
    const { page } = await open('/entities/cluster:default/k1');
    await distances(page);
    await page.getByLabel('Depth').selectOption('1');
    await page.waitForURL(/depth=1/);
    await expect.poll(() => distances(page)).toEqual({ 'resource:default/db': 1, 'component:default/worker': 1 });
    expect(await page.locator('.graph').getAttribute('data-nodes')).toBe('3');

    await page.getByLabel('Depth').selectOption('3');
    await page.waitForURL(/depth=3/);
    await page.getByRole('checkbox', { name: 'runs on' }).uncheck();
    await page.waitForURL(/rel=/);
    // Without runsOn nothing leaves the cluster.
    await expect.poll(() => distances(page)).toEqual({});
    await page.getByRole('checkbox', { name: 'runs on' }).check();
    await page.getByRole('checkbox', { name: 'depends on' }).uncheck();
    await expect.poll(() => distances(page)).toEqual({ 'resource:default/db': 1, 'component:default/worker': 1 });
    expect(await page.locator('.graph').getAttribute('data-nodes')).toBe('3');

    await page.reload();
    await expect.poll(() => distances(page)).toEqual({ 'resource:default/db': 1, 'component:default/worker': 1 });
    expect(await page.getByRole('checkbox', { name: 'depends on' }).isChecked()).toBe(false);
    expect(await page.getByLabel('Depth').inputValue()).toBe('3');
    expect(await page.getByTestId('shown').textContent()).toContain('Showing 2 of 2 entities (4 before the relation filter)');
    await page.close();
  });

  it('draws at most `show` nodes, says so, and draws more on demand', async () => {
    const { page } = await open('/entities/cluster:default/k1?show=2');
    await distances(page);
    expect(await page.getByTestId('shown').textContent()).toContain('Showing 2 of 4 entities');
    await expect.poll(() => page.locator('.graph').getAttribute('data-drawn')).toBe('yes');
    expect(await page.locator('.graph').getAttribute('data-nodes')).toBe('3');
    expect(Object.keys(await distances(page))).toHaveLength(4); // the table lists them all
    await page.getByRole('button', { name: 'Draw 2 more' }).click();
    await expect.poll(() => page.getByTestId('shown').textContent()).toContain('Showing 4 of 4 entities');
    await expect.poll(() => page.locator('.graph').getAttribute('data-nodes')).toBe('5');
    expect(page.url()).toMatch(/show=202/);
    await page.close();
  });

  it('travels in time: an entity deleted since is not found now, and shown as of the commit before', async () => {
    const { page, errors } = await open('/entities/component:default/legacy-billing');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Entity not found');
    await page.getByRole('heading', { name: 'Close matches' }).waitFor({ timeout: 5000 });
    await page.getByLabel('As of (commit, branch, tag or date)').fill(before, { timeout: 5000 });
    await page.getByRole('button', { name: 'Show', exact: true }).click({ timeout: 5000 });
    await page.waitForURL(new RegExp(`at=${before}`), { timeout: 5000 });
    await expect.poll(() => page.locator('h1').textContent()).toContain('component:default/legacy-billing');
    expect(await page.locator('.asof').textContent()).toContain(`As of commit ${before.slice(0, 12)}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a GraphQL error instead of a blank page', async () => {
    const { page } = await open('/entities/component:default/k1?at=no-such-revision');
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('names no commit, branch or tag');
    expect(await alert.textContent()).toContain('BAD_USER_INPUT');
    await page.close();
  });
});

describe('path page', () => {
  it('draws and lists the shortest path, through the relations chosen', async () => {
    const { page, errors } = await open('/path?from=web&to=k1');
    const steps = () => page.locator('ol.path li a').allTextContents();
    // Any relation: through the owner both have.
    await expect.poll(steps).toEqual(['component:default/web', 'group:default/team', 'cluster:default/k1']);
    await page.getByRole('checkbox', { name: 'owned by' }).uncheck();
    await page.waitForURL(/rel=/);
    await expect.poll(steps).toEqual(['component:default/web', 'component:default/api', 'resource:default/db', 'cluster:default/k1']);
    expect(await page.locator('.graph').getAttribute('data-nodes')).toBe('4');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('connection', () => {
  it('a lost connection shows a banner and the page recovers by itself when the server answers again', async () => {
    const { page } = await open('/');
    await page.route('**/graphql', (route) => route.abort('connectionrefused'));
    await page.getByLabel('Ref, name or title').fill('api');
    await page.keyboard.press('Enter');
    await page.locator('.banner').waitFor();
    expect(await page.locator('.banner').textContent()).toContain('Connection to the server lost');
    await page.unroute('**/graphql');
    await page.getByRole('link', { name: 'component:default/api' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('.banner').count()).toBe(0);
    await page.close();
  });
});

describe('accessibility (axe-core)', () => {
  it.each(['/?q=a', '/entities/cluster:default/k1', '/path?from=web&to=k1', '/entities/component:default/nope', '/incidents'])('%s has no serious or critical violation', async (url) => {
    const { page } = await open(url);
    await page.waitForLoadState('networkidle');
    const result = await new AxeBuilder({ page }).analyze();
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    expect(bad).toEqual([]);
    await page.close();
  });

  it('works with the keyboard: skip link, then the search box', async () => {
    const { page } = await open('/');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('q');
    await page.close();
  });
});

describe('phone layout', () => {
  it('the entity page fits a phone screen without horizontal scrolling', async () => {
    const phone = await browser.newContext({ baseURL: runtime.url, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await phone.newPage();
    await page.goto('/entities/cluster:default/k1');
    await distances(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await phone.close();
  });
});

describe('sign-in (no anonymous reads)', () => {
  let locked: Runtime;
  beforeAll(async () => {
    const file = path.join(repo.dir, '..', `${path.basename(repo.dir)}-tokens.yaml`);
    fs.writeFileSync(file, `tokens:\n  - { name: alice, role: responder, sha256: ${sha256Hex('alice-secret')} }\n`);
    locked = await serve(repo.dir, web.dir, { CMDB_TOKENS_FILE: file, CMDB_ANONYMOUS_READ: 'false' });
  });
  afterAll(async () => {
    await locked?.shutdown();
  });

  it('asks for a token, refuses a wrong one, and reads with the right one (kept for the tab, sent as Bearer)', async () => {
    const ctx = await browser.newContext({ baseURL: locked.url });
    const page = await ctx.newPage();
    await page.goto('/');
    // Without a token the API answers UNAUTHENTICATED: shown, with the token form.
    await page.getByRole('alert').filter({ hasText: 'UNAUTHENTICATED' }).first().waitFor();
    await page.getByLabel('API token').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.account').textContent()).toContain('The token was refused.');
    await page.getByLabel('API token').fill('alice-secret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.account').textContent()).toContain('alice · responder');
    await page.locator('.glance dd').first().waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('cmdb.token'))).toBe('alice-secret');
    await page.reload();
    await expect.poll(() => page.locator('.account').textContent()).toContain('alice · responder');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('cmdb.token'))).toBeNull();
    await ctx.close();
  });
});
