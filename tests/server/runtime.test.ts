/**
 * The server as `cmdb serve` runs it (startRuntime), on a real Git repository,
 * answering real HTTP on 127.0.0.1: health, metrics, a broken commit served
 * with its violations, configuration from cmdb.yaml.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../server/Runtime.ts';
import { cmdb } from '../helpers/cli.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';

let repo: TestRepo;
let cacheDir: string;
let valid: string;
let broken: string;
const runtimes: Runtime[] = [];

const svc = (name: string, deps: string[]) => entity('Component', name, { type: 'service', lifecycle: 'production', owner: 'team', dependsOn: deps });

beforeAll(() => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-runtime-'));
  process.env.CMDB_CACHE_DIR = cacheDir;
  repo = TestRepo.create();
  valid = repo.commit({ 'team.yaml': entity('Group', 'team', { type: 'team' }), 'db.yaml': entity('Resource', 'db', { type: 'database', owner: 'team' }), 'api.yaml': svc('api', ['resource:db']) });
  // Two problems: a reference to nothing and a file that is not YAML; `web` and the rest are still served.
  broken = repo.commit({ 'web.yaml': svc('web', ['component:api', 'component:ghost']), 'bad.yaml': 'kind: [unclosed\n' });
});
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.shutdown()));
});
afterAll(() => {
  repo.remove();
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

/** A runtime on `ref` whose log lines are kept. */
async function start(ref: string, flags: Record<string, unknown> = {}): Promise<{ runtime: Runtime; lines: () => Array<Record<string, any>> }> {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(...String(chunk).split('\n').filter(Boolean)), done()) });
  const runtime = await startRuntime({ flags: { repo: repo.dir, ref, port: 0, poll: 0, ...flags }, env: {}, log: pino({ level: 'info' }, sink), out: () => undefined });
  runtimes.push(runtime);
  return { runtime, lines: () => lines.map((l) => JSON.parse(l)) };
}

const gql = async (url: string, query: string) => {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await res.json()) as { data?: any; errors?: unknown[] };
};

describe('health', () => {
  it('/livez is 200 while the process is up; /readyz and /healthz carry the commit, its entities and violations', async () => {
    const { runtime } = await start(valid);
    const live = await fetch(`${runtime.url}/livez`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok' });
    for (const p of ['/readyz', '/healthz']) {
      const res = await fetch(`${runtime.url}${p}`);
      expect(res.status, p).toBe(200);
      const body = await res.json();
      expect(body, p).toMatchObject({ status: 'ok', commit: valid, violations: 0, checks: { catalog: { ok: true, details: { commit: valid, entities: 3, violations: 0 } }, graphStore: { ok: true, message: 'memory' } } });
    }
  });
});

describe('a commit with violations', () => {
  it('is served (its valid part), counted in /readyz, listed by catalogViolations, and each violation is logged once', async () => {
    const { runtime, lines } = await start(broken);
    const ready = await fetch(`${runtime.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', commit: broken, violations: 2, checks: { catalog: { details: { violations: 2 } } } });

    const served = await gql(runtime.url, '{ entity(ref: "component:web") { ref } }');
    expect(served.data.entity).toEqual({ ref: 'component:default/web' });
    const listed = await gql(runtime.url, '{ catalogViolations { rule severity message ref file line column } }');
    expect(listed.errors).toBeUndefined();
    const byRule = Object.fromEntries(listed.data.catalogViolations.map((v: { rule: string }) => [v.rule, v]));
    expect(Object.keys(byRule).sort()).toEqual(['dangling-reference', 'yaml']);
    expect(byRule['dangling-reference']).toMatchObject({ severity: 'ERROR', ref: 'component:default/web', file: 'web.yaml' });
    expect(byRule['dangling-reference'].message).toContain('component:default/ghost');
    expect(byRule.yaml).toMatchObject({ severity: 'ERROR', file: 'bad.yaml' });
    // The same problems, at the same places, as `cmdb validate` reports.
    const validate = JSON.parse((await cmdb('validate', '--repo', repo.dir, '--ref', broken, '--format', 'json')).stdout) as { violations: Array<Record<string, unknown>> };
    const where = (v: Record<string, unknown>) => `${v.file}:${v.line}:${v.column} ${v.rule} ${v.message}`;
    expect(listed.data.catalogViolations.map(where).sort()).toEqual(validate.violations.map(where).sort());
    const errorsOnly = await gql(runtime.url, '{ catalogViolations(severity: WARNING) { rule } }');
    expect(errorsOnly.data.catalogViolations).toEqual([]);

    // Nothing new is logged when the same commit is looked at again.
    await runtime.follower.refresh();
    const logged = lines().filter((l) => l.rule !== undefined);
    expect(logged.map((l) => `${l.file}:${l.rule}`).sort()).toEqual(['bad.yaml:yaml', 'web.yaml:dangling-reference']);
    expect(logged.every((l) => l.commit === broken && l.level === 50)).toBe(true);
  });
});

describe('/metrics', () => {
  it('serves the Prometheus text format: process metrics, requests by route and status, the served catalog', async () => {
    const { runtime } = await start(broken);
    await fetch(`${runtime.url}/readyz`);
    await fetch(`${runtime.url}/nowhere`);
    const res = await fetch(`${runtime.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(text).toContain('cmdb_http_requests_total{route="/readyz",method="GET",status="200"} 1');
    expect(text).toContain('cmdb_http_requests_total{route="unmatched",method="GET",status="404"} 1');
    expect(text).toMatch(/^cmdb_catalog_sync_duration_seconds_count\{mode="rebuild"\} 1$/m);
    expect(text).toMatch(/^cmdb_catalog_violations 2$/m);
    expect(text).toMatch(/^cmdb_catalog_entities 4$/m);
    expect(text).toMatch(/^cmdb_catalog_commit_lag_seconds 0$/m);
    expect(text, 'no GitHub controller, no queue').not.toContain('cmdb_webhook_queue_depth');
  });

  it('keeps each server\'s metrics apart', async () => {
    const a = await start(valid);
    const b = await start(valid);
    await fetch(`${a.runtime.url}/livez`);
    const textB = await (await fetch(`${b.runtime.url}/metrics`)).text();
    expect(textB).not.toContain('route="/livez"');
  });

  it('times evaluation steps through the observer it hands out', async () => {
    const { runtime } = await start(valid);
    const onStep = runtime.metrics.stepObserver();
    onStep({ step: 'impact', ms: 12 });
    onStep({ step: 'policies', ms: 3, error: new Error('x') });
    const text = await runtime.metrics.registry.metrics();
    expect(text).toContain('cmdb_evaluation_step_seconds_count{step="impact",outcome="ok"} 1');
    expect(text).toContain('cmdb_evaluation_step_seconds_count{step="policies",outcome="error"} 1');
  });
});

describe('the GitHub App setup page', () => {
  it('is served at /setup/github without --github, with the manifest in its form', async () => {
    const { runtime } = await start(valid);
    const res = await fetch(`${runtime.url}/setup/github`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/<form[^>]+action="https:\/\/github\.com\/settings\/apps\/new\?state=/);
    expect(html).toContain('&quot;default_events&quot;');
    expect((await fetch(`${runtime.url}/setup/github`, { method: 'POST' })).status).toBe(405);
  });
});

describe('the event bus', () => {
  it('publishes catalogMoved when the followed revision moves', async () => {
    const branch = `follow-${Date.now()}`;
    repo.branch(branch, valid);
    const { runtime } = await start(branch);
    const seen: unknown[] = [];
    runtime.events.subscribe('catalogMoved', (e) => void seen.push(e.data));
    repo.git('update-ref', `refs/heads/${branch}`, broken);
    expect(await runtime.follower.refresh()).toBe(true);
    await runtime.events.settled();
    expect(seen).toEqual([expect.objectContaining({ commit: broken, previous: valid, entities: 4, violations: 2, mode: 'incremental' })]);
  });
});

describe('polling', () => {
  it('follows the revision when it moves, without being asked', async () => {
    const branch = `poll-${Date.now()}`;
    repo.branch(branch, valid);
    const { runtime } = await start(branch, { poll: 0.05 });
    const moved = new Promise((resolve) => runtime.events.subscribe('catalogMoved', (e) => resolve(e.data.commit)));
    repo.git('update-ref', `refs/heads/${branch}`, broken);
    expect(await moved).toBe(broken);
    expect(await runtime.graph.commit()).toBe(broken);
  });
});

describe('configuration', () => {
  it('takes the server section of cmdb.yaml, flags first', async () => {
    const withSettings = repo.commit({ 'cmdb.yaml': 'server:\n  shutdownTimeoutSeconds: 3\n  pollSeconds: 0\n' });
    const { runtime } = await start(withSettings, { poll: undefined });
    const polled = await start(withSettings, { poll: 5 });
    expect(polled.runtime.config.pollSeconds).toBe(5);
    expect(runtime.config).toMatchObject({ shutdownTimeoutSeconds: 3, pollSeconds: 0 });
    const flagged = await start(withSettings, { shutdownTimeout: 1 });
    expect(flagged.runtime.config.shutdownTimeoutSeconds).toBe(1);
  });

  it('refuses a bad setting in cmdb.yaml at its line and column, and listens on nothing', async () => {
    const bad = repo.commit({ 'cmdb.yaml': 'server:\n  pollSeconds: soon\n' });
    await expect(start(bad)).rejects.toMatchObject({ code: 'config', file: 'cmdb.yaml', line: 2, column: 3, message: 'server.pollSeconds must be a number of seconds from 0 to 2147483' });
  });
});
