/**
 * `cmdb serve --reconcile` serving a web build, over the change records and
 * incidents of tests/incidents/kpiFixture.ts written into its state dir
 * before it starts (as tests/graph-api/kpiServer.ts does, with the UI): for
 * tests/web/kpis.test.ts and the KPI screenshot (scripts/screenshots-kpis.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startRuntime, type Runtime } from '../../server/Runtime.ts';
import { FileChangeStore } from '../../state/FileChangeStore.ts';
import { FileIncidentStore } from '../../state/FileIncidentStore.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';
import { CHANGES, INCIDENTS } from '../incidents/kpiFixture.ts';

/** The fixture's catalog: api and db part of system shop, web of storefront; api owned by team-a, web and db by team-b. */
export async function serveKpiFixture(webDir: string): Promise<{ runtime: Runtime; close(): Promise<void> }> {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-kpis-web-cache-'));
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-kpis-web-state-'));
  process.env.CMDB_CACHE_DIR = cacheDir;
  const repo = TestRepo.create();
  repo.commit({
    'teams.yaml': [entity('Group', 'team-a', { type: 'team' }), entity('Group', 'team-b', { type: 'team' })].join('---\n'),
    'systems.yaml': [entity('System', 'shop', { owner: 'team-a' }), entity('System', 'storefront', { owner: 'team-b' })].join('---\n'),
    'api.yaml': entity('Component', 'api', { type: 'service', lifecycle: 'production', owner: 'team-a', system: 'shop' }),
    'web.yaml': entity('Component', 'web', { type: 'website', lifecycle: 'production', owner: 'team-b', system: 'storefront' }),
    'db.yaml': entity('Resource', 'db', { type: 'database', owner: 'team-b', system: 'shop' }),
  });
  const changes = new FileChangeStore({ dir: stateDir });
  for (const record of CHANGES) await changes.recordChange(record);
  await changes.close();
  const incidents = new FileIncidentStore({ dir: stateDir });
  await incidents.open();
  await incidents.commit({ incidents: INCIDENTS });
  await incidents.close();
  const runtime = await startRuntime({
    flags: { repo: repo.dir, ref: 'main', port: 0, poll: 0, stateDir, reconcile: true },
    env: { CMDB_WEB_DIR: webDir },
    log: pino({ level: 'silent' }),
    out: () => undefined,
  });
  const close = async () => {
    await runtime.shutdown();
    repo.remove();
    for (const d of [stateDir, cacheDir]) fs.rmSync(d, { recursive: true, force: true });
  };
  return { runtime, close };
}
