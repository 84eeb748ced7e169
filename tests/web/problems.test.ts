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
import type { Page } from 'playwright-core';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../server/Runtime.ts';
import { entity } from '../helpers/gitRepo.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { startIncidentUi, TOKENS, type IncidentUi } from './incidentUi.ts';

const DB = 'resource:default/db';

let ui: IncidentUi;
let runtime: Runtime;
let incidents: string[] = [];

const team = { owner: 'group:team', lifecycle: 'production' };

beforeAll(async () => {
  ui = await startIncidentUi('cmdb-ui-problems', {
    'cmdb.yaml': stringify({ incidents: { for: '0s', resolveAfter: '0s', reopenWithin: '0s', problems: { count: 3, period: '7d' } } }),
    'team.yaml': entity('Group', 'team', { type: 'team' }),
    'db.yaml': entity('Resource', 'db', { type: 'database', criticality: 'high', ...team }, { title: 'Orders DB' }),
  });
  runtime = ui.runtime;
  const store = runtime.incidents!.store;
  // The database goes down and comes back three times: three incidents, the third opens a problem.
  for (let n = 1; n <= 3; n++) {
    expect(await ui.alerts('firing', [DB])).toBe(200);
    await waitFor(`incident ${n} open`, () => store.incidents({ ref: DB }).length === n && store.incidents({ ref: DB, state: 'unresolved' }).length === 1);
    expect(await ui.alerts('resolved', [DB])).toBe(200);
    await waitFor(`incident ${n} resolved`, () => store.incidents({ ref: DB, state: 'unresolved' }).length === 0);
  }
  await waitFor('the problem', () => store.problem('PRB-1'));
  incidents = store.incidents({ ref: DB }).map((i) => i.id).sort();
}, 180_000);

afterAll(async () => {
  await ui?.close();
});

/** A new page of `role`, once its live query is read and its subscription open. */
async function open(role: keyof typeof TOKENS, url: string): Promise<{ page: Page; errors: string[] }> {
  const opened = await ui.open(role, url);
  await expect.poll(() => opened.page.locator('[data-live]').first().getAttribute('data-live')).toBe('yes');
  return opened;
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
