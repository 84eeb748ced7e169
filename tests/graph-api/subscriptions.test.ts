/**
 * GraphQL subscriptions over Server-Sent Events against `cmdb serve` as
 * startRuntime wires it (real Git repository, real HTTP on 127.0.0.1, a real
 * SSE client): the catalog moving on a followed commit, an incident opened by
 * an Alertmanager alert, a change record, authentication, and a closed
 * stream giving its bus listener back.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InMemoryEventBus } from '../../core/InMemoryEventBus.ts';
import { sha256Hex } from '../../server/auth/tokensFile.ts';
import type { ServeFlags } from '../../server/config.ts';
import { startRuntime, type Runtime } from '../../server/Runtime.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { subscribe } from './sseClient.ts';

const ALERTMANAGER_TOKEN = 'alertmanager-subscriptions-token';
const VIEWER_TOKEN = 'viewer-subscriptions-token';

let repo: TestRepo;
let dir: string;
const runtimes: Runtime[] = [];

beforeAll(() => {
  repo = TestRepo.create('cmdb-subs-');
  repo.commit({
    'cmdb.yaml': stringify({ incidents: { for: '0s' } }),
    'team.yaml': entity('Group', 'team', { type: 'team' }),
    'api.yaml': entity('Component', 'api', { type: 'service', lifecycle: 'production', owner: 'team' }),
  });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-subs-state-'));
});
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.shutdown()));
  repo?.remove();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function start(flags: ServeFlags = {}, env: NodeJS.ProcessEnv = {}): Promise<{ runtime: Runtime; base: string }> {
  const runtime = await startRuntime({ flags: { repo: repo.dir, ref: 'main', port: 0, poll: 0, ...flags }, env, log: pino({ level: 'silent' }), out: () => undefined });
  runtimes.push(runtime);
  return { runtime, base: `http://127.0.0.1:${new URL(runtime.url).port}` };
}

const metric = async (base: string, name: string): Promise<number> => {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
};

describe('catalogMoved', () => {
  it('arrives when the followed branch gets a commit (polled)', async () => {
    const { runtime, base } = await start({ poll: 1 });
    const first = runtime.follower.snapshot!.commit;
    const sub = await subscribe(base, 'subscription { catalogMoved { commit previous entities violations mode at } }');
    expect(sub.status).toBe(200);
    expect(sub.headers.get('content-type')).toContain('text/event-stream');
    await waitFor('the subscription to listen', async () => (await metric(base, 'cmdb_graphql_subscriptions')) === 1);
    const next = repo.commit({ 'db.yaml': entity('Component', 'db', { type: 'database', lifecycle: 'production', owner: 'team' }) }, 'add db');
    const event = await sub.next();
    expect(event.errors).toBeUndefined();
    expect(event.data.catalogMoved).toMatchObject({ commit: next, previous: first, entities: 3, violations: 0, mode: 'INCREMENTAL' });
    expect(Date.parse(event.data.catalogMoved.at)).not.toBeNaN();
    sub.close();
  });
});

describe('shutdown', () => {
  it('ends the open subscriptions: shutdown does not wait for them and the client sees the stream end', async () => {
    const { runtime, base } = await start();
    const sub = await subscribe(base, 'subscription { catalogMoved { commit } }');
    await waitFor('the subscription to listen', async () => (await metric(base, 'cmdb_graphql_subscriptions')) === 1);
    await runtime.shutdown();
    await expect(sub.next(5000)).rejects.toThrow(/ended|completed/);
  });
});

describe('incidentChanged', () => {
  it('arrives when an Alertmanager alert opens an incident; a filter on another id hears nothing of it', async () => {
    const { base } = await start({ reconcile: true, stateDir: path.join(dir, 'incidents') }, { CMDB_ALERTMANAGER_TOKEN: ALERTMANAGER_TOKEN });
    const sub = await subscribe(base, 'subscription { incidentChanged { id change state title severity root revision } }');
    const other = await subscribe(base, 'subscription($id: ID) { incidentChanged(id: $id) { id } }', { variables: { id: 'no-such-incident' } });
    await waitFor('both subscriptions to listen', async () => (await metric(base, 'cmdb_graphql_subscriptions')) === 2);
    const alert = {
      version: '4', groupKey: '{}:{alertname="ApiDown"}', truncatedAlerts: 0, status: 'firing', receiver: 'cmdb',
      groupLabels: { alertname: 'ApiDown' }, commonLabels: { alertname: 'ApiDown' }, commonAnnotations: {}, externalURL: 'http://alertmanager:9093',
      alerts: [{ status: 'firing', labels: { alertname: 'ApiDown', cmdb_ref: 'component:default/api' }, annotations: { summary: 'api is down' }, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prometheus/graph', fingerprint: 'fp-api' }],
    };
    const res = await fetch(`${base}/webhooks/alertmanager`, { method: 'POST', headers: { authorization: `Bearer ${ALERTMANAGER_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(alert) });
    expect(res.status).toBe(200);
    const event = await sub.next();
    expect(event.errors).toBeUndefined();
    expect(event.data.incidentChanged).toMatchObject({ change: 'OPENED', state: 'OPEN', root: 'component:default/api', revision: expect.any(Number) });
    expect(event.data.incidentChanged.id).toEqual(expect.any(String));
    expect(other.received).toEqual([]);
    sub.close();
    other.close();
  });
});

describe('authentication and listeners', () => {
  let base: string;
  let runtime: Runtime;
  beforeAll(async () => {
    const tokens = path.join(dir, 'tokens.yaml');
    fs.writeFileSync(tokens, `tokens:\n  - { name: grafana, role: viewer, sha256: ${sha256Hex(VIEWER_TOKEN)} }\n`);
    ({ base, runtime } = await start({ tokens, anonymousRead: false }));
  });
  const bus = () => runtime.events as InMemoryEventBus;
  const changeRecorded = (id: string) => ({ id, repository: 'acme/config', number: 7, mergeCommit: 'abc123', decision: 'pass' as const });

  it('without credentials when anonymous reads are off: UNAUTHENTICATED (HTTP 401), the stream completes and nothing listens', async () => {
    const listeners = bus().listenerCount();
    const sub = await subscribe(base, 'subscription { changeRecorded { id } }');
    expect(sub.status).toBe(401);
    expect(sub.headers.get('www-authenticate')).toBe('Bearer');
    const answer = await sub.next();
    expect(answer.data ?? undefined).toBeUndefined();
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    await waitFor('the stream to complete', () => sub.completed);
    expect(bus().listenerCount()).toBe(listeners);
    expect(await metric(base, 'cmdb_graphql_subscriptions')).toBe(0);
  });

  it('with a viewer token: each changeRecorded (of the repository asked for) arrives with the time it was published', async () => {
    const sub = await subscribe(base, 'subscription { changeRecorded(repository: "acme/config") { id repository number mergeCommit decision at } }', { authorization: `Bearer ${VIEWER_TOKEN}` });
    expect(sub.status).toBe(200);
    await waitFor('the subscription to listen', async () => (await metric(base, 'cmdb_graphql_subscriptions')) === 1);
    runtime.events.publish('changeRecorded', { ...changeRecorded('c-other'), repository: 'acme/other' });
    const published = runtime.events.publish('changeRecorded', changeRecorded('c-1'));
    const event = await sub.next();
    expect(event.data.changeRecorded).toEqual({ id: 'c-1', repository: 'acme/config', number: 7, mergeCommit: 'abc123', decision: 'pass', at: published.at });
    sub.close();
    await waitFor('the subscription to end', async () => (await metric(base, 'cmdb_graphql_subscriptions')) === 0);
  });

  it('closing the stream gives the bus listener back', async () => {
    const listeners = bus().listenerCount();
    const subs = await Promise.all([1, 2, 3].map(() => subscribe(base, 'subscription { findingChanged { key } }', { authorization: `Bearer ${VIEWER_TOKEN}` })));
    await waitFor('three more listeners', () => bus().listenerCount() === listeners + 3);
    expect(await metric(base, 'cmdb_graphql_subscriptions')).toBe(3);
    for (const s of subs) s.close();
    await waitFor('the listeners to be given back', () => bus().listenerCount() === listeners);
    expect(await metric(base, 'cmdb_graphql_subscriptions')).toBe(0);
  });
});
