import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { CmdbError } from '../../core/errors.ts';
import {
  KubernetesLeaseElector,
  SingleReplica,
  defaultIdentity,
  leaderElectionFromOptions,
  parseDuration,
  validateLeaderElectionTiming,
} from '../../server/leader/index.ts';

// A KubeConfig that is never contacted: these tests only construct.
const kubeConfig = new KubeConfig();
kubeConfig.loadFromOptions({
  clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
  users: [{ name: 'u', token: 't' }],
  contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
  currentContext: 'x',
});

function configError(fn: () => unknown): CmdbError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CmdbError);
    expect((error as CmdbError).code).toBe('config');
    return error as CmdbError;
  }
  throw new Error('expected a config error');
}

describe('leader election timing', () => {
  it('parses Go-style durations and refuses anything without a unit', () => {
    expect(parseDuration('15s')).toBe(15_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration(' 2s ')).toBe(2000);
    for (const bad of ['15', 's', '15x', '', '-1s', '1 s']) expect(parseDuration(bad)).toBeUndefined();
  });

  it("applies client-go's rules: lease > renew deadline > 1.2 x retry, all positive; the lease in whole seconds", () => {
    expect(validateLeaderElectionTiming({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 })).toBeTruthy();
    expect(configError(() => validateLeaderElectionTiming({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 })).message)
      .toBe('leader election: the lease duration (10s) must be greater than the renew deadline (10s), so that a leader that cannot renew stops before its lease can be taken over');
    expect(configError(() => validateLeaderElectionTiming({ leaseDurationMs: 15_000, renewDeadlineMs: 2400, retryPeriodMs: 2000 })).message)
      .toBe('leader election: the renew deadline (2.4s) must be greater than 1.2 x the retry period (2s)');
    expect(configError(() => validateLeaderElectionTiming({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 0 })).message)
      .toBe('leader election: the retry period must be a positive duration (got 0s)');
    expect(configError(() => validateLeaderElectionTiming({ leaseDurationMs: 600 * 3_600_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 })).message)
      .toBe('leader election: the lease duration must be at most 2147483s, the longest a timer waits (got 2160000s)');
    expect(configError(() => validateLeaderElectionTiming({ leaseDurationMs: 2500, renewDeadlineMs: 2000, retryPeriodMs: 500 })).message)
      .toMatch(/the lease duration must be a whole number of seconds, as the Lease stores it \(got 2\.5s\)/);
  });
});

describe('leaderElectionFromOptions', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cmdb-leader-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is a SingleReplica without --leader-elect, a KubernetesLeaseElector with it', () => {
    expect(leaderElectionFromOptions({ env: {} })).toBeInstanceOf(SingleReplica);
    const elector = leaderElectionFromOptions({ leaderElect: true, kubeConfig, env: {}, serviceAccountNamespaceFile: join(dir, 'absent') });
    expect(elector).toBeInstanceOf(KubernetesLeaseElector);
    expect((elector as KubernetesLeaseElector).timing).toEqual({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 });
  });

  it('takes the identity from POD_NAME, else the host name with a random suffix unique to each replica', () => {
    expect(leaderElectionFromOptions({ env: { POD_NAME: 'cmdb-7d9f-abcde' } }).identity).toBe('cmdb-7d9f-abcde');
    const a = defaultIdentity({});
    const b = defaultIdentity({});
    expect(a.startsWith(`${hostname()}_`)).toBe(true);
    expect(a).not.toBe(b);
    expect(leaderElectionFromOptions({ identity: 'given', env: { POD_NAME: 'pod' } }).identity).toBe('given');
  });

  it("uses the pod's namespace from the service account file, else default; a flag overrides both", async () => {
    const file = join(dir, 'namespace');
    await writeFile(file, 'cmdb-system\n');
    const inPod = leaderElectionFromOptions({ leaderElect: true, kubeConfig, env: {}, serviceAccountNamespaceFile: file }) as KubernetesLeaseElector;
    const outside = leaderElectionFromOptions({ leaderElect: true, kubeConfig, env: {}, serviceAccountNamespaceFile: join(dir, 'absent') }) as KubernetesLeaseElector;
    const flagged = leaderElectionFromOptions({ leaderElect: true, kubeConfig, env: {}, serviceAccountNamespaceFile: file, namespace: 'ops' }) as KubernetesLeaseElector;
    // The lease a replica would take, as its errors and the Lease name it.
    expect(describeLease(inPod)).toBe('leases.coordination.k8s.io "gitops-cmdb" in namespace "cmdb-system"');
    expect(describeLease(outside)).toBe('leases.coordination.k8s.io "gitops-cmdb" in namespace "default"');
    expect(describeLease(flagged)).toBe('leases.coordination.k8s.io "gitops-cmdb" in namespace "ops"');
    expect(describeLease(leaderElectionFromOptions({ leaderElect: true, kubeConfig, env: {}, namespace: 'ops', leaseName: 'other' }) as KubernetesLeaseElector))
      .toBe('leases.coordination.k8s.io "other" in namespace "ops"');
  });

  it('names the flag of a bad duration or of durations that break the rules', () => {
    expect(configError(() => leaderElectionFromOptions({ leaderElect: true, kubeConfig, leaseDuration: '15' })).message)
      .toBe('--leader-elect-lease-duration: "15" is not a duration; write it like 15s, 500ms or 1m30s');
    expect(configError(() => leaderElectionFromOptions({ leaderElect: true, kubeConfig, renewDeadline: '20s' })).message)
      .toBe('leader election: --leader-elect-lease-duration (15s) must be greater than --leader-elect-renew-deadline (20s), so that a leader that cannot renew stops before its lease can be taken over');
    expect(configError(() => leaderElectionFromOptions({ leaderElect: true, kubeConfig, retryPeriod: '9s' })).message)
      .toBe('leader election: --leader-elect-renew-deadline (10s) must be greater than 1.2 x --leader-elect-retry-period (9s)');
    expect(configError(() => leaderElectionFromOptions({ leaderElect: true, kubeConfig, identity: ' ' })).message)
      .toMatch(/the identity is empty/);
  });
});

function describeLease(elector: KubernetesLeaseElector): string {
  return (elector as unknown as { lock: { describe(): string } }).lock.describe();
}
