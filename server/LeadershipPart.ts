import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { CmdbError } from '../core/errors.ts';
import type { ServerConfig } from './config.ts';
import type { ReadinessCheck } from './health.ts';
import type { Leadership, LeadershipEvent, LeadershipListener, StopOptions } from './leader/Leadership.ts';
import type { ServerMetrics } from './metrics.ts';

export interface LeadershipPartOptions {
  /** Builds the election with the part's listener (e.g. `leaderElectionFromOptions({ ..., onEvent })`); not started. */
  create: (onEvent: LeadershipListener) => Leadership;
  log: Logger;
  metrics: ServerMetrics;
}

/**
 * Who leads, for the parts that act only on the leader (the reconcilers, the
 * GitHub controller's queued deliveries). They receive this part at
 * construction and `subscribe` there, before `start()`; each listener gets
 * every `LeadershipEvent` in order, and `stop()` waits for their work on
 * `stopped-leading`. Declares the `leadership` readiness check (always ok: a
 * follower is ready, it serves reads) and the `cmdb_leader` gauge.
 */
export class LeadershipPart {
  readonly leadership: Leadership;
  readonly readiness: ReadinessCheck;
  private readonly listeners: LeadershipListener[] = [];
  private lastError: string | undefined;
  private readonly log: Logger;

  constructor(options: LeadershipPartOptions) {
    this.log = options.log;
    this.leadership = options.create((event) => this.dispatch(event));
    const leadership = this.leadership;
    this.readiness = {
      name: 'leadership',
      check: async () => ({
        ok: true,
        message: leadership.isLeader() ? 'leading' : 'following (serving reads)',
        details: { identity: leadership.identity, leader: leadership.leader() ?? null, leading: leadership.isLeader(), lastError: this.lastError ?? null },
      }),
    };
    options.metrics.gauge('cmdb_leader', '1 while this replica leads (reconciles and processes queued webhook deliveries), else 0.', () => (leadership.isLeader() ? 1 : 0));
  }

  /** Leader-only work asks this right before each action. */
  isLeader(): boolean {
    return this.leadership.isLeader();
  }

  /** Adds a listener; only while parts are built, before `start()`. */
  subscribe(listener: LeadershipListener): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.leadership.start();
  }

  /** Stops leading (listeners finish their `stopped-leading` work) and releases the lease (unless `release: false`). */
  stop(options?: StopOptions): Promise<void> {
    return this.leadership.stop(options);
  }

  private async dispatch(event: LeadershipEvent): Promise<void> {
    this.note(event);
    await Promise.all(
      this.listeners.map(async (listener) => {
        try {
          await listener(event);
        } catch (err) {
          this.log.error({ err, event: event.type }, 'leadership listener failed');
        }
      }),
    );
  }

  private note(event: LeadershipEvent): void {
    switch (event.type) {
      case 'started-leading':
        this.lastError = undefined;
        return void this.log.info({ identity: event.identity }, 'started leading');
      case 'stopped-leading':
        return void this.log.warn({ identity: event.identity, reason: event.reason }, 'stopped leading');
      case 'new-leader':
        return void this.log.info({ leader: event.leader ?? null }, 'leader observed');
      case 'error':
        this.lastError = event.error.message;
        return void this.log.warn({ err: event.error }, 'leader election');
    }
  }
}

/**
 * The election the configuration asks for, as a factory for `LeadershipPartOptions.create`: a
 * `SingleReplica` without `leaderElect`, else a `KubernetesLeaseElector` on the `--kubeconfig`
 * API server (the Kubernetes client loads only then).
 */
export async function leadershipFactory(config: ServerConfig): Promise<(onEvent: LeadershipListener) => Leadership> {
  const { leaderElect, leaseName, namespace, identity, leaseDuration, renewDeadline, retryPeriod } = config.leaderElection;
  if (!leaderElect) {
    const { SingleReplica } = await import('./leader/SingleReplica.ts');
    return (onEvent) => new SingleReplica({ identity, onEvent });
  }
  const { leaderElectionFromOptions } = await import('./leader/leaderElectionFromOptions.ts');
  const kubeConfig = await kubeConfigOf(config);
  return (onEvent) => leaderElectionFromOptions({ leaderElect, leaseName, namespace, identity, leaseDuration, renewDeadline, retryPeriod, kubeConfig, onEvent });
}

/** `--kubeconfig` loaded, else undefined (the usual lookup: KUBECONFIG, ~/.kube/config, the pod's service account). */
export async function kubeConfigOf(config: Pick<ServerConfig, 'kubeconfig'>): Promise<KubeConfig | undefined> {
  if (!config.kubeconfig) return undefined;
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromFile(config.kubeconfig);
  } catch (e) {
    throw new CmdbError(`--kubeconfig ${config.kubeconfig}: ${(e as Error).message}`, { code: 'config', cause: e });
  }
  return kubeConfig;
}
