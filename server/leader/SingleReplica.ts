import { hostname } from 'node:os';
import { CmdbError } from '../../core/errors.ts';
import type { Leadership, LeadershipListener } from './Leadership.ts';

export interface SingleReplicaOptions {
  /** Defaults to the host name. */
  identity?: string;
  onEvent?: LeadershipListener;
}

/**
 * The only replica, hence always the leader once started (the default without --leader-elect):
 * `start()` delivers `started-leading`, `stop()` delivers `stopped-leading` (reason `stopped`) and
 * waits for the listener. Running two of these against the same state is not safe; use
 * `KubernetesLeaseElector` for several replicas.
 */
export class SingleReplica implements Leadership {
  readonly identity: string;
  private readonly onEvent: LeadershipListener;
  private state: 'idle' | 'leading' | 'stopped' = 'idle';
  private stopped: Promise<void> | undefined;

  constructor(options: SingleReplicaOptions = {}) {
    this.identity = options.identity ?? hostname();
    this.onEvent = options.onEvent ?? (() => {});
  }

  isLeader(): boolean {
    return this.state === 'leading';
  }

  leader(): string | undefined {
    return this.state === 'leading' ? this.identity : undefined;
  }

  start(): void {
    if (this.state !== 'idle') throw new CmdbError('SingleReplica.start called twice or after stop', { code: 'internal' });
    this.state = 'leading';
    this.onEvent({ type: 'new-leader', leader: this.identity });
    this.onEvent({ type: 'started-leading', identity: this.identity });
  }

  stop(): Promise<void> {
    this.stopped ??= this.shutDown();
    return this.stopped;
  }

  private async shutDown(): Promise<void> {
    const wasLeading = this.state === 'leading';
    this.state = 'stopped';
    if (!wasLeading) return;
    await this.onEvent({ type: 'stopped-leading', identity: this.identity, reason: 'stopped' });
    this.onEvent({ type: 'new-leader', leader: undefined });
  }
}
