/**
 * A replica that starts leading acts on the incident store as it is then,
 * not as it loaded it at start: with a store the replicas share (Neo4j, the
 * test server of tests/infra), the replica that led before committed since.
 * Replica A's engine opens an incident; replica B, whose store was opened
 * before that, starts leading (IncidentPart over a SingleReplica) and gets
 * the same alert again: it must keep A's incident, and its reads must equal
 * what the database holds. A follower's reads catch up on their own.
 */
import { pino } from 'pino';
import { afterAll, expect, it } from 'vitest';
import neo4j from 'neo4j-driver';
import { InMemoryEventBus } from '../../core/InMemoryEventBus.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { IncidentEngine } from '../../incidents/engine/IncidentEngine.ts';
import { IncidentPart } from '../../server/IncidentPart.ts';
import { LeadershipPart } from '../../server/LeadershipPart.ts';
import { SingleReplica } from '../../server/leader/SingleReplica.ts';
import { ServerMetrics } from '../../server/metrics.ts';
import type { IncidentStore } from '../../state/IncidentStore.ts';
import { INCIDENT_LABELS, Neo4jIncidentStore } from '../../state/Neo4jIncidentStore.ts';
import { buildSnapshot } from '../graph/fixtures.ts';
import { ESTATE, fire, listedChanges, settings, T0, t, tick } from '../incidents/engineFixture.ts';
import { requireNeo4j } from '../infra/neo4j-test-env.ts';
import { waitFor } from './support.ts';

const DB = 'resource:default/db';
const STORE = `takeover-${process.pid}-${Date.now()}`;
const opened: IncidentStore[] = [];
let uri: string | undefined;

afterAll(async () => {
  for (const s of opened) await s.close().catch(() => undefined);
  if (!uri) return;
  const driver = neo4j.driver(uri);
  for (const label of Object.values(INCIDENT_LABELS)) await driver.executeQuery(`MATCH (n:${label}) WHERE n.store = $store DETACH DELETE n`, { store: STORE });
  await driver.close();
});

async function storeOf(): Promise<Neo4jIncidentStore> {
  const store = new Neo4jIncidentStore({ uri: uri!, store: STORE });
  await store.open();
  opened.push(store);
  return store;
}

const engineOn = (store: IncidentStore, bus = new InMemoryEventBus({ now: () => new Date(T0) })) =>
  new IncidentEngine({ store, graph: new InMemoryGraphStore({ snapshot: buildSnapshot(ESTATE) }), changes: listedChanges([]), settings: () => settings(), events: bus });

/** The records a store holds, to compare with what the database holds. */
const dump = (s: IncidentStore) => ({ signals: s.signals(), incidents: s.incidents(), problems: s.problems(), outbox: s.outbox() });

it('a new leader reloads the shared store before acting: the same alert again keeps the incident the old leader opened', { timeout: 60_000 }, async () => {
  uri = requireNeo4j();
  const storeA = await storeOf();
  const storeB = await storeOf(); // replica B, following since before A's incident
  const a = engineOn(storeA);
  await a.apply([fire(DB, 0)]);
  await a.apply([tick(30)]);
  expect(storeA.incidents().map((i) => [i.id, i.openedAt])).toEqual([['INC-1', t(30)]]);

  const log = pino({ level: 'silent' });
  const metrics = new ServerMetrics();
  const events = new InMemoryEventBus({ now: () => new Date(T0) });
  const leadership = new LeadershipPart({ create: (onEvent) => new SingleReplica({ identity: 'b', onEvent }), log, metrics });
  const part = new IncidentPart({
    store: storeB,
    engine: engineOn(storeB, events),
    signals: { ofChange: () => [], ofCurrent: () => [] },
    events,
    leadership,
    metrics,
    log,
    now: () => new Date(T0 + 60_000),
    followerReloadMs: 0,
  });
  try {
    leadership.start(); // B leads (A is gone)
    await waitFor('B to manage incidents', async () => (await part.readiness.check()).details?.leading === true);
    await part.submit([fire(DB, 70)]);
    expect(storeB.incidents().map((i) => [i.id, i.openedAt])).toEqual([['INC-1', t(30)]]);
    const inDatabase = await storeOf();
    expect(dump(storeB)).toEqual(dump(inDatabase));
  } finally {
    await part.close();
    await leadership.stop();
  }
});

it("a follower's reads catch up with what the leader commits to the shared store", { timeout: 60_000 }, async () => {
  uri = requireNeo4j();
  const leaderStore = await storeOf();
  const followerStore = await storeOf();
  const log = pino({ level: 'silent' });
  const metrics = new ServerMetrics();
  const events = new InMemoryEventBus();
  // A follower: its election never lets it lead.
  const leadership = new LeadershipPart({ create: () => ({ identity: 'f', isLeader: () => false, leader: () => 'other', start: () => undefined, stop: async () => undefined }), log, metrics });
  const part = new IncidentPart({ store: followerStore, engine: engineOn(followerStore), signals: { ofChange: () => [], ofCurrent: () => [] }, events, leadership, metrics, log, followerReloadMs: 50 });
  try {
    const before = followerStore.incidents().length;
    const a = engineOn(leaderStore);
    await a.apply([fire('component:default/other', 200)]);
    await a.apply([tick(230)]);
    const opened = leaderStore.incidents().length;
    expect(opened).toBe(before + 1);
    // Each reload reads the record kinds one query after another (Neo4j reads committed data, not a
    // snapshot): one during the leader's commit may be behind on some kinds; the next one catches up.
    await waitFor("the follower's reads to equal the leader's", () => JSON.stringify(dump(followerStore)) === JSON.stringify(dump(leaderStore)));
    expect(followerStore.incidents().length).toBe(opened);
  } finally {
    await part.close();
  }
});
