/**
 * Two `cmdb serve --leader-elect` runtimes on one Lease of the real API
 * server, each with its own state dir and both with one event log dir
 * (`--event-log-dir`): an event published on the leader reaches a
 * subscription on the follower (through the shared events.jsonl, polled),
 * with the leader's time; only the leader appends, so the log holds it once;
 * when the leader shuts down the other takes over and appends after it, with
 * no sequence number used twice.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CmdbEvent } from '../../core/events.ts';
import { startRuntime, type Runtime } from '../../server/Runtime.ts';
import { EVENT_LOG_FILE } from '../../state/FileEventLog.ts';
import { subscribe } from '../graph-api/sseClient.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';
import { requireKube, type KubeAccess } from '../infra/kube-test-env.ts';
import { deleteLease, uniqueName } from '../leader/support.ts';
import { waitFor } from './support.ts';

const NS = 'default';
const leaseName = uniqueName('event-relay');
let kube: KubeAccess;
let repo: TestRepo;
let root: string;
let eventLogDir: string;
const runtimes: Runtime[] = [];

beforeAll(async () => {
  kube = await requireKube();
  repo = TestRepo.create('cmdb-relay-');
  repo.commit({ 'team.yaml': entity('Group', 'team', { type: 'team' }) });
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-relay-'));
  eventLogDir = path.join(root, 'events');
});
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.shutdown()));
  if (kube) await deleteLease(kube, NS, leaseName);
  repo?.remove();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

async function replica(identity: string): Promise<Runtime> {
  const runtime = await startRuntime({
    flags: {
      repo: repo.dir, ref: 'main', port: 0, poll: 0, stateDir: path.join(root, identity), eventLogDir, leaderElect: true, kubeconfig: kube.kubeconfig,
      leaderElectLeaseName: leaseName, leaderElectNamespace: NS, leaderElectLeaseDuration: '3s', leaderElectRenewDeadline: '2s', leaderElectRetryPeriod: '500ms',
    },
    env: { CMDB_LEADER_ELECT_IDENTITY: identity },
    log: pino({ level: 'silent' }),
    out: () => undefined,
  });
  runtimes.push(runtime);
  return runtime;
}

const logged = (): Array<{ seq: number; event: CmdbEvent }> =>
  fs.readFileSync(path.join(eventLogDir, EVENT_LOG_FILE), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { seq: number; event: CmdbEvent });
const recorded = (id: string) => ({ id, repository: 'acme/config', number: 1, mergeCommit: 'abc', decision: 'pass' as const });
const QUERY = 'subscription { changeRecorded { id at } }';

it("a follower's subscription receives the leader's events; only the leader appends; a new leader appends after the old one", { timeout: 120_000 }, async () => {
  const [a, b] = await Promise.all([replica('relay-a'), replica('relay-b')]);
  const leader = await waitFor('a leader', () => [a, b].find((r) => r.relay?.leading), 30_000);
  const follower = leader === a ? b : a;
  expect(follower.relay?.leading).toBe(false);

  const onFollower = await subscribe(follower.url, QUERY);
  const onLeader = await subscribe(leader.url, QUERY);
  await waitFor('both subscriptions to listen', async () => (await Promise.all([leader, follower].map((r) => fetch(`${r.url}/metrics`).then((x) => x.text())))).every((t) => /^cmdb_graphql_subscriptions 1$/m.test(t)));

  const followerMoves: string[] = [];
  follower.events.subscribe('catalogMoved', (e) => void followerMoves.push(e.data.commit));
  // The leader's catalogMoved is about the graph it serves: each replica publishes its own, it is not relayed.
  leader.events.publish('catalogMoved', { commit: 'leader-only', entities: 1, violations: 0, mode: 'rebuild', seconds: 0 });
  const published = leader.events.publish('changeRecorded', recorded('c-1'));
  const relayed = await onFollower.next();
  expect(relayed.data.changeRecorded).toEqual({ id: 'c-1', at: published.at });
  await follower.events.settled();
  expect(followerMoves).toEqual([]);
  // Metrics count each replica's own events: summed over replicas, c-1 is counted once.
  const records = async (r: Runtime) => /^cmdb_change_records_total\{decision="pass"\} (\d+)$/m.exec(await (await fetch(`${r.url}/metrics`)).text())?.[1];
  expect(await records(follower)).toBeUndefined();
  expect((await onLeader.next()).data.changeRecorded).toEqual({ id: 'c-1', at: published.at });
  // Republished on the follower's bus, not appended again.
  await follower.events.settled();
  await leader.events.settled();
  expect(logged().filter((l) => l.event.type === 'changeRecorded').map((l) => (l.event.data as { id: string }).id)).toEqual(['c-1']);
  // Something the follower publishes itself reaches its own subscribers but is not appended: it does not lead.
  follower.events.publish('changeRecorded', recorded('from-follower'));
  expect((await onFollower.next()).data.changeRecorded.id).toBe('from-follower');
  await follower.events.settled();
  expect(logged().some((l) => (l.event.data as { id?: string }).id === 'from-follower')).toBe(false);
  expect(await records(leader)).toBe('1');
  onLeader.close();

  // The leader goes (its lease is released): the follower leads and appends after it.
  await leader.shutdown();
  await waitFor('the follower to lead', () => follower.relay?.leading, 30_000);
  const second = follower.events.publish('changeRecorded', recorded('c-2'));
  expect((await onFollower.next()).data.changeRecorded).toEqual({ id: 'c-2', at: second.at });
  await waitFor('c-2 in the log', () => logged().some((l) => (l.event.data as { id?: string }).id === 'c-2'));
  const seqs = logged().map((l) => l.seq);
  expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  expect(logged().filter((l) => l.event.type === 'changeRecorded').map((l) => (l.event.data as { id: string }).id)).toEqual(['c-1', 'c-2']);
  onFollower.close();
});
