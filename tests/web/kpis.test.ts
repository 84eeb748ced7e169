/**
 * The KPI page (/kpis) and the home page's KPI card in a real browser
 * (chromium, headless) against a real `cmdb serve --reconcile` whose state
 * dir holds the change records and incidents of tests/incidents/kpiFixture.ts
 * (written before the server starts, as in tests/graph-api/kpiServer.ts).
 * The expected numbers are the fixture's, computed by hand in
 * tests/incidents/kpis.test.ts. The browser's clock is set (Playwright's
 * clock) where the page reads "now" (the last 30 days).
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../server/Runtime.ts';
import { buildWebInTemp, launchChromium, openPage } from './browser.ts';
import { serveKpiFixture } from './kpiServe.ts';

let web: { dir: string; remove(): void };
let server: { runtime: Runtime; close(): Promise<void> };
let runtime: Runtime;
let browser: Browser;
let context: BrowserContext;

/** The fixture's week, 2026-03-01 to 2026-03-07 (included): [FROM, TO). */
const WEEK = '/kpis?from=2026-03-01&to=2026-03-07';

beforeAll(async () => {
  [web, browser] = await Promise.all([buildWebInTemp(), launchChromium()]);
  server = await serveKpiFixture(web.dir);
  runtime = server.runtime;
  context = await browser.newContext({ baseURL: runtime.url, viewport: { width: 1280, height: 900 } });
  // "Now" for the rolling periods: the last day of the fixture's week.
  await context.clock.setFixedTime(new Date('2026-03-07T12:00:00Z'));
}, 180_000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
  web?.remove();
});

/** A new page watching its errors, once its title is there. */
const open = (url: string) => openPage(context, url);

/** The period's KPIs as the page writes them (data-kpi → text). */
async function numbers(page: Page): Promise<Record<string, string>> {
  await page.locator('[data-testid=kpis]').waitFor();
  const pairs = await page.locator('[data-testid=kpis] [data-kpi]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-kpi'), e.textContent?.replace(/\s+/g, ' ').trim()] as const));
  return Object.fromEntries(pairs);
}

/** A chart's value table: first column → the other columns. */
async function values(page: Page, title: string): Promise<Record<string, string[]>> {
  const table = page.locator('table.chart-values').filter({ has: page.locator('caption', { hasText: title }) });
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
  return Object.fromEntries(rows.map(([x, ...v]) => [x, v]));
}

// The fixture's week, unfiltered (tests/incidents/kpis.test.ts): 5 changes, 6 incidents, 5/7 per day,
// lead p50 4 h and p90 24 h, 4 of 5 failed (80%), recovery 116 h = 4.8 d, MTTR mean 9720 s = 2.7 h, median 2 h.
const WEEK_NUMBERS = {
  changes: '5',
  incidents: '6',
  deploymentFrequency: '0.71 per day',
  leadTime: 'p50 4 h, p90 24 h',
  changeFailureRate: '80%',
  recovery: '4.8 d',
  mttr: 'mean 2.7 h, median 2 h',
};
// System shop: 3 changes (#1, #2, branch), 4 incidents, 3/7 per day, leads p50 2 h p90 4 h, 2 of 3 failed,
// recovery 5 h, MTTR mean 11700 s = 3.25 h (written 3.3 h), median 2 h.
const SHOP_NUMBERS = {
  changes: '3',
  incidents: '4',
  deploymentFrequency: '0.43 per day',
  leadTime: 'p50 2 h, p90 4 h',
  changeFailureRate: '66.7%',
  recovery: '5 h',
  mttr: 'mean 3.3 h, median 2 h',
};

describe('/kpis', () => {
  it('shows the period’s KPIs with their meaning, and draws five charts, with no console error', async () => {
    const { page, errors } = await open(WEEK);
    expect(await numbers(page)).toEqual(WEEK_NUMBERS);
    const text = await page.locator('main').textContent();
    expect(text).toContain('how often application changes are deployed to production');
    expect(text).toContain('4 of 5 changes failed');
    expect(text).toContain('5 of 6 incidents resolved');
    await expect.poll(() => page.locator('.chart[data-drawn=yes]').count()).toBe(5);
    expect(await page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator('.chart').first().getAttribute('data-points')).toBe('7');
    await page.waitForLoadState('networkidle');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists every charted value with its unit (the canvas is an image)', async () => {
    const { page } = await open(WEEK);
    await numbers(page);
    // Changes per day: #1 03-01, #2 03-02, #3 03-03, branch 03-04, #5 03-05.
    expect(await values(page, 'Deployment frequency')).toEqual({
      '2026-03-01': ['1 per day'],
      '2026-03-02': ['1 per day'],
      '2026-03-03': ['1 per day'],
      '2026-03-04': ['1 per day'],
      '2026-03-05': ['1 per day'],
      '2026-03-06': ['0 per day'],
      '2026-03-07': ['0 per day'],
    });
    // Failure per day: #1 failed, #2 not, #3, branch, #5 failed, no change on 03-06 and 03-07.
    expect(Object.values(await values(page, 'Change failure rate')).map((v) => v[0])).toEqual(['100 %', '0 %', '100 %', '100 %', '100 %', 'no data', 'no data']);
    const label = await page.locator('.chart').first().getAttribute('aria-label');
    expect(label).toContain('Deployment frequency (changes per day) over 7 buckets');
    expect(label).toContain('highest 1 per day');
    await page.close();
  });

  it('weekly buckets: lead time p50 per ISO week, clipped to the period', async () => {
    const { page } = await open(`${WEEK}&bucket=week`);
    await numbers(page);
    // Week of Sunday 03-01 alone: #1 (4 h); the week from Monday 03-02: #2 2 h, #3 24 h, branch 1 h, #5 8 h -> p50 rank 2 = 2 h, p90 rank 4 = 24 h.
    expect(await values(page, 'Lead time')).toEqual({ 'week from 2026-03-01': ['4 h', '4 h'], 'week from 2026-03-02': ['2 h', '24 h'] });
    expect(await page.getByLabel('Bucket', { exact: true }).inputValue()).toBe('week');
    await page.close();
  });

  it('filters by system and owner change the numbers, live in the URL, survive a reload, and back returns', async () => {
    const { page, errors } = await open(WEEK);
    expect(await numbers(page)).toEqual(WEEK_NUMBERS);
    await page.getByLabel('System', { exact: true }).selectOption('system:default/shop');
    await page.waitForURL(/system=system%3Adefault%2Fshop/);
    await expect.poll(() => numbers(page)).toEqual(SHOP_NUMBERS);
    await page.reload();
    await expect.poll(() => numbers(page)).toEqual(SHOP_NUMBERS);
    expect(await page.getByLabel('System', { exact: true }).inputValue()).toBe('system:default/shop');

    await page.getByLabel('System', { exact: true }).selectOption('');
    await page.getByLabel('Owner', { exact: true }).selectOption('group:default/team-b');
    await page.waitForURL(/owner=group%3Adefault%2Fteam-b/);
    // Owner team-b: #2, #3, #5; INC-2, INC-3; leads 2 h, 24 h, 8 h; #3 and #5 failed; only #3 recovered (123 h = 5.1 d); INC-2 1 h.
    await expect.poll(() => numbers(page)).toEqual({
      changes: '3',
      incidents: '2',
      deploymentFrequency: '0.43 per day',
      leadTime: 'p50 8 h, p90 24 h',
      changeFailureRate: '66.7%',
      recovery: '5.1 d',
      mttr: 'mean 1 h, median 1 h',
    });
    await page.goBack();
    await page.goBack();
    await expect.poll(() => numbers(page)).toEqual(SHOP_NUMBERS);
    await page.goBack();
    await expect.poll(() => numbers(page)).toEqual(WEEK_NUMBERS);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the period: the last 30 days by default (today included), from/to, and an unreadable period said', async () => {
    const { page } = await open('/kpis');
    // [02-06, 03-08): the week's 5 changes and #6 (02-28, failed: top undismissed cause of INC-2): 6 changes, 5 failed, 6/30 per day.
    await expect.poll(() => numbers(page)).toMatchObject({ changes: '6', deploymentFrequency: '0.2 per day', changeFailureRate: '83.3%', mttr: 'mean 2.7 h, median 2 h' });
    expect(await page.getByLabel('Period', { exact: true }).inputValue()).toBe('30');
    await page.getByLabel('Period', { exact: true }).selectOption('custom');
    await page.waitForURL(/from=2026-02-06&to=2026-03-07/);
    await page.getByLabel('From', { exact: true }).fill('2026-03-01');
    await page.waitForURL(/from=2026-03-01&to=2026-03-07/);
    await expect.poll(() => numbers(page)).toEqual(WEEK_NUMBERS);
    await page.close();

    const bad = await open('/kpis?from=2026-03-09&to=2026-03-01');
    await expect.poll(() => bad.page.locator('.warning').textContent()).toContain('is not two dates (YYYY-MM-DD) with "from" not after "to"');
    expect(await numbers(bad.page)).toMatchObject({ changes: '6' });
    await bad.page.close();
  });

  it('a period without changes says so instead of drawing empty charts', async () => {
    const { page, errors } = await open('/kpis?from=2026-01-01&to=2026-01-31');
    await expect.poll(() => page.locator('main .empty').textContent()).toContain('No changes in this period');
    expect(await page.locator('.chart').count()).toBe(0);
    expect(await page.locator('[data-testid=kpis]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a GraphQL error is shown (a series of more than 1,000 points)', async () => {
    const { page } = await open('/kpis?from=2020-01-01&to=2026-03-07');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('BAD_USER_INPUT');
    await page.close();
  });
});

describe('home page KPI card', () => {
  it('shows the last 30 days and links to /kpis', async () => {
    const { page, errors } = await open('/');
    const card = page.locator('.card').filter({ has: page.getByRole('heading', { name: 'KPIs' }) });
    await card.locator('dl').waitFor();
    // Same period as above: 6/30 per day, 5 of 6 failed, MTTR 2.7 h.
    const got = await card.locator('[data-kpi]').evaluateAll((els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-kpi'), e.textContent])));
    expect(got).toEqual({ deploymentFrequency: '0.2 per day', changeFailureRate: '83.3%', mttr: '2.7 h' });
    await card.getByRole('link', { name: 'All KPIs, over time' }).click();
    await page.waitForURL(/\/kpis$/);
    await expect.poll(() => numbers(page)).toMatchObject({ changes: '6' });
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('loading', () => {
  /** The scripts a page loaded, by their text. */
  async function scriptsOf(url: string, wait: (page: Page) => Promise<unknown>): Promise<string[]> {
    const page = await context.newPage();
    const bodies: Array<Promise<string>> = [];
    page.on('response', (r) => {
      if (r.url().endsWith('.js')) bodies.push(r.text());
    });
    await page.goto(url);
    await wait(page);
    await settled(page, url);
    await page.close();
    return Promise.all(bodies);
  }
  // uPlot's legend class, a string literal minifying keeps.
  const isUplot = (js: string) => js.includes('u-legend');

  it('uPlot is loaded by /kpis only, not by the first page', async () => {
    const home = await scriptsOf('/', (p) => p.locator('.card dl').first().waitFor());
    expect(home.length).toBeGreaterThan(0);
    expect(home.filter(isUplot)).toHaveLength(0);
    const kpis = await scriptsOf(WEEK, (p) => p.locator('.chart[data-drawn=yes]').first().waitFor());
    expect(kpis.filter(isUplot)).toHaveLength(1);
  });
});

/**
 * The page has done its loading. `/` on a server with incidents keeps a live
 * connection open (its open-incidents card), so the network is never idle
 * there: its card saying it is live is the mark instead.
 */
async function settled(page: import('playwright-core').Page, url: string): Promise<void> {
  if (url === '/') await page.locator('[data-testid=open-incidents][data-live=yes]').waitFor();
  else await page.waitForLoadState('networkidle');
}

describe('accessibility (axe-core)', () => {
  it.each([WEEK, `${WEEK}&bucket=week&system=system%3Adefault%2Fshop`, '/kpis?from=2026-01-01&to=2026-01-31', '/'])('%s has no serious or critical violation', async (url) => {
    const { page } = await open(url);
    await settled(page, url);
    if (url.startsWith('/kpis?from=2026-03')) await expect.poll(() => page.locator('.chart[data-drawn=yes]').count()).toBe(5);
    const result = await new AxeBuilder({ page }).analyze();
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    expect(bad).toEqual([]);
    await page.close();
  });
});

describe('phone layout', () => {
  it('the KPI page fits a phone screen without horizontal scrolling', async () => {
    const phone = await browser.newContext({ baseURL: runtime.url, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await phone.newPage();
    await page.goto(WEEK);
    await expect.poll(() => page.locator('.chart[data-drawn=yes]').count()).toBe(5);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await phone.close();
  });
});
