import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kubeRequest, requireKube, type KubeAccess } from '../infra/kube-test-env.ts';
import { KubernetesLeaseElector, type LeadershipListener } from '../../server/leader/index.ts';
import { EventLog, deleteLease, kubeConfigFor, microTime, readLease, uniqueName, waitFor } from './support.ts';

// Short durations, client-go's proportions: lease 3 s, renew deadline 2 s, retry 0.5 s.
const TIMING = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 };
const NS = 'default';

describe('KubernetesLeaseElector on the real API server', () => {
  let kube: KubeAccess;
  const leases: string[] = [];
  const electors: KubernetesLeaseElector[] = [];

  beforeAll(async () => {
    kube = await requireKube();
  });
  afterEach(async () => {
    await Promise.all(electors.splice(0).map((e) => e.stop()));
  });
  afterAll(async () => {
    for (const name of leases) await deleteLease(kube, NS, name);
  });

  const newLease = (): string => {
    const name = uniqueName('lease');
    leases.push(name);
    return name;
  };
  const elector = (leaseName: string, onEvent: LeadershipListener, context: 'admin' | 'viewer' = 'admin', identity = uniqueName('replica')): KubernetesLeaseElector => {
    const e = new KubernetesLeaseElector({ kubeConfig: kubeConfigFor(kube, context), namespace: NS, leaseName, identity, timing: TIMING, onEvent });
    electors.push(e);
    return e;
  };

  it('creates the Lease with its identity and duration, renews it (renewTime moves, acquireTime stays)', async () => {
    const leaseName = newLease();
    const log = new EventLog();
    const a = elector(leaseName, log.listener);
    a.start();
    await waitFor('started-leading', () => a.isLeader());

    const first = await readLease(kube, NS, leaseName);
    expect(first?.spec).toMatchObject({ holderIdentity: a.identity, leaseDurationSeconds: 3, leaseTransitions: 0 });
    expect(first?.spec.acquireTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const renewed = await waitFor('a renewal', async () => {
      const now = await readLease(kube, NS, leaseName);
      return now && now.spec.renewTime !== first?.spec.renewTime ? now : undefined;
    });
    expect(renewed.spec).toMatchObject({ holderIdentity: a.identity, acquireTime: first?.spec.acquireTime, leaseTransitions: 0 });
    expect(Date.parse(renewed.spec.renewTime!)).toBeGreaterThan(Date.parse(first!.spec.renewTime!));
    expect(log.of('error')).toEqual([]);
  });

  it('a second candidate waits while the leader renews, names it as the leader, and takes over at once on a graceful stop', async () => {
    const leaseName = newLease();
    const logA = new EventLog();
    const logB = new EventLog();
    const a = elector(leaseName, logA.listener);
    a.start();
    await waitFor('a leads', () => a.isLeader());
    const b = elector(leaseName, logB.listener);
    b.start();
    await waitFor('b sees a as the leader', () => b.leader() === a.identity);
    expect(logB.of('new-leader')).toMatchObject([{ leader: a.identity }]);

    // Several renewals spanning more than a lease duration: b never takes over.
    const seen = new Set<string>();
    await waitFor('renewals over more than the lease duration', async () => {
      seen.add((await readLease(kube, NS, leaseName))!.spec.renewTime!);
      return seen.size > 8;
    });
    expect(b.isLeader()).toBe(false);
    expect(logB.of('started-leading')).toEqual([]);
    expect(a.isLeader()).toBe(true);

    await a.stop();
    const released = Date.now();
    const afterRelease = await readLease(kube, NS, leaseName);
    expect(afterRelease?.spec.holderIdentity ?? '').not.toBe(a.identity);
    await waitFor('b takes over', () => b.isLeader());
    const [took] = logB.of('started-leading');
    // Released, not expired: b does not wait for the lease duration.
    expect(took.at - released).toBeLessThan(TIMING.leaseDurationMs);
    expect((await readLease(kube, NS, leaseName))?.spec).toMatchObject({ holderIdentity: b.identity, leaseTransitions: 1 });
    expect(logA.types()).toEqual(['new-leader', 'started-leading', 'stopped-leading', 'new-leader']);
  });

  it.each([
    ['an hour ago', -3_600_000],
    ['in an hour', 3_600_000],
  ])("judges expiry on its own clock from when it saw the Lease change, not by the holder's renewTime (%s)", async (_, offset) => {
    const leaseName = newLease();
    const stale = microTime(Date.now() + offset);
    const created = await kubeRequest({
      server: kube.server, token: kube.adminToken, method: 'POST', path: `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`,
      body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: leaseName }, spec: { holderIdentity: 'ghost', leaseDurationSeconds: 3, acquireTime: stale, renewTime: stale, leaseTransitions: 4 } },
    });
    expect(created.status).toBe(201);

    const log = new EventLog();
    const startedAt = Date.now();
    const b = elector(leaseName, log.listener);
    b.start();
    await waitFor('b sees ghost', () => b.leader() === 'ghost');
    await waitFor('b takes over once the lease expired by its own observation', () => b.isLeader(), 15_000);
    const [took] = log.of('started-leading');
    expect(took.at - startedAt).toBeGreaterThanOrEqual(TIMING.leaseDurationMs);
    expect(log.of('new-leader').map((e) => e.leader)).toEqual(['ghost', b.identity]);
    expect((await readLease(kube, NS, leaseName))?.spec).toMatchObject({ holderIdentity: b.identity, leaseTransitions: 5 });
  });

  it('stops leading at once (reason lost) when it finds the Lease held by someone else', async () => {
    const leaseName = newLease();
    const log = new EventLog();
    const a = elector(leaseName, log.listener);
    a.start();
    await waitFor('a leads', () => a.isLeader());
    const lease = await readLease(kube, NS, leaseName);
    const now = microTime(Date.now());
    const replaced = await kubeRequest({
      server: kube.server, token: kube.adminToken, method: 'PUT', path: `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${leaseName}`,
      body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: leaseName, resourceVersion: lease!.metadata.resourceVersion }, spec: { ...lease!.spec, holderIdentity: 'intruder', acquireTime: now, renewTime: now } },
    });
    expect(replaced.status).toBe(200);
    await waitFor('a stops leading', () => log.of('stopped-leading').length > 0);
    expect(log.of('stopped-leading')).toMatchObject([{ reason: 'lost' }]);
    expect(a.isLeader()).toBe(false);
    expect(a.leader()).toBe('intruder');
  });

  it('as an identity without RBAC on leases (403): reports the verb, resource and namespace, and never leads', async () => {
    const leaseName = newLease();
    const log = new EventLog();
    const viewer = elector(leaseName, log.listener, 'viewer');
    viewer.start();
    await waitFor('an error', () => log.of('error').length > 0);
    const [{ error }] = log.of('error');
    expect(error.code).toBe('leader-election');
    expect(error.message).toContain(`cannot get leases.coordination.k8s.io "${leaseName}" in namespace "default": forbidden`);
    expect(error.message).toContain('User "viewer" cannot get resource "leases" in API group "coordination.k8s.io"');
    expect(error.message).toContain('Grant this identity get, create and update on leases.coordination.k8s.io in namespace "default"');
    // It keeps trying (every retry period) without repeating the same report, and never leads.
    await new Promise((r) => setTimeout(r, 4 * TIMING.retryPeriodMs * 2.2));
    expect(log.of('error')).toHaveLength(1);
    expect(log.of('started-leading')).toEqual([]);
    expect(viewer.isLeader()).toBe(false);
    expect(await readLease(kube, NS, leaseName)).toBeUndefined();
  });

  it('with the API server unreachable: reports it and is not the leader', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));

    const log = new EventLog();
    const e = new KubernetesLeaseElector({
      kubeConfig: kubeConfigFor(kube, 'admin', `https://127.0.0.1:${port}`), namespace: NS, leaseName: 'unreachable', identity: 'lonely', timing: TIMING, onEvent: log.listener,
    });
    electors.push(e);
    e.start();
    await waitFor('an error', () => log.of('error').length > 0);
    expect(log.of('error')[0].error.message).toMatch(
      new RegExp(`^leader election: cannot get leases.coordination.k8s.io "unreachable" in namespace "default": the API server at https://127.0.0.1:${port} is unreachable \\(.*ECONNREFUSED`),
    );
    expect(e.isLeader()).toBe(false);
    expect(e.leader()).toBeUndefined();
    expect(log.of('started-leading')).toEqual([]);
  });
});
