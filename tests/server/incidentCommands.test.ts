/**
 * How the API's incident mutations reach the engine (server/incidentCommands.ts),
 * with real parts: a running `cmdb serve --reconcile` (startRuntime) leads and
 * applies; a replica that does not lead queues in the state dir's inbox and
 * waits for the store to show the command applied, or answers NOT_AVAILABLE
 * when no leader applies it in time (the command stays queued).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCmdbError } from '../../core/errors.ts';
import { NotAppliedError } from '../../graph-api/context.ts';
import { createGraphqlHandler } from '../../graph-api/server.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { appliedInStore, incidentCommands, serverIncidentCommands } from '../../server/incidentCommands.ts';
import { startRuntime, type Runtime } from '../../server/Runtime.ts';
import { IncidentCommandInbox } from '../../state/IncidentCommandInbox.ts';
import type { IncidentCommand } from '../../state/IncidentRecords.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';
import { serveRoutes } from '../helpers/http.ts';
import { waitFor } from './support.ts';

const AM_TOKEN = 'alertmanager-token-for-the-port-test';
let repo: TestRepo;
let dir: string;
let stateDir: string;
let runtime: Runtime;

beforeAll(async () => {
  repo = TestRepo.create('cmdb-incident-port-');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-incident-port-state-'));
  stateDir = path.join(dir, 'state');
  repo.commit({ 'cmdb.yaml': stringify({ incidents: { for: '0s', resolveAfter: '1h' } }), 'api.yaml': entity('Component', 'api', { type: 'service', lifecycle: 'production' }) });
  runtime = await startRuntime({ flags: { repo: repo.dir, ref: 'main', stateDir, port: 0, poll: 0, reconcile: true }, env: { CMDB_ALERTMANAGER_TOKEN: AM_TOKEN }, log: pino({ level: 'silent' }), out: () => undefined });
  await waitFor('the engine leads', () => runtime.leadership.isLeader());
  const body = {
    version: '4', groupKey: 'g', truncatedAlerts: 0, status: 'firing', receiver: 'cmdb', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am',
    alerts: [{ status: 'firing', labels: { alertname: 'Down', cmdb_ref: 'component:default/api' }, annotations: { summary: 'api is down' }, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://p', fingerprint: 'fp' }],
  };
  const res = await fetch(`${runtime.url}/webhooks/alertmanager`, { method: 'POST', headers: { authorization: `Bearer ${AM_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  await waitFor('an incident', () => runtime.incidents!.store.incidents().length === 1);
}, 60_000);

afterAll(async () => {
  await runtime?.shutdown();
  repo?.remove();
  fs.rmSync(dir, { recursive: true, force: true });
});

const command = (over: Partial<IncidentCommand> = {}): IncidentCommand => ({ id: crypto.randomUUID(), type: 'note', incident: 'INC-1', by: 'carol', note: 'from a follower', at: new Date().toISOString(), ...over }) as IncidentCommand;
const refuse = () => Promise.reject(new Error('a follower does not apply'));

describe('on the leader', () => {
  it('IncidentPart.command applies through the engine; an unknown incident is the engine\'s usage error and writes nothing', async () => {
    const before = runtime.incidents!.store.incident('INC-1')!.revision;
    await runtime.incidents!.part.command(command({ by: 'dave', note: 'leader note' }));
    expect(runtime.incidents!.store.incident('INC-1')!.timeline.at(-1)).toMatchObject({ type: 'note', by: 'dave', note: 'leader note' });
    const error = await runtime.incidents!.part.command(command({ incident: 'INC-77' })).catch((e: unknown) => e);
    expect(isCmdbError(error) && error.code).toBe('usage');
    expect(runtime.incidents!.store.incident('INC-1')!.revision).toBe(before + 1);
    expect(runtime.incidents!.store.incident('INC-77')).toBeUndefined();
  });
});

describe('on a replica that does not lead', () => {
  it('queues in the state dir\'s inbox and resolves once the leader applied it (the store, opened once and read again at each poll, shows it)', async () => {
    let opened = 0;
    let reads = 0;
    const store = appliedInStore({ dir: stateDir });
    const port = incidentCommands({
      isLeader: () => false,
      apply: refuse,
      inbox: new IncidentCommandInbox({ dir: stateDir }),
      timeoutMs: 15_000,
      watch: async () => {
        opened++;
        const watch = await store();
        return { applied: (id) => (reads++, watch.applied(id)), close: () => watch.close() };
      },
    });
    const queued = command({ by: 'carol' });
    await port.submit(queued);
    // The leader reads the inbox every second: the follower polled more than once, on one read-only store.
    expect(reads).toBeGreaterThan(1);
    expect(opened).toBe(1);
    expect(runtime.incidents!.store.applied(queued.id)).toBe(true);
    expect(runtime.incidents!.store.incident('INC-1')!.timeline.at(-1)).toMatchObject({ type: 'note', by: 'carol', note: 'from a follower' });
  });

  it('without a leader applying: NotAppliedError after the timeout, the command stays queued; through GraphQL NOT_AVAILABLE', async () => {
    const lonely = path.join(dir, 'nobody-leads');
    const port = serverIncidentCommands({ dir: lonely, isLeader: () => false, apply: refuse, timeoutMs: 300 });
    const queued = command();
    const error = await port.submit(queued).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotAppliedError);
    expect((error as Error).message).toContain(queued.id);
    expect((await new IncidentCommandInbox({ dir: lonely }).read()).commands.map((e) => e.command.id)).toEqual([queued.id]);

    // The API on such a replica: the served store knows INC-1, the port cannot get it applied.
    const graphql = createGraphqlHandler({
      source: { store: new InMemoryGraphStore({}), incidents: runtime.incidents!.store, incidentCommands: port },
      logger: false,
      authenticate: async () => ({ name: 'erin', role: 'responder', via: 'token' }),
    });
    const server = await serveRoutes([{ methods: ['POST'], path: graphql.path, handler: graphql.handle }]);
    try {
      const before = runtime.incidents!.store.incident('INC-1')!.revision;
      const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'mutation { addIncidentNote(id: "INC-1", note: "hello") { id } }' }) });
      const answer = (await res.json()) as { errors?: Array<{ message: string; extensions?: { code?: string } }> };
      expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_AVAILABLE']);
      expect(answer.errors?.[0].message).toContain('stays queued');
      expect(runtime.incidents!.store.incident('INC-1')!.revision).toBe(before);
    } finally {
      await server.close();
      await graphql.dispose();
    }
  });
});
