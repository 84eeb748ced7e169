import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireKube, type KubeAccess } from '../infra/kube-test-env.ts';
import {
  PartitionableProxy,
  deleteLease,
  exited,
  kubeConfigFor,
  readJournal,
  readLease,
  spawnReplica,
  tickHolders,
  uniqueName,
  waitFor,
  type JournalLine,
} from './support.ts';

// Two replicas, each its own process (tests/leader/elector-process.ts), on one Lease of the real API
// server. While leading, a replica "reports findings": it bumps a shared counter and journals it.
const TIMING = { leaseDuration: '3s', renewDeadline: '2s', retryPeriod: '500ms' };
const LEASE_MS = 3000;
const RENEW_DEADLINE_MS = 2000;
const RETRY_MS = 500;
const NS = 'default';
// A process needs a few seconds to start (tsx) on a busy machine.
const START_MS = 60_000;

describe('two replica processes on one Lease', () => {
  let kube: KubeAccess;
  let dir: string;
  const children: ChildProcess[] = [];
  const leases: string[] = [];
  const proxies: PartitionableProxy[] = [];

  beforeAll(async () => {
    kube = await requireKube();
    dir = await mkdtemp(join(tmpdir(), 'cmdb-leader-processes-'));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
    }
    for (const proxy of proxies.splice(0)) await proxy.close();
  });
  afterAll(async () => {
    for (const name of leases) await deleteLease(kube, NS, name);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function replicas(kubeconfigs: { a: string; b: string } = { a: kube.kubeconfig, b: kube.kubeconfig }) {
    const leaseName = uniqueName('processes');
    leases.push(leaseName);
    const journal = join(dir, `${leaseName}.journal`);
    const counter = join(dir, `${leaseName}.counter`);
    const start = (identity: 'a' | 'b'): ChildProcess => {
      const child = spawnReplica({ identity, kubeconfig: kubeconfigs[identity], namespace: NS, leaseName, journal, counter, timing: TIMING });
      children.push(child);
      return child;
    };
    const lines = (): JournalLine[] => readJournal(journal);
    const find = (identity: string, event: JournalLine['event']) => () => lines().find((l) => l.identity === identity && l.event === event);
    const ticksBy = (identity: string) => lines().filter((l) => l.event === 'tick' && l.identity === identity).length;
    return { leaseName, start, lines, find, ticksBy };
  }

  /** Both running, one leading and ticking, the other following it; returns who is who. */
  async function leaderAndFollower(r: ReturnType<typeof replicas>, processes: Record<'a' | 'b', ChildProcess>) {
    const first = await waitFor('a leader', () => r.lines().find((l) => l.event === 'started-leading'), START_MS);
    const leader = first.identity as 'a' | 'b';
    const follower = leader === 'a' ? 'b' : 'a';
    await waitFor(`${follower} to see ${leader} lead`, () => r.lines().some((l) => l.identity === follower && l.event === 'new-leader' && l.leader === leader), START_MS);
    await waitFor(`${leader} to tick`, () => r.ticksBy(leader) >= 5);
    return { leader, follower, leaderProcess: processes[leader] };
  }

  it('SIGKILL the leader: the other takes over once the lease has expired, and no finding is reported twice', async () => {
    const r = replicas();
    const processes = { a: r.start('a'), b: r.start('b') };
    const { leader, follower, leaderProcess } = await leaderAndFollower(r, processes);

    leaderProcess.kill('SIGKILL');
    const killedAt = Date.now();
    await exited(leaderProcess);
    const took = await waitFor(`${follower} to lead`, r.find(follower, 'started-leading'), 30_000);
    await waitFor(`${follower} to tick`, () => r.ticksBy(follower) >= 3);

    // The follower waited for the lease to expire: the killed leader was leading, so it had renewed
    // within the renew deadline before it died, and the follower cannot take over sooner than a lease
    // duration after that renewal. It took over within the lease duration plus two jittered retry
    // periods (one to see the last renewal, one to find the lease expired) and the time of their
    // requests (up to a renew deadline on this busy machine).
    expect(took.at - killedAt).toBeGreaterThanOrEqual(LEASE_MS - RENEW_DEADLINE_MS);
    expect(took.at - killedAt).toBeLessThan(LEASE_MS + 2 * 2.2 * RETRY_MS + RENEW_DEADLINE_MS);

    const { holders, problems } = tickHolders(r.lines());
    expect(problems).toEqual([]);
    expect(holders).toEqual([leader, follower]);
    expect((await readLease(kube, NS, r.leaseName))?.spec).toMatchObject({ holderIdentity: follower, leaseTransitions: 1 });
  }, 120_000);

  it('SIGTERM the leader: it stops leading, releases the lease, and the other takes over without waiting for it to expire', async () => {
    const r = replicas();
    const processes = { a: r.start('a'), b: r.start('b') };
    const { leader, follower, leaderProcess } = await leaderAndFollower(r, processes);

    leaderProcess.kill('SIGTERM');
    expect(await exited(leaderProcess)).toEqual({ code: 0, signal: null });
    const took = await waitFor(`${follower} to lead`, r.find(follower, 'started-leading'), 30_000);
    await waitFor(`${follower} to tick`, () => r.ticksBy(follower) >= 3);

    const lines = r.lines();
    const stopped = lines.findIndex((l) => l.identity === leader && l.event === 'stopped-leading');
    const exitedAt = lines.findIndex((l) => l.identity === leader && l.event === 'exited');
    const started = lines.findIndex((l) => l.identity === follower && l.event === 'started-leading');
    expect(lines[stopped]).toMatchObject({ reason: 'stopped' });
    expect(stopped).toBeLessThan(exitedAt);
    expect(exitedAt).toBeLessThan(started);
    // Released, the lease is free at once: no wait for it to expire.
    expect(took.at - lines[exitedAt].at).toBeLessThan(LEASE_MS);

    const { holders, problems } = tickHolders(lines);
    expect(problems).toEqual([]);
    expect(holders).toEqual([leader, follower]);
    expect((await readLease(kube, NS, r.leaseName))?.spec).toMatchObject({ holderIdentity: follower, leaseTransitions: 1 });
  }, 120_000);

  it('a leader cut off from the API server stops leading before the other takes over: the work never overlaps', async () => {
    const target = new URL(kube.server);
    const proxy = new PartitionableProxy({ host: target.hostname, port: Number(target.port) });
    proxies.push(proxy);
    const proxied = join(dir, `${uniqueName('through-proxy')}.kubeconfig`);
    await writeFile(proxied, kubeConfigFor(kube, 'admin', await proxy.listen()).exportConfig());

    const r = replicas({ a: proxied, b: kube.kubeconfig });
    const a = r.start('a');
    await waitFor('a to lead', r.find('a', 'started-leading'), START_MS);
    const b = r.start('b');
    await leaderAndFollower(r, { a, b });

    proxy.partition();
    const took = await waitFor('b to lead', r.find('b', 'started-leading'), 30_000);
    await waitFor('b to tick', () => r.ticksBy('b') >= 3);

    const lines = r.lines();
    const stopped = lines.findIndex((l) => l.identity === 'a' && l.event === 'stopped-leading');
    expect(stopped).toBeGreaterThanOrEqual(0);
    expect(lines[stopped]).toMatchObject({ reason: 'renew-deadline' });
    const started = lines.findIndex((l) => l.identity === 'b' && l.event === 'started-leading');
    expect(stopped).toBeLessThan(started);
    expect(lines[stopped].at).toBeLessThan(took.at);
    // a did work up to its stopped-leading, and none after.
    expect(lines.slice(stopped).filter((l) => l.identity === 'a' && l.event === 'tick')).toEqual([]);
    expect(r.ticksBy('a')).toBeGreaterThanOrEqual(5);
    expect(lines.filter((l) => l.identity === 'a' && l.event === 'started-leading')).toHaveLength(1);

    const { holders, problems } = tickHolders(lines);
    expect(problems).toEqual([]);
    expect(holders).toEqual(['a', 'b']);
  }, 120_000);
});
