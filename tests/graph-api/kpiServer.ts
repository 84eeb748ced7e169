/**
 * `cmdb serve --reconcile` (startRuntime on a real Git repository, real
 * HTTP) over the change records and incidents of
 * tests/incidents/kpiFixture.ts, written into the state dir's
 * FileChangeStore and FileIncidentStore before the server starts.
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

export interface KpiServer {
  runtime: Runtime;
  gql(query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> }>;
  close(): Promise<void>;
}

/**
 * The fixture's catalog: api and db part of system shop, web of storefront;
 * api owned by team-a, web and db by team-b. `webDir`: a web build to serve
 * too (tests/web, the KPI screenshot).
 */
export async function startKpiServer(options: { webDir?: string } = {}): Promise<KpiServer> {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-kpis-cache-'));
  process.env.CMDB_CACHE_DIR = cacheDir;
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-kpis-state-'));
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
  const env = options.webDir ? { CMDB_WEB_DIR: options.webDir } : {};
  const runtime = await startRuntime({ flags: { repo: repo.dir, ref: 'main', port: 0, poll: 0, stateDir, reconcile: true }, env, log: pino({ level: 'silent' }), out: () => undefined });
  const gql: KpiServer['gql'] = async (query, variables) => {
    const res = await fetch(`${runtime.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as Awaited<ReturnType<KpiServer['gql']>>;
  };
  const close = async () => {
    await runtime.shutdown();
    repo.remove();
    for (const d of [stateDir, cacheDir]) fs.rmSync(d, { recursive: true, force: true });
  };
  return { runtime, gql, close };
}
