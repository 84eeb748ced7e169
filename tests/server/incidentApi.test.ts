/**
 * Incidents and problems through the GraphQL API of a running server
 * (startRuntime --reconcile on a real Git repo, a state dir, real HTTP on
 * 127.0.0.1): incidents driven by Alertmanager's route, read with
 * `incidents`/`incident`/`problems`, changed by every role through every
 * mutation (viewer and nobody change nothing), the timeline naming who did
 * it, and a page of 100 incidents with their roots loaded in a bounded number
 * of graph store calls.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRuntime, type Runtime } from '../../server/Runtime.ts';
import { sha256Hex } from '../../server/auth/tokensFile.ts';
import type { Incident } from '../../state/IncidentRecords.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';
import { codes, gql } from './authSupport.ts';
import { waitFor } from './support.ts';

const AM_TOKEN = 'alertmanager-token-for-the-api-test';
const TOKENS = { viewer: 'cmdb_viewer-0001', responder: 'cmdb_responder-0002', admin: 'cmdb_admin-0003' };
const AS = { viewer: `Bearer ${TOKENS.viewer}`, responder: `Bearer ${TOKENS.responder}`, admin: `Bearer ${TOKENS.admin}` };
const N = 100;

let repo: TestRepo;
let dir: string;
let runtime: Runtime;
let base: string;
let changeCommit: string;

beforeAll(async () => {
  repo = TestRepo.create('cmdb-incident-api-');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-incident-api-state-'));
  const files: Record<string, string> = {
    'cmdb.yaml': stringify({ incidents: { for: '0s', resolveAfter: '1h', reopenWithin: '0s', problems: { count: 2, period: '7d' }, probableCause: { lookBack: '3650d' } } }),
    'team.yaml': entity('Group', 'team', { type: 'team' }),
  };
  // (lookBack: the engine fetches change records by mergedAt, which the test repo's fixed commit date puts in January.)
  for (let i = 0; i < N; i++) files[`svc-${i}.yaml`] = entity('Component', `svc-${i}`, svcSpec(i));
  repo.commit(files);
  const tokens = path.join(dir, 'tokens.yaml');
  fs.writeFileSync(
    tokens,
    stringify({ tokens: [{ name: 'grafana', role: 'viewer', sha256: sha256Hex(TOKENS.viewer) }, { name: 'pager-bot', role: 'responder', sha256: sha256Hex(TOKENS.responder) }, { name: 'alice', role: 'admin', sha256: sha256Hex(TOKENS.admin) }] }),
  );
  runtime = await startRuntime({
    flags: { repo: repo.dir, ref: 'main', stateDir: path.join(dir, 'state'), port: 0, poll: 0, reconcile: true, tokens, anonymousRead: false },
    env: { CMDB_ALERTMANAGER_TOKEN: AM_TOKEN },
    log: pino({ level: 'silent' }),
    out: () => undefined,
  });
  base = `http://127.0.0.1:${new URL(runtime.url).port}`;
  await waitFor('the incident engine leads', () => runtime.leadership.isLeader());
  // svc-0 changes after the server started: the branch's move is a change record, the probable cause of svc-0's incident.
  changeCommit = repo.commit({ 'svc-0.yaml': entity('Component', 'svc-0', svcSpec(0), { title: 'Service 0' }) }, 'svc-0: a title');
  await runtime.follower.refresh();
  await waitFor('the change recorded', async () => ((await runtime.changes!.changes({})).length > 0 ? true : undefined));
  // One Alertmanager notification, one alert per service: unrelated services, so 100 incidents.
  expect(await alerts('firing', [...Array(N).keys()])).toBe(200);
  await waitFor('100 incidents', () => store().incidents().length === N);
}, 60_000);

afterAll(async () => {
  await runtime?.shutdown();
  repo?.remove();
  fs.rmSync(dir, { recursive: true, force: true });
});

const store = () => runtime.incidents!.store;
/** Services of every criticality (an incident's severity is its root's here: the services are unrelated). */
function svcSpec(i: number) {
  const criticality = [undefined, 'critical', 'high', 'medium', 'high'][i % 5];
  return { type: 'service', lifecycle: 'production', owner: 'team', ...(criticality ? { criticality } : {}) };
}
const incidentOf = (svc: number): Incident => store().incidents({ ref: `component:default/svc-${svc}` })[0];

/** Alertmanager's webhook with one alert per service. */
async function alerts(status: 'firing' | 'resolved', services: number[]): Promise<number> {
  const body = {
    version: '4', groupKey: '{}:{alertname="Down"}', truncatedAlerts: 0, status, receiver: 'cmdb', groupLabels: { alertname: 'Down' }, commonLabels: { alertname: 'Down' }, commonAnnotations: {}, externalURL: 'http://alertmanager:9093',
    alerts: services.map((i) => ({
      status, labels: { alertname: 'Down', cmdb_ref: `component:default/svc-${i}` }, annotations: { summary: `svc-${i} is down` },
      startsAt: new Date().toISOString(), endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : new Date().toISOString(), generatorURL: 'http://prometheus/graph', fingerprint: `fp${i}`,
    })),
  };
  const res = await fetch(`${base}/webhooks/alertmanager`, { method: 'POST', headers: { authorization: `Bearer ${AM_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.status;
}

const INCIDENT = 'id state title severity rootRef root { ref title owner { ref } } correlated { ref } impacted { ref distance entity { ref } } probableCauses { change { id number commits title recordedAt } reason dismissed { by note } } runbooks { path } timeline { type by message note } problemId openedAt acknowledgedAt resolvedAt signals { ref source kind field state }';

describe('queries', () => {
  it('incidents: newest first, paged with first/after, filtered by state and entity; every root an Entity', async () => {
    const page1 = await gql(base, `{ incidents(first: 30) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id rootRef root { ref } } } } }`, AS.viewer);
    expect(page1.errors).toBeUndefined();
    const c1 = page1.data.incidents;
    expect(c1.totalCount).toBe(N);
    expect(c1.edges).toHaveLength(30);
    expect(c1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const expected = store().incidents().map((i) => i.id);
    expect(c1.edges.map((e: any) => e.node.id)).toEqual(expected.slice(0, 30));
    for (const e of c1.edges) expect(e.node.root).toEqual({ ref: e.node.rootRef });
    const page2 = (await gql(base, `{ incidents(first: 80, after: "${c1.pageInfo.endCursor}") { pageInfo { hasNextPage hasPreviousPage } nodes { id } } }`, AS.viewer)).data.incidents;
    expect(page2.nodes.map((n: any) => n.id)).toEqual(expected.slice(30));
    expect(page2.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });

    const one = (await gql(base, `{ incidents(entity: "svc-7", state: OPEN) { totalCount nodes { id rootRef } } }`, AS.viewer)).data.incidents;
    expect(one).toEqual({ totalCount: 1, nodes: [{ id: incidentOf(7).id, rootRef: 'component:default/svc-7' }] });
    expect((await gql(base, '{ incidents(state: RESOLVED) { totalCount } }', AS.viewer)).data.incidents.totalCount).toBe(store().incidents({ state: 'resolved' }).length);
  });

  it('incidents: counted by severity over all pages (highest first), and filtered by severity', async () => {
    const unresolved = store().incidents({ state: 'unresolved' });
    const count = (severity: string) => unresolved.filter((i) => i.severity === severity).length;
    const severities = ['critical', 'high', 'medium', 'low'].filter((s) => count(s) > 0);
    expect(severities.length).toBeGreaterThanOrEqual(3);
    const all = await gql(base, '{ incidents(state: UNRESOLVED, first: 1) { totalCount nodes { id } bySeverity { severity count } } }', AS.viewer);
    expect(all.errors).toBeUndefined();
    expect(all.data.incidents.nodes).toHaveLength(1);
    expect(all.data.incidents.bySeverity).toEqual(severities.map((s) => ({ severity: s.toUpperCase(), count: count(s) })));
    expect(all.data.incidents.totalCount).toBe(unresolved.length);

    const high = (await gql(base, '{ incidents(state: UNRESOLVED, severity: HIGH, first: 200) { totalCount nodes { id severity } bySeverity { severity count } } }', AS.viewer)).data.incidents;
    expect(high.nodes.map((n: any) => n.id)).toEqual(unresolved.filter((i) => i.severity === 'high').map((i) => i.id));
    expect(new Set(high.nodes.map((n: any) => n.severity))).toEqual(new Set(['HIGH']));
    expect(high.totalCount).toBe(count('high'));
    expect(high.bySeverity).toEqual([{ severity: 'HIGH', count: count('high') }]);
    expect(codes(await gql(base, '{ incidents(severity: SEVERE) { totalCount } }', AS.viewer))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('incidents: `first` is capped, a cursor this API did not issue is BAD_USER_INPUT', async () => {
    expect(codes(await gql(base, '{ incidents(first: 201) { totalCount } }', AS.viewer))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(base, '{ incidents(first: -1) { totalCount } }', AS.viewer))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(base, '{ incidents(after: "bm9wZQ") { totalCount } }', AS.viewer))).toEqual(['BAD_USER_INPUT']);
    expect((await gql(base, '{ incidents { nodes { id } } }', AS.viewer)).data.incidents.nodes).toHaveLength(20);
  });

  it('incident(id): the incident view, entities resolved, the change it probably came from', async () => {
    const id = incidentOf(0).id;
    const answer = await gql(base, `{ incident(id: "${id.toLowerCase()}") { ${INCIDENT} } unknown: incident(id: "INC-99999") { id } }`, AS.viewer);
    expect(answer.errors).toBeUndefined();
    const inc = answer.data.incident;
    expect(inc).toMatchObject({ id, state: 'OPEN', rootRef: 'component:default/svc-0', root: { ref: 'component:default/svc-0', title: 'Service 0', owner: { ref: 'group:default/team' } }, correlated: [], acknowledgedAt: null });
    expect(inc.signals).toEqual([{ ref: 'component:default/svc-0', source: 'alertmanager', kind: 'alert', field: 'Down', state: 'firing' }]);
    expect(inc.timeline[0]).toMatchObject({ type: 'opened', by: 'cmdb' });
    const [change] = await runtime.changes!.changes({});
    expect(inc.probableCauses).toHaveLength(1);
    expect(inc.probableCauses[0].change).toMatchObject({ id: change.id, commits: [changeCommit], title: 'svc-0: a title' });
    expect(answer.data.unknown).toBeNull();
  });

  it('findings: the reconcilers\' current findings (none bound here), of one entity with ref', async () => {
    const answer = await gql(base, '{ all: findings { key } one: findings(ref: "svc-1") { key } }', AS.viewer);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ all: [], one: [] });
  });

  it('a page of 100 incidents with their roots, owners and impact entities makes a bounded number of graph store calls', async () => {
    const getEntity = vi.spyOn(runtime.graph, 'getEntity');
    const getEntities = vi.spyOn(runtime.graph, 'getEntities');
    try {
      const answer = await gql(base, `{ incidents(first: ${N}) { nodes { id root { ref owner { ref } } impacted { entity { ref } } } } }`, AS.viewer);
      expect(answer.errors).toBeUndefined();
      const nodes = answer.data.incidents.nodes;
      expect(nodes).toHaveLength(N);
      expect(new Set(nodes.map((n: any) => n.root.ref)).size).toBe(N);
      expect(nodes.every((n: any) => n.root.owner.ref === 'group:default/team')).toBe(true);
      // One call for the roots (with the impacted entities, asked for in the same tick), one for the owners: not one per incident.
      expect(getEntity).not.toHaveBeenCalled();
      expect(getEntities.mock.calls.length).toBe(2);
      expect(getEntities.mock.calls.flatMap((c) => c[0]).filter((r) => r.startsWith('component:')).length).toBe(N);
    } finally {
      getEntity.mockRestore();
      getEntities.mockRestore();
    }
  });
});

const MUTATIONS = {
  acknowledgeIncident: (id: string) => `mutation { acknowledgeIncident(id: "${id}", note: "on it") { id state timeline { type by note } } }`,
  addIncidentNote: (id: string) => `mutation { addIncidentNote(id: "${id}", note: "a note") { id timeline { type by note } } }`,
  resolveIncident: (id: string) => `mutation { resolveIncident(id: "${id}", note: "fixed") { id state resolvedAt timeline { type by note } } }`,
};

describe('mutations: who may do what', () => {
  it('nobody (UNAUTHENTICATED, 401), a refused token (UNAUTHENTICATED) and a viewer (FORBIDDEN) change nothing through any mutation', async () => {
    const target = incidentOf(10);
    const change = (await runtime.changes!.changes({}))[0].id;
    const texts = [
      ...Object.values(MUTATIONS).map((m) => m(target.id)),
      `mutation { dismissProbableCause(incident: "${incidentOf(0).id}", change: "${change}") { id } }`,
      `mutation { updateProblem(id: "PRB-1", workaround: "restart") { id } }`,
    ];
    const before = JSON.stringify(store().incidents()) + JSON.stringify(store().problems());
    for (const text of texts) {
      const nobody = await gql(base, text);
      expect(nobody.status, text).toBe(401);
      expect(codes(nobody), text).toEqual(['UNAUTHENTICATED']);
      expect(codes(await gql(base, text, 'Bearer cmdb_not-a-token')), text).toEqual(['UNAUTHENTICATED']);
      const viewer = await gql(base, text, AS.viewer);
      expect(codes(viewer), text).toEqual(['FORBIDDEN']);
      expect(viewer.errors?.[0].message).toBe('Forbidden: this needs the responder role; grafana has viewer.');
    }
    expect(JSON.stringify(store().incidents()) + JSON.stringify(store().problems())).toBe(before);
  });

  for (const [role, name] of [['responder', 'pager-bot'], ['admin', 'alice']] as const) {
    it(`${role}: acknowledges, notes and resolves; the timeline says ${name} did it`, async () => {
      const target = incidentOf(role === 'responder' ? 11 : 12);
      const ack = await gql(base, MUTATIONS.acknowledgeIncident(target.id), AS[role]);
      expect(ack.errors).toBeUndefined();
      expect(ack.data.acknowledgeIncident.state).toBe('ACKNOWLEDGED');
      expect(ack.data.acknowledgeIncident.timeline.at(-1)).toEqual({ type: 'acknowledged', by: name, note: 'on it' });
      const note = await gql(base, MUTATIONS.addIncidentNote(target.id), AS[role]);
      expect(note.data.addIncidentNote.timeline.at(-1)).toEqual({ type: 'note', by: name, note: 'a note' });
      const resolve = await gql(base, MUTATIONS.resolveIncident(target.id), AS[role]);
      expect(resolve.data.resolveIncident).toMatchObject({ state: 'RESOLVED' });
      expect(resolve.data.resolveIncident.timeline.at(-1)).toEqual({ type: 'resolved', by: name, note: 'fixed' });
      // What the API answered is what the store keeps.
      const kept = store().incident(target.id)!;
      expect(kept.state).toBe('resolved');
      expect(kept.timeline.slice(-3).map((e) => [e.type, e.by])).toEqual([['acknowledged', name], ['note', name], ['resolved', name]]);
      // A resolved incident cannot be acknowledged or resolved again; nothing is recorded.
      const revision = kept.revision;
      expect(codes(await gql(base, MUTATIONS.acknowledgeIncident(target.id), AS[role]))).toEqual(['BAD_USER_INPUT']);
      expect(codes(await gql(base, MUTATIONS.resolveIncident(target.id), AS[role]))).toEqual(['BAD_USER_INPUT']);
      expect(store().incident(target.id)!.revision).toBe(revision);
    });
  }

  it('unknown ids are NOT_FOUND, an empty note BAD_USER_INPUT; nothing changes', async () => {
    const before = JSON.stringify(store().incidents());
    for (const m of Object.values(MUTATIONS)) expect(codes(await gql(base, m('INC-4242'), AS.responder))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(base, `mutation { dismissProbableCause(incident: "${incidentOf(0).id}", change: "no-such-change") { id } }`, AS.responder))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(base, 'mutation { updateProblem(id: "PRB-4242", state: RESOLVED) { id } }', AS.responder))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(base, `mutation { addIncidentNote(id: "${incidentOf(13).id}", note: "   ") { id } }`, AS.responder))).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(store().incidents())).toBe(before);
  });

  it('dismissProbableCause (responder): the cause is marked dismissed by the caller; a second time is BAD_USER_INPUT', async () => {
    const id = incidentOf(0).id;
    const change = (await runtime.changes!.changes({}))[0].id;
    const answer = await gql(base, `mutation { dismissProbableCause(incident: "${id}", change: "${change}", note: "only a title") { probableCauses { change { id } dismissed { by note } } timeline { type by note } } }`, AS.responder);
    expect(answer.errors).toBeUndefined();
    expect(answer.data.dismissProbableCause.probableCauses).toEqual([{ change: { id: change }, dismissed: { by: 'pager-bot', note: 'only a title' } }]);
    expect(answer.data.dismissProbableCause.timeline.at(-1)).toEqual({ type: 'cause-dismissed', by: 'pager-bot', note: 'only a title' });
    expect(codes(await gql(base, `mutation { dismissProbableCause(incident: "${id}", change: "${change}") { id } }`, AS.admin))).toEqual(['BAD_USER_INPUT']);
  });

  it('updateProblem: a problem of recurring incidents, its state and workaround set by responder and admin', async () => {
    // svc-20 fails, is resolved by a person, clears, fails again: two incidents of one root and kind make a problem.
    const first = incidentOf(20).id;
    expect((await gql(base, MUTATIONS.resolveIncident(first), AS.responder)).errors).toBeUndefined();
    expect(await alerts('resolved', [20])).toBe(200);
    expect(await alerts('firing', [20])).toBe(200);
    const problem = await waitFor('a problem', () => store().problems().find((p) => p.root === 'component:default/svc-20'));
    const read = await gql(base, `{ problems { id } problem(id: "${problem.id}") { id state rootRef root { ref } kind incidents { id } } }`, AS.viewer);
    expect(read.errors).toBeUndefined();
    expect(read.data.problems.map((p: any) => p.id)).toContain(problem.id);
    expect(read.data.problem).toMatchObject({ id: problem.id, state: 'OPEN', rootRef: 'component:default/svc-20', root: { ref: 'component:default/svc-20' }, kind: 'alert' });
    expect(read.data.problem.incidents.map((i: any) => i.id)).toContain(first);

    const known = await gql(base, `mutation { updateProblem(id: "${problem.id}", state: KNOWN_ERROR, workaround: "restart svc-20", note: "memory leak") { state workaround timeline { by note } } }`, AS.responder);
    expect(known.errors).toBeUndefined();
    expect(known.data.updateProblem).toMatchObject({ state: 'KNOWN_ERROR', workaround: 'restart svc-20' });
    expect(known.data.updateProblem.timeline.at(-1)).toEqual({ by: 'pager-bot', note: 'memory leak' });
    const resolved = await gql(base, `mutation { updateProblem(id: "${problem.id}", state: RESOLVED) { state resolvedAt timeline { by } } }`, AS.admin);
    expect(resolved.data.updateProblem.state).toBe('RESOLVED');
    expect(resolved.data.updateProblem.timeline.at(-1).by).toBe('alice');
    expect(codes(await gql(base, `mutation { updateProblem(id: "${problem.id}") { id } }`, AS.admin))).toEqual(['BAD_USER_INPUT']);
    expect(store().problem(problem.id)).toMatchObject({ state: 'resolved', workaround: 'restart svc-20' });
    // The incident links to it.
    const linked = await gql(base, `{ incident(id: "${first}") { problemId problem { id state } } }`, AS.viewer);
    expect(linked.data.incident).toEqual({ problemId: problem.id, problem: { id: problem.id, state: 'RESOLVED' } });
  });
});
