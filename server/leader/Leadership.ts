import type { CmdbError } from '../../core/errors.ts';

/**
 * Why a replica stopped leading:
 * - `stopped`: `stop()` was called (the lease is released afterwards);
 * - `renew-deadline`: the lease could not be renewed within the renew deadline, so the replica
 *   stops acting before another can take the lease over;
 * - `lost`: the lease was observed held by another identity (someone changed it under us).
 */
export type StoppedLeadingReason = 'stopped' | 'renew-deadline' | 'lost';

/** What a `Leadership` reports to the listener given at construction, in the order it happens. */
export type LeadershipEvent =
  /** This replica now leads: it may reconcile and process queued deliveries until `stopped-leading`. */
  | { type: 'started-leading'; identity: string }
  /**
   * This replica no longer leads. Delivered synchronously before the lease can be taken by another
   * replica; for `stopped`, `stop()` waits for a returned promise before releasing the lease.
   */
  | { type: 'stopped-leading'; identity: string; reason: StoppedLeadingReason }
  /** The observed holder changed (client-go's OnNewLeader); `leader` is undefined when nobody holds it. */
  | { type: 'new-leader'; leader: string | undefined }
  /**
   * Reading or writing the lease failed (forbidden, unreachable, rejected). Reported once per distinct
   * failure until an attempt succeeds again; the replica keeps trying and never leads meanwhile.
   */
  | { type: 'error'; error: CmdbError };

export interface StopOptions {
  /**
   * Release the lease (default true). False leaves it to expire, as a killed
   * process does: for a replica that knows work of its term may still be
   * running (a delivery past the shutdown deadline).
   */
  release?: boolean;
}

/** Receives the events of a `Leadership`; a promise returned for `stopped-leading` is awaited by `stop()`. */
export type LeadershipListener = (event: LeadershipEvent) => void | Promise<void>;

/**
 * Who may act on shared state. Exactly one replica leads at a time: only the leader reconciles and
 * processes queued webhook deliveries; every replica serves reads. Implementations:
 * `KubernetesLeaseElector` (a coordination.k8s.io/v1 Lease, client-go's algorithm) and
 * `SingleReplica` (always the leader; the default without `--leader-elect`).
 */
export interface Leadership {
  /** This replica's identity (the Lease's holderIdentity when it leads). */
  readonly identity: string;

  /**
   * True while this replica leads. Guard every leader-only action with it: it turns false no later
   * than the renew deadline, even before the `stopped-leading` event has been delivered.
   */
  isLeader(): boolean;

  /** The last observed holder of the lease (this replica's identity when it leads), if any. */
  leader(): string | undefined;

  /** Starts taking part in the election; returns at once. Starting twice, or after stop(), is a bug (throws). */
  start(): void;

  /**
   * Stops taking part: delivers `stopped-leading` (reason `stopped`) when leading, waits for the
   * listener, then releases the lease so another replica takes over at once (client-go's
   * ReleaseOnCancel). Resolves when done; calling it again, or before `start()`, is harmless.
   */
  stop(options?: StopOptions): Promise<void>;
}
