/**
 * Two `cmdb serve --reconcile --leader-elect` processes (the real binary) on
 * one Lease of the real API server, each with its own state dir, observing
 * one failing endpoint on 127.0.0.1: exactly one reconciles; SIGKILL it and
 * the other takes over within the lease duration and reports the finding
 * once, never both at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CmdbEvent } from '../../core/events.ts';
import { FINDINGS_FILE } from '../../state/FileFindingStore.ts';
import { EVENT_LOG_FILE } from '../../state/FileEventLog.ts';
import { TestRepo } from '../helpers/gitRepo.ts';
import { requireKube, type KubeAccess } from '../infra/kube-test-env.ts';
import { deleteLease, readLease, uniqueName } from '../leader/support.ts';
import { Endpoint, findingKeyOf, observedCatalog, waitFor } from './support.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/cmdb.js');
const NS = 'default';
const LEASE_MS = 3000;
const RETRY_MS = 500;
const TIMING = ['--leader-elect-lease-duration', '3s', '--leader-elect-renew-deadline', '2s', '--leader-elect-retry-period', '500ms'];
// A process needs a few seconds to start on a busy machine.
const START_MS = 60_000;

let kube: KubeAccess;
let repo: TestRepo;
let api: Endpoint;
let root: string;
const leaseName = uniqueName('serve-reconcile');
const children: ChildProcess[] = [];

beforeAll(async () => {
  kube = await requireKube();
  repo = TestRepo.create();
  api = await new Endpoint().listen();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-serve-leader-'));
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await api?.close();
  if (kube) await deleteLease(kube, NS, leaseName);
  repo?.remove();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

interface Replica {
  identity: string;
  child: ChildProcess;
  url: string;
  stateDir: string;
}

/** Starts `cmdb serve --reconcile --leader-elect` as `identity` (CMDB_LEADER_ELECT_IDENTITY); resolves once it listens. */
function startReplica(identity: string, commit: string): Promise<Replica> {
  const stateDir = path.join(root, identity);
  const env: NodeJS.ProcessEnv = { ...process.env, CMDB_CACHE_DIR: path.join(root, 'cache'), CMDB_LEADER_ELECT_IDENTITY: identity, CMDB_LOG_FORMAT: 'json', CMDB_LOG_LEVEL: 'info' };
  delete env.CMDB_NEO4J_URI;
  delete env.KUBECONFIG;
  const args = ['serve', '--repo', repo.dir, '--ref', commit, '--port', '0', '--poll', '0', '--state-dir', stateDir, '--reconcile', '--leader-elect', '--kubeconfig', kube.kubeconfig];
  args.push('--leader-elect-lease-name', leaseName, '--leader-elect-namespace', NS, ...TIMING);
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /GraphQL API on (http:\/\/[^/\s]+)\/graphql/.exec(out);
      if (m) resolve({ identity, child, url: m[1], stateDir });
    });
    child.once('exit', (code, signal) => reject(new Error(`cmdb serve (${identity}) exited ${code ?? signal}:\n${err}`)));
  });
}

type Change = CmdbEvent<'findingChanged'>;

/** The findingChanged events in a replica's event log. */
function changesOf(r: Replica): Change[] {
  const file = path.join(r.stateDir, EVENT_LOG_FILE);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { event: CmdbEvent }).event)
    .filter((e): e is Change => e.type === 'findingChanged');
}

const storedKeys = (r: Replica): string[] => {
  const file = path.join(r.stateDir, FINDINGS_FILE);
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => {
    const line = JSON.parse(l) as { change?: { key: string }; held?: { key: string } };
    return line.change?.key ?? line.held?.key ?? '';
  });
};

const readyz = async (r: Replica) => (await (await fetch(`${r.url}/readyz`)).json()) as { status: string; checks: Record<string, { ok: boolean; details?: Record<string, unknown> }> };

it('one replica reconciles; SIGKILL it and the other takes over within the lease duration, reporting the finding once', { timeout: 180_000 }, async () => {
  const commit = repo.commit(observedCatalog(api.url));
  const key = findingKeyOf(api.url);
  const replicas = await Promise.all([startReplica('a', commit), startReplica('b', commit)]);

  const leaderId = await waitFor('a leader', async () => (await readLease(kube, NS, leaseName))?.spec.holderIdentity || undefined, START_MS);
  const leader = replicas.find((r) => r.identity === leaderId)!;
  const follower = replicas.find((r) => r.identity !== leaderId)!;
  await waitFor('the leader to report the finding', () => changesOf(leader).length >= 1, START_MS);
  await waitFor(`${follower.identity} to see ${leader.identity} lead`, async () => (await readyz(follower)).checks.leadership.details?.leader === leader.identity);
  // Several more probes by the leader: the follower reports nothing meanwhile.
  const probes = api.probes;
  await waitFor('more probes', () => api.probes >= probes + 5);
  expect(changesOf(leader).map((e) => `${e.data.change} ${e.data.key}`)).toEqual([`opened ${key}`]);
  expect(storedKeys(leader)).toEqual([key]);
  expect(changesOf(follower), 'the follower does not reconcile').toEqual([]);
  expect(storedKeys(follower)).toEqual([]);
  const followerReady = await readyz(follower);
  expect(followerReady.status, 'a follower is ready: it serves reads').toBe('ok');
  expect(followerReady.checks.leadership.details).toMatchObject({ leading: false, leader: leader.identity });
  expect(followerReady.checks.reconcilers.details).toMatchObject({ leading: false, 'http.state': 'idle', 'http.watched': 0 });
  expect((await readyz(leader)).checks.reconcilers.details).toMatchObject({ leading: true, 'http.state': 'running', 'http.watched': 1, 'http.findings': 1 });

  const killedAt = Date.now();
  leader.child.kill('SIGKILL');
  await waitFor('the follower to report the finding', () => changesOf(follower).length >= 1, START_MS);
  const tookOver = Date.now() - killedAt;
  // The lease is taken over once unchanged for its duration (from the last renewal, at most a
  // jittered retry period before the kill); then one probe.
  expect(tookOver).toBeLessThan(LEASE_MS + 2.2 * RETRY_MS + 1000);
  expect((await readLease(kube, NS, leaseName))?.spec.holderIdentity).toBe(follower.identity);

  const more = api.probes;
  await waitFor('more probes', () => api.probes >= more + 5);
  expect(changesOf(follower).map((e) => `${e.data.change} ${e.data.key}`), 'reported once').toEqual([`opened ${key}`]);
  expect(storedKeys(follower)).toEqual([key]);
  // Never both at once: every change of the old leader precedes every change of the new one.
  const lastOfLeader = Math.max(...changesOf(leader).map((e) => Date.parse(e.at)));
  const firstOfFollower = Math.min(...changesOf(follower).map((e) => Date.parse(e.at)));
  expect(lastOfLeader).toBeLessThan(killedAt);
  expect(firstOfFollower).toBeGreaterThan(killedAt);
  expect((await readyz(follower)).checks.reconcilers.details).toMatchObject({ leading: true, 'http.state': 'running' });

  // The new leader recovers the endpoint: resolved once.
  api.status = 200;
  await waitFor('the finding to be resolved', () => changesOf(follower).length >= 2);
  expect(changesOf(follower).map((e) => e.data.change)).toEqual(['opened', 'resolved']);
  follower.child.kill('SIGTERM');
  expect(await new Promise((resolve) => follower.child.once('exit', (code) => resolve(code)))).toBe(0);
});
