/**
 * The incident pages' screenshots (docs/screenshots/incidents.png,
 * incident.png): a small repo (a database, the services depending on it, a
 * runbook) served with --reconcile, a change to the database, and
 * Alertmanager reporting the database and a service down; the Acme demo has
 * no incidents to show. Called by scripts/screenshots.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { startRuntime } from '../server/Runtime.ts';
import { entity, TestRepo } from '../tests/helpers/gitRepo.ts';
import { waitFor } from '../tests/helpers/waitFor.ts';

const AM_TOKEN = 'screenshots';

export async function incidentScreenshots(browser: Browser, webDir: string, out: string): Promise<void> {
  const repo = TestRepo.create('cmdb-shots-incidents-');
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-shots-incidents-state-'));
  const team = { owner: 'group:payments', lifecycle: 'production' };
  repo.commit({
    'cmdb.yaml': stringify({ incidents: { for: '0s', probableCause: { lookBack: '3650d' } } }),
    'team.yaml': entity('Group', 'payments', { type: 'team' }),
    'db.yaml': entity('Resource', 'orders-db', { type: 'database', criticality: 'high', ...team }, { title: 'Orders DB' }),
    'orders.yaml': entity('Component', 'orders', { type: 'service', criticality: 'critical', dependsOn: ['resource:orders-db'], ...team }),
    'checkout.yaml': entity('Component', 'checkout', { type: 'service', dependsOn: ['component:orders'], ...team }),
    'shop.yaml': entity('Component', 'shop', { type: 'website', criticality: 'medium', dependsOn: ['component:checkout'], ...team }),
    'reports.yaml': entity('Component', 'reports', { type: 'service', criticality: 'low', dependsOn: ['resource:orders-db'], ...team }),
    'runbooks/orders-db.md': '---\ntitle: Fail the orders database over\nentities: [resource:default/orders-db]\n---\n# Fail over\n',
  });
  const runtime = await startRuntime({
    flags: { repo: repo.dir, ref: 'main', stateDir: path.join(state, 'state'), port: 0, poll: 0, reconcile: true },
    env: { CMDB_ALERTMANAGER_TOKEN: AM_TOKEN, CMDB_WEB_DIR: webDir },
    log: pino({ level: 'silent' }),
    out: () => undefined,
  });
  try {
    await waitFor('the incident engine leads', () => runtime.leadership.isLeader());
    repo.commit({ 'db.yaml': entity('Resource', 'orders-db', { type: 'database', criticality: 'high', ...team }, { title: 'Orders DB', labels: { pool: 'max-200' } }) }, 'orders-db: raise max_connections');
    await runtime.follower.refresh();
    await waitFor('the change recorded', async () => ((await runtime.changes!.changes({})).length > 0 ? true : undefined));
    const alerts = ['resource:default/orders-db', 'component:default/orders'].map((ref) => ({
      status: 'firing', labels: { alertname: 'Down', cmdb_ref: ref }, annotations: { summary: `${ref} is down` },
      startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prometheus/graph', fingerprint: `fp-${ref}`,
    }));
    const body = { version: '4', groupKey: '{}:{alertname="Down"}', truncatedAlerts: 0, status: 'firing', receiver: 'cmdb', groupLabels: { alertname: 'Down' }, commonLabels: { alertname: 'Down' }, commonAnnotations: {}, externalURL: 'http://alertmanager:9093', alerts };
    const res = await fetch(new URL('/webhooks/alertmanager', runtime.url), { method: 'POST', headers: { authorization: `Bearer ${AM_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status !== 200) throw new Error(`Alertmanager's webhook answered ${res.status}`);
    const id = await waitFor('the incident', () => runtime.incidents!.store.incidents({ ref: 'resource:default/orders-db' })[0]?.id);
    for (const [file, url, wait] of [
      ['incidents.png', '/incidents', '[data-live="yes"]'],
      ['incident.png', `/incidents/${id}`, '.incident-graph[data-drawn="yes"]'],
    ] as const) {
      const context = await browser.newContext({ baseURL: runtime.url, viewport: { width: 1280, height: 860 } });
      const page = await context.newPage();
      await page.goto(url);
      await page.locator(wait).first().waitFor();
      await page.waitForTimeout(300); // the graph's layout settles (the page holds a stream open: never "network idle")
      await page.screenshot({ path: path.join(out, file), fullPage: true });
      process.stdout.write(`docs/screenshots/${file}\n`);
      await context.close();
    }
  } finally {
    await runtime.shutdown();
    repo.remove();
    fs.rmSync(state, { recursive: true, force: true });
  }
}
