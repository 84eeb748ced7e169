import type { KubeConfig } from '@kubernetes/client-node';
import { CmdbError } from '../../core/errors.ts';
import type { RefString } from '../../core/types.ts';
import { FindingBook } from '../findings.ts';
import type { ProgressClock } from '../health/health.ts';
import { runPass, type PassStep } from '../pass.ts';
import type { Reconciler, ReconcilerOptions } from '../Reconciler.ts';
import type { Binding, Finding, FindingChange, KubernetesBinding } from '../types.ts';
import { KubeClient } from './client.ts';
import { Informer, listCollection, objectKey, stateOfList, type InformerState } from './informer.ts';
import { clusterFindingKey, clusterOfCollection, collectionsOf, judgeCluster, type ClusterJudgement } from './judgeCluster.ts';

/** How to reach a Cluster entity: a kubeconfig whose current context is the cluster's, or why there is none. */
export type ClusterAccess = { config: KubeConfig } | { problem: string };

export interface KubernetesReconcilerOptions extends ReconcilerOptions {
  /** The access to a Cluster entity (its `spec.kubernetes.context` in the controller's kubeconfig); see `clusterAccessFrom`. */
  access: (cluster: RefString) => ClusterAccess;
  /** Relist every collection this often (default 10 min). */
  resyncMs?: number;
  /** Re-judge every binding this often, so progress deadlines pass without an event (default 30 s). */
  rejudgeMs?: number;
  /** Deadline of a progressing StatefulSet or DaemonSet (default 600 s). */
  progressDeadlineMs?: number;
  /** Back-off of a failed list or watch (default 500 ms doubling to 30 s). */
  backoff?: { initialMs: number; maxMs: number };
  /** Timeout of one request to an API server (default 10 s). */
  requestTimeoutMs?: number;
}

/** One pass over one cluster: its bindings, the states of their collections, the judgement. */
interface KubernetesPass {
  cluster: RefString;
  bindings: KubernetesBinding[];
  problem?: string;
  states: Map<string, InformerState>;
  clocks: ReadonlyMap<string, ProgressClock>;
  judgement?: ClusterJudgement;
}

const byCluster = (bindings: readonly KubernetesBinding[]): Map<RefString, KubernetesBinding[]> => {
  const out = new Map<RefString, KubernetesBinding[]>();
  for (const b of bindings) out.set(b.target.cluster, [...(out.get(b.target.cluster) ?? []), b]);
  return out;
};

/**
 * Watches Kubernetes objects: one list+watch (`Informer`) per cluster, kind
 * and namespace, shared by every binding in it, plus the namespace's
 * HorizontalPodAutoscalers for bindings that expect `spec.replicas`. A watch
 * event re-judges the bindings of the object it names (of an autoscaler:
 * those reading the namespace's), a list or a failure those of the
 * collection, the `rejudgeMs` timer all of them; a cluster it
 * cannot reach (or whose credentials it rejects) has one `unknown` finding
 * of its own, and its bindings keep their last findings until it answers.
 */
export class KubernetesReconciler implements Reconciler {
  readonly check = 'kubernetes' as const;
  private book = new FindingBook();
  private bindings: Map<string, KubernetesBinding> | undefined;
  /** Which bindings a change of a collection (or of one object in it) can change the judgement of. */
  private dependents: Dependents = new Map();
  /** Per cluster: its client (or why there is none) and the access it was made from. */
  private readonly clients = new Map<RefString, { client: KubeClient | string; fingerprint: string }>();
  private readonly informers = new Map<string, Informer>();
  private readonly clocks = new Map<string, ProgressClock>();
  private readonly clustersWithFinding = new Set<RefString>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: KubernetesReconcilerOptions) {}

  async start(bindings: readonly Binding[]): Promise<void> {
    if (this.bindings) throw new CmdbError('KubernetesReconciler.start: already started', { code: 'internal' });
    // A start after a stop begins from nothing, like a new process (findings() still answered in between).
    this.book = new FindingBook();
    this.clocks.clear();
    this.clustersWithFinding.clear();
    this.clients.clear();
    this.bindings = new Map();
    this.timer = setInterval(() => this.judgeAll(), this.options.rejudgeMs ?? 30_000);
    this.timer.unref();
    await this.update(bindings);
  }

  async update(bindings: readonly Binding[]): Promise<void> {
    if (!this.bindings) throw new CmdbError('KubernetesReconciler.update: not started', { code: 'internal' });
    const next = new Map(kubernetes(bindings).map((b) => [b.key, b] as const));
    for (const key of this.bindings.keys()) {
      if (next.has(key)) continue;
      this.clocks.delete(key);
      this.emit(this.book.remove(key));
    }
    this.bindings = next;
    this.dependents = dependentsOf(next.values());
    const needed = new Map<string, { cluster: RefString; apiVersion: string; kind: string; namespace?: string }>();
    for (const b of next.values()) for (const c of collectionsOf(b)) needed.set(c.key, { cluster: b.target.cluster, ...c });
    // A cluster whose access changed (another context, server or user) starts over with a new client.
    const moved = new Set<RefString>();
    for (const [cluster, known] of this.clients) {
      if (fingerprintOf(this.options.access(cluster)) === known.fingerprint) continue;
      this.clients.delete(cluster);
      moved.add(cluster);
    }
    const gone = [...this.informers.entries()].filter(([key]) => !needed.has(key) || moved.has(clusterOfCollection(key)));
    for (const [key] of gone) this.informers.delete(key);
    await Promise.all(gone.map(([, informer]) => informer.stop()));
    for (const [key, c] of needed) {
      if (this.informers.has(key)) continue;
      const client = this.clientFor(c.cluster);
      if (typeof client === 'string') continue;
      const informer = new Informer({ client, apiVersion: c.apiVersion, kind: c.kind, namespace: c.namespace, onChange: (object) => this.judge(c.cluster, { collection: key, object }), resyncMs: this.options.resyncMs, backoff: this.options.backoff });
      this.informers.set(key, informer);
      informer.start();
    }
    const clusters = new Set([...next.values()].map((b) => b.target.cluster));
    for (const cluster of this.clustersWithFinding) if (!clusters.has(cluster)) this.dropClusterFinding(cluster, 'binding-removed');
    this.judgeAll();
  }

  findings(): Finding[] {
    return this.book.all();
  }

  async reconcileOnce(bindings: readonly Binding[]): Promise<Finding[]> {
    const clusters = [...byCluster(kubernetes(bindings)).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const results = await Promise.all(clusters.map(([cluster, list]) => this.passOnce(cluster, list)));
    const book = new FindingBook();
    for (const judgement of results) {
      if (judgement.cluster) book.replace(clusterFindingKey(judgement.cluster.ref), [judgement.cluster]);
      for (const [key, { findings }] of judgement.bindings) book.replace(key, findings);
    }
    return book.all();
  }

  async stop(): Promise<void> {
    if (!this.bindings) return;
    this.bindings = undefined;
    clearInterval(this.timer);
    const informers = [...this.informers.values()];
    this.informers.clear();
    await Promise.all(informers.map((i) => i.stop()));
  }

  /** A single pass: a fresh client per cluster, one list per collection, no clocks. */
  private async passOnce(cluster: RefString, bindings: KubernetesBinding[]): Promise<ClusterJudgement> {
    const access = this.options.access(cluster);
    const client = 'problem' in access ? undefined : new KubeClient({ config: access.config, requestTimeoutMs: this.options.requestTimeoutMs });
    const pass: KubernetesPass = { cluster, bindings, states: new Map(), clocks: new Map(), ...('problem' in access ? { problem: access.problem } : {}) };
    const steps: PassStep<KubernetesPass>[] = [
      {
        name: 'list',
        async run(p) {
          if (!client) return;
          const collections = new Map(p.bindings.flatMap(collectionsOf).map((c) => [c.key, c] as const));
          await Promise.all([...collections.entries()].map(async ([key, c]) => p.states.set(key, stateOfList(await listCollection(client, c)))));
        },
      },
      { name: 'judge', run: (p) => void (p.judgement = judgeCluster(p.cluster, p.bindings, (k) => p.states.get(k), { problem: p.problem, clocks: p.clocks, now: Date.now(), progressDeadlineMs: this.options.progressDeadlineMs })) },
    ];
    return runPass('kubernetes', steps, pass, (p, error) => {
      if (error === undefined && p.judgement) return p.judgement;
      this.options.onError?.(error);
      const message = `the pass over ${cluster} failed: ${error instanceof Error ? error.message : String(error)}`;
      return judgeCluster(cluster, [], () => undefined, { problem: message, clocks: new Map(), now: Date.now() });
    }, this.options.stepTimer);
  }

  private clientFor(cluster: RefString): KubeClient | string {
    let known = this.clients.get(cluster);
    if (known === undefined) {
      const access = this.options.access(cluster);
      const client = 'problem' in access ? access.problem : new KubeClient({ config: access.config, requestTimeoutMs: this.options.requestTimeoutMs });
      known = { client, fingerprint: fingerprintOf(access) };
      this.clients.set(cluster, known);
    }
    return known.client;
  }

  private judgeAll(): void {
    if (!this.bindings) return;
    for (const cluster of new Set([...this.bindings.values()].map((b) => b.target.cluster))) this.judge(cluster);
  }

  /**
   * Re-judges bindings of one cluster from its informers' states and reports
   * what changed: those a change of one collection can concern (`cause`: a
   * watch event names its object, so only the bindings of that object and
   * those reading the collection as their HorizontalPodAutoscalers), else
   * all of them. A cluster-wide failure of any of its collections is the
   * cluster's finding either way.
   */
  private judge(cluster: RefString, cause?: { collection: string; object?: string }): void {
    if (!this.bindings) return;
    const bindings = cause ? this.dependentsOf(cause) : [...this.bindings.values()].filter((b) => b.target.cluster === cluster);
    const client = this.clientFor(cluster);
    const started = performance.now();
    const judgement = judgeCluster(cluster, bindings, (key) => this.informers.get(key)?.state, {
      ...(typeof client === 'string' ? { problem: client } : {}),
      clocks: this.clocks,
      now: Date.now(),
      progressDeadlineMs: this.options.progressDeadlineMs,
      collections: [...this.informers.keys()].filter((key) => clusterOfCollection(key) === cluster),
    });
    this.options.stepTimer?.('kubernetes', 'judge', (performance.now() - started) / 1000);
    if (judgement.cluster) {
      this.clustersWithFinding.add(cluster);
      this.emit(this.book.replace(clusterFindingKey(cluster), [judgement.cluster]));
      return;
    }
    // The cluster answers again: events of its other collections were not judged meanwhile, so all are judged now.
    if (cause && this.clustersWithFinding.has(cluster)) return this.judge(cluster);
    this.dropClusterFinding(cluster, 'fixed');
    for (const [key, { findings, clock }] of judgement.bindings) {
      this.clocks.set(key, clock);
      this.emit(this.book.replace(key, findings));
    }
  }

  /** The bindings a change of `collection` (of one object in it, when named) can concern. */
  private dependentsOf({ collection, object }: { collection: string; object?: string }): KubernetesBinding[] {
    const of = this.dependents.get(collection);
    if (!of) return [];
    const keys = object === undefined ? [...of.own.values()].flat() : (of.own.get(object) ?? []);
    return [...keys, ...of.hpa].map((key) => this.bindings!.get(key)!);
  }

  private dropClusterFinding(cluster: RefString, reason: 'fixed' | 'binding-removed'): void {
    if (!this.clustersWithFinding.delete(cluster)) return;
    this.emit(this.book.replace(clusterFindingKey(cluster), [], reason));
  }

  private emit(changes: readonly FindingChange[]): void {
    if (!this.bindings) return;
    for (const change of changes) {
      try {
        this.options.onChange?.(change);
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }
}

/** Per collection key: the bindings of each of its objects (by `objectKey`), and those reading it as their HorizontalPodAutoscalers. */
type Dependents = Map<string, { own: Map<string, string[]>; hpa: string[] }>;

function dependentsOf(bindings: Iterable<KubernetesBinding>): Dependents {
  const byCollection: Dependents = new Map();
  const entry = (key: string) => {
    let e = byCollection.get(key);
    if (!e) byCollection.set(key, (e = { own: new Map(), hpa: [] }));
    return e;
  };
  for (const b of bindings) {
    const [own, hpas] = collectionsOf(b);
    const object = objectKey(b.target.namespace, b.target.name);
    const list = entry(own.key).own;
    list.set(object, [...(list.get(object) ?? []), b.key]);
    if (hpas) entry(hpas.key).hpa.push(b.key);
  }
  return byCollection;
}

/** What identifies an access: the problem, or the server, user and context of the config. */
function fingerprintOf(access: ClusterAccess): string {
  if ('problem' in access) return `problem ${access.problem}`;
  const c = access.config;
  return JSON.stringify([c.getCurrentContext(), c.getCurrentCluster(), c.getCurrentUser()]);
}

const kubernetes = (bindings: readonly Binding[]): KubernetesBinding[] => bindings.filter((b): b is KubernetesBinding => b.check === 'kubernetes');
