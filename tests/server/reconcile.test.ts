/**
 * `cmdb serve --reconcile` as startRuntime runs it, on a real Git repository
 * whose component observes a real HTTP endpoint on 127.0.0.1: findings in the
 * state dir's store, on the bus and in the event log; /readyz and /metrics;
 * a restart keeps them without opening them again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CmdbEvent } from '../../core/events.ts';
import { startRuntime, type Runtime } from '../../server/Runtime.ts';
import { FileEventLog } from '../../state/FileEventLog.ts';
import { TestRepo } from '../helpers/gitRepo.ts';
import { Endpoint, findingKeyOf, observedCatalog, waitFor } from './support.ts';

let repo: TestRepo;
let cacheDir: string;
const runtimes: Runtime[] = [];
const endpoints: Endpoint[] = [];
const dirs: string[] = [];

beforeAll(() => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-reconcile-cache-'));
  process.env.CMDB_CACHE_DIR = cacheDir;
  repo = TestRepo.create();
});
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.shutdown()));
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
afterAll(() => {
  repo.remove();
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

async function endpoint(): Promise<Endpoint> {
  const e = await new Endpoint().listen();
  endpoints.push(e);
  return e;
}

function stateDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-reconcile-state-'));
  dirs.push(d);
  return d;
}

/** A runtime with --reconcile on `ref`; every findingChanged of its bus is kept. */
async function start(ref: string, dir: string, flags: Record<string, unknown> = {}) {
  const runtime = await startRuntime({ flags: { repo: repo.dir, ref, port: 0, poll: 0, stateDir: dir, reconcile: true, ...flags }, env: {}, log: pino({ level: 'silent' }), out: () => undefined });
  runtimes.push(runtime);
  const changes: Array<CmdbEvent<'findingChanged'>['data']> = [];
  runtime.events.subscribe('findingChanged', (e) => void changes.push(e.data));
  return { runtime, changes };
}

async function stop(runtime: Runtime): Promise<void> {
  runtimes.splice(runtimes.indexOf(runtime), 1);
  await runtime.shutdown();
}

/** The findingChanged events of the state dir's event log. */
async function loggedChanges(dir: string): Promise<Array<CmdbEvent<'findingChanged'>['data']>> {
  const log = new FileEventLog({ dir });
  await log.open();
  const events = await log.read(0);
  await log.close();
  return events.flatMap(({ event }) => (event.type === 'findingChanged' ? [event.data] : []));
}

describe('cmdb serve --reconcile', () => {
  it('reports a failing endpoint in the store, on the bus, in /readyz and /metrics, and resolves it when it recovers', async () => {
    const api = await endpoint();
    const commit = repo.commit(observedCatalog(api.url));
    const dir = stateDir();
    const { runtime, changes } = await start(commit, dir);
    const key = findingKeyOf(api.url);

    await waitFor('the finding', () => runtime.findings?.current().length === 1);
    expect(runtime.findings!.current()[0]).toMatchObject({ key, finding: { check: 'http', finding: 'unhealthy', ref: 'component:default/api', target: { url: api.url } } });
    await runtime.events.settled();
    expect(changes).toEqual([expect.objectContaining({ change: 'opened', key })]);

    const ready = await fetch(`${runtime.url}/readyz`);
    expect(ready.status, 'a finding is not a reason to be unready').toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      checks: {
        reconcilers: { ok: true, details: { leading: true, 'http.state': 'running', 'http.watched': 1, 'http.findings': 1, 'http.unknown': 0 } },
        leadership: { ok: true, details: { leading: true } },
      },
    });
    const metrics = await (await fetch(`${runtime.url}/metrics`)).text();
    expect(metrics).toMatch(/^cmdb_findings\{check="http",finding="unhealthy"\} 1$/m);
    expect(metrics).toMatch(/^cmdb_findings\{check="http",finding="unknown"\} 0$/m);
    expect(metrics).toMatch(/^cmdb_reconciler_objects_watched\{reconciler="http"\} 1$/m);
    expect(metrics).toMatch(/^cmdb_finding_changes_total\{check="http",change="opened"\} 1$/m);
    expect(metrics).toMatch(/^cmdb_reconcile_step_seconds_count\{reconciler="http",step="probe"\} [1-9]/m);
    expect(metrics).toMatch(/^cmdb_leader 1$/m);

    api.status = 200;
    await waitFor('the finding to be resolved', () => runtime.findings?.current().length === 0);
    await runtime.events.settled();
    expect(changes.map((c) => c.change)).toEqual(['opened', 'resolved']);
    expect(changes[1]).toMatchObject({ key, reason: 'fixed' });
    const after = await (await fetch(`${runtime.url}/metrics`)).text();
    expect(after).toMatch(/^cmdb_findings\{check="http",finding="unhealthy"\} 0$/m);
    expect((await loggedChanges(dir)).map((c) => c.change)).toEqual(['opened', 'resolved']);
  });

  it('resolves the findings of a binding the catalog drops (catalogMoved)', async () => {
    const api = await endpoint();
    const branch = `drop-${Date.now()}`;
    repo.branch(branch, repo.commit(observedCatalog(api.url)));
    const { runtime, changes } = await start(branch, stateDir());
    await waitFor('the finding', () => runtime.findings?.current().length === 1);
    repo.git('update-ref', `refs/heads/${branch}`, repo.commit({ 'api.yaml': undefined }));
    expect(await runtime.follower.refresh()).toBe(true);
    await waitFor('the finding to be resolved', () => runtime.findings?.current().length === 0);
    await runtime.events.settled();
    expect(changes.map((c) => `${c.change}${c.change === 'resolved' ? ` ${c.reason}` : ''}`)).toEqual(['opened', 'resolved binding-removed']);
    const ready = (await (await fetch(`${runtime.url}/readyz`)).json()) as { checks: { reconcilers: { details: Record<string, unknown> } } };
    expect(ready.checks.reconcilers.details['http.watched']).toBe(0);
  });

  it('keeps the current findings across a restart and does not open them again', async () => {
    const api = await endpoint();
    const commit = repo.commit(observedCatalog(api.url));
    const dir = stateDir();
    const first = await start(commit, dir);
    await waitFor('the finding', () => first.runtime.findings?.current().length === 1);
    const before = first.runtime.findings!.current();
    await stop(first.runtime);

    const second = await start(commit, dir);
    expect(second.runtime.findings!.current(), 'the store has the finding before any probe').toEqual(before);
    const probes = api.probes;
    await waitFor('three more probes', () => api.probes >= probes + 3);
    await second.runtime.events.settled();
    expect(second.changes, 'the finding open before the restart is not opened again').toEqual([]);
    expect(second.runtime.findings!.current()).toEqual(before);
    expect((await loggedChanges(dir)).map((c) => c.change)).toEqual(['opened']);
    const ready = (await (await fetch(`${second.runtime.url}/readyz`)).json()) as { checks: { reconcilers: { details: Record<string, unknown> } } };
    expect(ready.checks.reconcilers.details['http.findings']).toBe(1);
  });

  it('resolves, after a restart, a stored finding whose endpoint recovered while nobody reconciled', async () => {
    const api = await endpoint();
    const commit = repo.commit(observedCatalog(api.url));
    const dir = stateDir();
    const first = await start(commit, dir);
    await waitFor('the finding', () => first.runtime.findings?.current().length === 1);
    await stop(first.runtime);
    api.status = 200;

    const second = await start(commit, dir);
    await waitFor('the stored finding to be resolved', () => second.runtime.findings?.current().length === 0);
    await second.runtime.events.settled();
    expect(second.changes).toEqual([expect.objectContaining({ change: 'resolved', key: findingKeyOf(api.url), reason: 'fixed' })]);
    expect((await loggedChanges(dir)).map((c) => c.change)).toEqual(['opened', 'resolved']);
  });

  it('stops reconciling when this replica stops leading: no more probes, reconcilers idle, the findings kept', async () => {
    const api = await endpoint();
    const { runtime, changes } = await start(repo.commit(observedCatalog(api.url)), stateDir());
    await waitFor('the finding', () => runtime.findings?.current().length === 1);
    await runtime.leadership.stop();
    const probes = api.probes;
    api.status = 200;
    await new Promise((r) => setTimeout(r, 300));
    expect(api.probes, 'no probe after stopped-leading').toBe(probes);
    await runtime.events.settled();
    expect(changes.map((c) => c.change)).toEqual(['opened']);
    expect(runtime.findings!.current()).toHaveLength(1);
    const ready = await fetch(`${runtime.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, { details: Record<string, unknown> }> }).checks.reconcilers.details).toMatchObject({ leading: false, 'http.state': 'idle', 'http.watched': 0, 'http.findings': 1 });
    expect(await (await fetch(`${runtime.url}/metrics`)).text()).toMatch(/^cmdb_leader 0$/m);
  });

  it('without --reconcile runs no reconciler and declares no reconciler metrics', async () => {
    const api = await endpoint();
    const { runtime } = await start(repo.commit(observedCatalog(api.url)), stateDir(), { reconcile: undefined });
    expect(runtime.reconcilers).toBeUndefined();
    const metrics = await (await fetch(`${runtime.url}/metrics`)).text();
    expect(metrics).not.toContain('cmdb_findings');
    expect(metrics).toMatch(/^cmdb_leader 1$/m);
    expect(api.probes).toBe(0);
  });

  it('reconciles when cmdb.yaml says server.reconcile: true, and refuses a value that is not a boolean at its line', async () => {
    const api = await endpoint();
    const on = repo.commit({ ...observedCatalog(api.url), 'cmdb.yaml': 'server:\n  reconcile: true\n' });
    const { runtime } = await start(on, stateDir(), { reconcile: undefined });
    await waitFor('the finding', () => runtime.findings?.current().length === 1);
    const bad = repo.commit({ 'cmdb.yaml': 'server:\n  reconcile: often\n' });
    await expect(start(bad, stateDir(), { reconcile: undefined })).rejects.toMatchObject({ code: 'config', file: 'cmdb.yaml', line: 2, column: 3, message: 'server.reconcile must be true or false' });
  });
});
