/**
 * The change pages in a real browser (chromium, headless) against a real
 * `cmdb serve --reconcile`: a catalog with a freeze window over the current
 * week and change records written into the state dir's FileChangeStore
 * before the start. The calendar shows the freeze band with its name and the
 * change merged inside it as a conflict; week and month switch and survive a
 * reload; the change page renders; no console error; axe-core passes.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PullRequestChangeRecord } from '../../state/ChangeRecord.ts';
import { startChangeServer, type ChangeServer } from '../graph-api/changeServer.ts';
import { entity } from '../helpers/gitRepo.ts';
import { buildWebInTemp, launchChromium, openPage } from './browser.ts';

const DAY = 86_400_000;
const now = Date.now();
/** Monday 00:00 UTC of the current week. */
const monday = Date.parse(`${new Date(now).toISOString().slice(0, 10)}T00:00:00Z`) - ((new Date(now).getUTCDay() + 6) % 7) * DAY;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const sha = (c: string) => c.repeat(40);
function record(n: number, title: string, mergedAt: number, changed: string): PullRequestChangeRecord {
  return {
    id: `acme/config#${n}`,
    repository: 'acme/config',
    source: 'pull-request',
    number: n,
    title,
    author: 'ann',
    url: `https://github.com/acme/config/pull/${n}`,
    commits: [sha(String(n % 10))],
    firstCommitAt: iso(mergedAt - 3 * 3_600_000),
    base: sha('0'),
    head: sha(String(n % 10)),
    mergeCommit: sha(String(n % 10)),
    mergedAt: iso(mergedAt),
    changed: [changed],
    impacted: ['component:default/web'],
    recordedAt: iso(mergedAt),
    risk: 'high',
    changeType: 'normal',
    decision: 'needs-approval',
    openedAt: iso(mergedAt - 2 * 3_600_000),
    approvedAt: iso(mergedAt - 3_600_000),
    approvedBy: ['bob'],
  };
}
// Merged on Monday of this week, inside the freeze (which applies to the db); and on Tuesday of the week before, outside it.
const IN_FREEZE = record(42, 'Raise the db pool', monday + 3_600_000, 'resource:default/db');
const BEFORE = record(41, 'Tune the api', monday - 6 * DAY + 3_600_000, 'component:default/api');
// Merged inside the freeze too, but the freeze applies to resources only (the impacted web is a component too).
const NOT_FROZEN = record(43, 'Restyle the web', monday + 2 * 3_600_000, 'component:default/web');

let server: ChangeServer;
let web: { dir: string; remove(): void };
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  [web, browser] = await Promise.all([buildWebInTemp(), launchChromium()]);
  server = await startChangeServer({
    files: {
      'team.yaml': entity('Group', 'team', { type: 'team' }),
      'db.yaml': entity('Resource', 'db', { type: 'database', criticality: 'high', owner: 'group:team' }),
      'api.yaml': entity('Component', 'api', { type: 'service', lifecycle: 'production', owner: 'group:team', dependsOn: ['resource:db'] }),
      'web.yaml': entity('Component', 'web', { type: 'website', lifecycle: 'production', owner: 'group:team', dependsOn: ['component:api'] }),
      'freeze.yaml': entity('ChangeWindow', 'week-freeze', { type: 'freeze', start: iso(monday), end: iso(monday + 7 * DAY), description: 'Release week', appliesTo: "entity.kind == 'resource'" }),
    },
    changes: [BEFORE, IN_FREEZE, NOT_FROZEN],
    env: { CMDB_WEB_DIR: web.dir },
  });
  context = await browser.newContext({ baseURL: server.runtime.url, viewport: { width: 1280, height: 900 } });
}, 180_000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
  web?.remove();
});

/** A new page watching its errors, once its title is there. */
const open = (url: string) => openPage(context, url);

async function axe(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

describe('/changes', () => {
  it('opens on the current week with the freeze band named, and the change merged in it marked as a conflict', async () => {
    const { page, errors } = await open('/changes');
    await page.locator('.cal-summary').waitFor();
    expect(await page.locator('.cal-summary').textContent()).toBe('2 changes merged, 1 window, 1 conflict.');
    expect(await page.locator('.cal-day').count()).toBe(7);
    // The band is on every day of the week, labelled with the window's name.
    expect(await page.locator('.cal-day .band-freeze').allTextContents()).toEqual(Array(7).fill('Freeze: week-freeze'));
    const mondayCell = page.locator(`.cal-day[data-day="${dayOf(monday)}"]`);
    expect(await mondayCell.locator('.cal-change a').allTextContents()).toEqual(['Raise the db pool', 'Restyle the web']);
    expect(await mondayCell.locator('.cal-change.conflict').count()).toBe(1);
    expect(await mondayCell.locator('.cal-change.conflict').textContent()).toContain('Conflict: merged in freeze week-freeze.');
    expect(await mondayCell.locator('.cal-change.conflict a').textContent()).toBe('Raise the db pool');
    expect(await mondayCell.locator('.cal-change.conflict .risk').textContent()).toBe('risk high');
    expect(await page.locator(`.cal-day[data-day="${dayOf(now)}"]`).getAttribute('class')).toContain('cal-today');
    expect(await page.locator('.open-changes').textContent()).toContain('None evaluated');
    await page.waitForLoadState('networkidle');
    expect(await axe(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('switches to the month and back, each surviving a reload', async () => {
    const { page, errors } = await open('/changes');
    await page.locator('.cal-summary').waitFor();
    await page.getByRole('link', { name: 'Month', exact: true }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('view')).toBe('month');
    await page.reload();
    await page.locator('.calendar-month').waitFor();
    expect(await page.getByRole('link', { name: 'Month', exact: true }).getAttribute('aria-current')).toBe('page');
    expect((await page.locator('.cal-day').count()) % 7).toBe(0);
    expect(await page.locator('.cal-day').count()).toBeGreaterThanOrEqual(28);
    // The earlier change is in the month's grid when its day is shown, never as a conflict.
    await page.locator('.cal-summary').waitFor();
    expect(await page.locator('.cal-change.conflict a').allTextContents()).toEqual(['Raise the db pool']);
    await page.waitForLoadState('networkidle');
    expect(await axe(page)).toEqual([]);
    await page.getByRole('link', { name: 'Previous month' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('date')).not.toBeNull();
    await page.getByRole('link', { name: 'Week', exact: true }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('view')).toBeNull();
    await page.reload();
    await page.locator('.calendar-week').waitFor();
    expect(await page.locator('.cal-day').count()).toBe(7);
    await page.goBack();
    await page.locator('.calendar-month').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the previous week holds the earlier change, not marked', async () => {
    const { page } = await open(`/changes?date=${dayOf(monday - 7 * DAY)}`);
    await page.locator('.cal-summary').waitFor();
    expect(await page.locator('.cal-summary').textContent()).toBe('1 change merged, 0 windows, 0 conflicts.');
    expect(await page.locator('.cal-change a').allTextContents()).toEqual(['Tune the api']);
    expect(await page.locator('.cal-change.conflict').count()).toBe(0);
    expect(await page.locator('.band').count()).toBe(0);
    await page.close();
  });
});

describe('/changes/{id}', () => {
  it('opens from the calendar and shows the decision, approvals, lead time, commits, entities and caused incidents', async () => {
    const { page, errors } = await open('/changes');
    await page.getByRole('link', { name: 'Raise the db pool' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/changes/acme%2Fconfig%2342');
    await page.locator('dl.facts').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Raise the db poolChange acme/config#42');
    expect(await page.locator('dd.decision').textContent()).toBe('needs-approval');
    expect(await page.locator('dd.approvals').textContent()).toBe(`bob (last needed at ${IN_FREEZE.approvedAt})`);
    expect(await page.locator('dd.lead-time').textContent()).toBe('3 h 0 min');
    expect(await page.locator('dl.facts').textContent()).toContain('2222222222');
    expect(await page.getByRole('link', { name: 'resource:default/db' }).getAttribute('href')).toBe('/entities/resource:default/db');
    expect(await page.getByRole('link', { name: 'component:default/web' }).count()).toBe(1);
    await page.locator('section:has(#caused) p').waitFor();
    expect(await page.locator('section:has(#caused)').textContent()).toContain('None: this change is the top probable cause of no incident.');
    await page.waitForLoadState('networkidle');
    expect(await axe(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('an unknown id says so', async () => {
    const { page, errors } = await open('/changes/acme%2Fconfig%23999');
    await expect.poll(() => page.locator('main').textContent()).toContain('No change has the id acme/config#999.');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('home', () => {
  it('shows the active window and the open changes', async () => {
    const { page, errors } = await open('/');
    await expect.poll(() => page.locator('.glance-window').textContent()).toContain('week-freeze');
    expect(await page.locator('.card h3').allTextContents()).toContain('Active change window');
    await expect.poll(() => page.locator('.card:has(h3:text-is("Open changes")) dd').first().textContent()).toBe('0');
    expect(errors).toEqual([]);
    await page.close();
  });
});
