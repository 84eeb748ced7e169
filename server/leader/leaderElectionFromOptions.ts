import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { CmdbError } from '../../core/errors.ts';
import { KubernetesLeaseElector } from './KubernetesLeaseElector.ts';
import type { Leadership, LeadershipListener } from './Leadership.ts';
import { SingleReplica } from './SingleReplica.ts';
import { parseDuration, type LeaderElectionTiming, type TimingNames } from './timing.ts';

/** The settings of `cmdb serve` for leader election; each names the flag that sets it. */
export interface LeaderElectionOptions {
  /** `--leader-elect`: take part in an election on a Lease; without it this replica is the only one. */
  leaderElect?: boolean;
  /** `--leader-elect-lease-name` (default `gitops-cmdb`). */
  leaseName?: string;
  /** `--leader-elect-namespace` (default: the pod's namespace from the service account, else `default`). */
  namespace?: string;
  /** `--leader-elect-lease-duration` (default `15s`; whole seconds). */
  leaseDuration?: string;
  /** `--leader-elect-renew-deadline` (default `10s`). */
  renewDeadline?: string;
  /** `--leader-elect-retry-period` (default `2s`). */
  retryPeriod?: string;
  /** Default: `POD_NAME` when set, else the host name plus `_` and a random UUID. */
  identity?: string;
  /** Default: the usual lookup (KUBECONFIG, ~/.kube/config, in-cluster service account). */
  kubeConfig?: KubeConfig;
  onEvent?: LeadershipListener;
  /** Default `process.env` (for POD_NAME). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Default `/var/run/secrets/kubernetes.io/serviceaccount/namespace`. */
  serviceAccountNamespaceFile?: string;
}

export const LEADER_ELECTION_DEFAULTS = Object.freeze({
  leaseName: 'gitops-cmdb',
  leaseDuration: '15s',
  renewDeadline: '10s',
  retryPeriod: '2s',
  serviceAccountNamespaceFile: '/var/run/secrets/kubernetes.io/serviceaccount/namespace',
});

const FLAGS: TimingNames = Object.freeze({
  leaseDurationMs: '--leader-elect-lease-duration',
  renewDeadlineMs: '--leader-elect-renew-deadline',
  retryPeriodMs: '--leader-elect-retry-period',
});

/**
 * The `Leadership` the options ask for: a `KubernetesLeaseElector` with `leaderElect`, else a
 * `SingleReplica`. Not started. Throws a `config` CmdbError naming the flag for a bad setting.
 */
export function leaderElectionFromOptions(options: LeaderElectionOptions = {}): Leadership {
  const env = options.env ?? process.env;
  const identity = options.identity ?? defaultIdentity(env);
  if (!options.leaderElect) return new SingleReplica({ identity, onEvent: options.onEvent });
  return new KubernetesLeaseElector({
    kubeConfig: options.kubeConfig ?? defaultKubeConfig(),
    namespace: options.namespace ?? podNamespace(options.serviceAccountNamespaceFile ?? LEADER_ELECTION_DEFAULTS.serviceAccountNamespaceFile) ?? 'default',
    leaseName: options.leaseName ?? LEADER_ELECTION_DEFAULTS.leaseName,
    identity,
    timing: timingFromOptions(options),
    timingNames: FLAGS,
    onEvent: options.onEvent,
  });
}

/** The three durations from their flags (defaults for those not given). */
export function timingFromOptions(options: Pick<LeaderElectionOptions, 'leaseDuration' | 'renewDeadline' | 'retryPeriod'>): LeaderElectionTiming {
  return {
    leaseDurationMs: duration(FLAGS.leaseDurationMs, options.leaseDuration ?? LEADER_ELECTION_DEFAULTS.leaseDuration),
    renewDeadlineMs: duration(FLAGS.renewDeadlineMs, options.renewDeadline ?? LEADER_ELECTION_DEFAULTS.renewDeadline),
    retryPeriodMs: duration(FLAGS.retryPeriodMs, options.retryPeriod ?? LEADER_ELECTION_DEFAULTS.retryPeriod),
  };
}

/** `POD_NAME`, else `HOSTNAME_UUID`: unique per process, readable in the Lease. */
export function defaultIdentity(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const pod = env.POD_NAME?.trim();
  return pod ? pod : `${hostname()}_${randomUUID()}`;
}

function duration(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new CmdbError(`${flag}: "${text}" is not a duration; write it like 15s, 500ms or 1m30s`, { code: 'config' });
  return ms;
}

function podNamespace(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function defaultKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  return kubeConfig;
}
