import {
  ApiException,
  CoordinationV1Api,
  Observable,
  V1MicroTime,
  type ConfigurationOptions,
  type KubeConfig,
  type V1Lease,
} from '@kubernetes/client-node';
import { CmdbError } from '../../core/errors.ts';

/** What a Lease says about its holder (client-go's LeaderElectionRecord). Times are the writer's clock. */
export interface LeaderElectionRecord {
  /** Empty when nobody holds the lease (after a release). */
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** Milliseconds since the epoch; informational only: expiry is judged on the reader's own clock. */
  acquireTime: number;
  renewTime: number;
  leaseTransitions: number;
}

export type LeaseRead =
  | { kind: 'found'; record: LeaderElectionRecord; /** Compared to notice a change, like client-go's raw record. */ raw: string }
  | { kind: 'not-found' };

/** `conflict`: the Lease changed since it was read (409), or already exists on create. */
export type LeaseWrite = { kind: 'written' } | { kind: 'conflict' };

export interface LeaseLockOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
}

/** The resource verbs the election uses, for error messages and RBAC advice. */
type Verb = 'get' | 'create' | 'update';

/**
 * A coordination.k8s.io/v1 Lease used as a lock (client-go's resourcelock.LeaseLock): it remembers
 * the Lease it last read or wrote, and updates carry that resourceVersion, so a concurrent change
 * makes the update fail with a conflict (optimistic concurrency). Infrastructure failures throw a
 * `leader-election` CmdbError naming the verb, the resource and the namespace; an aborted request
 * rejects with the signal's reason.
 */
export class LeaseLock {
  readonly namespace: string;
  readonly name: string;
  private readonly api: CoordinationV1Api;
  private readonly server: string;
  private lease: V1Lease | undefined;

  constructor(options: LeaseLockOptions) {
    this.namespace = options.namespace;
    this.name = options.name;
    this.api = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.server = options.kubeConfig.getCurrentCluster()?.server ?? '(no server in the kubeconfig)';
  }

  /** `leases.coordination.k8s.io "NAME" in namespace "NS"`. */
  describe(): string {
    return `leases.coordination.k8s.io "${this.name}" in namespace "${this.namespace}"`;
  }

  async get(signal: AbortSignal): Promise<LeaseRead> {
    try {
      this.lease = await this.api.readNamespacedLease({ name: this.name, namespace: this.namespace }, withSignal(signal));
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return { kind: 'not-found' };
      throw this.failure('get', error, signal);
    }
    const record = toRecord(this.lease);
    return { kind: 'found', record, raw: rawRecord(record) };
  }

  async create(record: LeaderElectionRecord, signal: AbortSignal): Promise<LeaseWrite> {
    const body: V1Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace: this.namespace }, spec: toSpec(record) };
    try {
      this.lease = await this.api.createNamespacedLease({ namespace: this.namespace, body }, withSignal(signal));
      return { kind: 'written' };
    } catch (error) {
      if (error instanceof ApiException && error.code === 409) return { kind: 'conflict' };
      throw this.failure('create', error, signal);
    }
  }

  /** Writes `record` over the Lease last read or written; a bug to call before either. */
  async update(record: LeaderElectionRecord, signal: AbortSignal): Promise<LeaseWrite> {
    if (!this.lease) throw new CmdbError('LeaseLock.update called before get or create', { code: 'internal' });
    const body: V1Lease = { ...this.lease, spec: toSpec(record) };
    try {
      this.lease = await this.api.replaceNamespacedLease({ name: this.name, namespace: this.namespace, body }, withSignal(signal));
      return { kind: 'written' };
    } catch (error) {
      if (error instanceof ApiException && error.code === 409) return { kind: 'conflict' };
      throw this.failure('update', error, signal);
    }
  }

  private failure(verb: Verb, error: unknown, signal: AbortSignal): unknown {
    if (signal.aborted) return signal.reason;
    const what = `leader election: cannot ${verb} ${this.describe()}`;
    if (error instanceof ApiException) {
      const message = statusMessage(error.body);
      if (error.code === 403) {
        return new CmdbError(
          `${what}: forbidden (${message}). Grant this identity get, create and update on leases.coordination.k8s.io in namespace "${this.namespace}" (a Role and a RoleBinding)`,
          { code: 'leader-election', cause: error },
        );
      }
      if (error.code === 401) {
        return new CmdbError(`${what}: the API server at ${this.server} rejected the credentials (401 ${message})`, { code: 'leader-election', cause: error });
      }
      return new CmdbError(`${what}: the API server at ${this.server} answered ${error.code} (${message})`, { code: 'leader-election', cause: error });
    }
    return new CmdbError(`${what}: the API server at ${this.server} is unreachable (${networkReason(error)})`, { code: 'leader-election', cause: error });
  }
}

/** Per-request options that let `signal` abort the request. */
function withSignal(signal: AbortSignal): ConfigurationOptions {
  return {
    middleware: [{
      pre: (context) => {
        context.setSignal(signal);
        return new Observable(Promise.resolve(context));
      },
      post: (response) => new Observable(Promise.resolve(response)),
    }],
    middlewareMergeStrategy: 'append',
  };
}

function toRecord(lease: V1Lease): LeaderElectionRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: spec.acquireTime ? new Date(spec.acquireTime).getTime() : 0,
    renewTime: spec.renewTime ? new Date(spec.renewTime).getTime() : 0,
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

function toSpec(record: LeaderElectionRecord): NonNullable<V1Lease['spec']> {
  return {
    // Empty after a release: nobody holds it, anyone may take it at once.
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    // MicroTime needs six fractional digits on the wire, which V1MicroTime writes.
    acquireTime: new V1MicroTime(record.acquireTime),
    renewTime: new V1MicroTime(record.renewTime),
    leaseTransitions: record.leaseTransitions,
  };
}

/** A canonical text of the record, to notice that the Lease changed between two reads. */
export function rawRecord(record: LeaderElectionRecord): string {
  return JSON.stringify([record.holderIdentity, record.leaseDurationSeconds, record.acquireTime, record.renewTime, record.leaseTransitions]);
}

function statusMessage(body: unknown): string {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim().slice(0, 300);
    }
  }
  const message = (value as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : 'no message';
}

/** The innermost cause's code or message: `ECONNREFUSED`, `ETIMEDOUT`, ... */
function networkReason(error: unknown): string {
  let current: unknown = error;
  let reason = 'unknown error';
  for (let depth = 0; current && depth < 5; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string') return typeof message === 'string' && !message.includes(code) ? `${code}: ${message}` : String(message ?? code);
    if (typeof message === 'string' && message) reason = message;
    current = (current as { cause?: unknown }).cause;
  }
  return reason;
}
