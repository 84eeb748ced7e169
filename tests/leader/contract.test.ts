import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireKube, type KubeAccess } from '../infra/kube-test-env.ts';
import { KubernetesLeaseElector, SingleReplica, type Leadership, type LeadershipListener } from '../../server/leader/index.ts';
import { EventLog, deleteLease, kubeConfigFor, uniqueName, waitFor } from './support.ts';

// One contract, every implementation (the Kubernetes one against the real API server).
const TIMING = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 };
const leases: string[] = [];
let kube: KubeAccess;

beforeAll(async () => {
  kube = await requireKube();
});
afterAll(async () => {
  for (const name of leases) await deleteLease(kube, 'default', name);
});

interface Implementation {
  name: string;
  make(onEvent: LeadershipListener): Leadership;
}

const implementations: Implementation[] = [
  { name: 'SingleReplica', make: (onEvent) => new SingleReplica({ identity: uniqueName('single'), onEvent }) },
  {
    name: 'KubernetesLeaseElector',
    make: (onEvent) => {
      const leaseName = uniqueName('contract');
      leases.push(leaseName);
      return new KubernetesLeaseElector({
        kubeConfig: kubeConfigFor(kube, 'admin'), namespace: 'default', leaseName, identity: uniqueName('replica'), timing: TIMING, onEvent,
      });
    },
  },
];

describe.each(implementations)('Leadership contract: $name', ({ make }) => {
  const started: Leadership[] = [];
  const create = (onEvent: LeadershipListener): Leadership => {
    const leadership = make(onEvent);
    started.push(leadership);
    return leadership;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((l) => l.stop()));
  });

  it('does not lead before start, and leads after started-leading (announcing itself as the new leader first)', async () => {
    const log = new EventLog();
    const leadership = create(log.listener);
    expect(leadership.identity).not.toBe('');
    expect(leadership.isLeader()).toBe(false);
    expect(log.events).toEqual([]);

    leadership.start();
    await waitFor('started-leading', () => log.of('started-leading').length > 0);
    expect(leadership.isLeader()).toBe(true);
    expect(leadership.leader()).toBe(leadership.identity);
    expect(log.types()).toEqual(['new-leader', 'started-leading']);
    expect(log.events[0]).toMatchObject({ type: 'new-leader', leader: leadership.identity });
    expect(log.events[1]).toMatchObject({ type: 'started-leading', identity: leadership.identity });
  });

  it('stop() delivers stopped-leading (reason stopped), waits for the listener, then no longer leads', async () => {
    let finishWork: () => void = () => {};
    const workDone = new Promise<void>((resolve) => { finishWork = resolve; });
    const log = new EventLog();
    const leadership = create((event) => {
      log.listener(event);
      if (event.type === 'stopped-leading') return workDone;
    });
    leadership.start();
    await waitFor('started-leading', () => log.of('started-leading').length > 0);

    let stopResolved = false;
    const stopping = leadership.stop().then(() => { stopResolved = true; });
    expect(leadership.isLeader()).toBe(false);
    expect(log.of('stopped-leading')).toMatchObject([{ identity: leadership.identity, reason: 'stopped' }]);
    await new Promise((r) => setTimeout(r, 100));
    expect(stopResolved).toBe(false);
    finishWork();
    await stopping;
    expect(leadership.isLeader()).toBe(false);
    expect(leadership.leader()).toBeUndefined();
    expect(log.types()).toEqual(['new-leader', 'started-leading', 'stopped-leading', 'new-leader']);
  });

  it('stop() twice stops once; stop() before start() is harmless; start() twice or after stop() is a bug', async () => {
    const log = new EventLog();
    const leadership = create(log.listener);
    leadership.start();
    expect(() => leadership.start()).toThrow(/start called twice/);
    await waitFor('started-leading', () => log.of('started-leading').length > 0);
    await Promise.all([leadership.stop(), leadership.stop()]);
    await leadership.stop();
    expect(log.of('stopped-leading')).toHaveLength(1);

    const never = create(log.listener);
    await never.stop();
    expect(never.isLeader()).toBe(false);
    expect(() => never.start()).toThrow(/start called twice/);
    expect(log.events.filter((e) => 'identity' in e && e.identity === never.identity)).toEqual([]);
  });
});
