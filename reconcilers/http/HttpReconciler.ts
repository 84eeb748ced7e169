import { setTimeout as sleep } from 'node:timers/promises';
import { CmdbError } from '../../core/errors.ts';
import { validateHttpBinding } from '../bindings.ts';
import { FindingBook } from '../findings.ts';
import type { Reconciler, ReconcilerOptions } from '../Reconciler.ts';
import type { Binding, Finding, FindingChange, HttpBinding, HttpFinding } from '../types.ts';
import { INITIAL_PROBE_STATE, nextProbeState, type ProbeState } from './hysteresis.ts';
import { probe, type ProbeOutcome } from './probe.ts';
import { Semaphore } from './semaphore.ts';

export interface HttpReconcilerOptions extends ReconcilerOptions {
  /** Probes in flight at once, across every binding and `reconcileOnce` (default 16). */
  concurrency?: number;
}

export const DEFAULT_HTTP_CONCURRENCY = 16;

/** One watched binding: its settings, its probe history, and the loop probing it. */
interface Watched {
  binding: HttpBinding;
  state: ProbeState;
  abort: AbortController;
  loop: Promise<void>;
}

const httpOnly = (bindings: readonly Binding[]): HttpBinding[] => bindings.filter((b): b is HttpBinding => b.check === 'http');

function findingOf(binding: HttpBinding, problem: { finding: 'unhealthy' | 'unknown'; message: string }): HttpFinding {
  return { ref: binding.ref, check: 'http', finding: problem.finding, target: { url: binding.target.url }, message: problem.message };
}

/**
 * Probes HTTP endpoints: each binding on its own interval, at most
 * `concurrency` probes at once, `unhealthy` (or `unknown`) after
 * `failureThreshold` consecutive failures and cleared after
 * `successThreshold` consecutive successes.
 */
export class HttpReconciler implements Reconciler {
  readonly check = 'http' as const;
  private readonly limiter: Semaphore;
  private readonly book = new FindingBook();
  private watched: Map<string, Watched> | undefined;
  private stopping: AbortController | undefined;

  constructor(private readonly options: HttpReconcilerOptions = {}) {
    this.limiter = new Semaphore(options.concurrency ?? DEFAULT_HTTP_CONCURRENCY);
  }

  async start(bindings: readonly Binding[]): Promise<void> {
    if (this.watched) throw new CmdbError('HttpReconciler.start: already started', { code: 'internal' });
    const http = checked(bindings);
    this.stopping = new AbortController();
    this.watched = new Map();
    for (const binding of http) this.watch(binding);
  }

  async update(bindings: readonly Binding[]): Promise<void> {
    if (!this.watched) throw new CmdbError('HttpReconciler.update: not started', { code: 'internal' });
    const next = new Map(checked(bindings).map((b) => [b.key, b] as const));
    for (const [key, w] of this.watched) {
      const binding = next.get(key);
      if (binding) {
        w.binding = binding;
        continue;
      }
      w.abort.abort();
      this.watched.delete(key);
      this.emit(this.book.remove(key));
    }
    for (const binding of next.values()) if (!this.watched.has(binding.key)) this.watch(binding);
  }

  findings(): Finding[] {
    return this.book.all();
  }

  async reconcileOnce(bindings: readonly Binding[]): Promise<Finding[]> {
    const http = checked(bindings).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const outcomes = await Promise.all(http.map((b) => this.limiter.run(() => probe(b))));
    return http.flatMap((binding, i) => {
      const outcome = outcomes[i]!;
      return outcome.ok ? [] : [findingOf(binding, outcome)];
    });
  }

  async stop(): Promise<void> {
    const watched = this.watched;
    if (!watched) return;
    this.stopping?.abort();
    this.watched = undefined;
    await Promise.all([...watched.values()].map((w) => w.loop));
  }

  private watch(binding: HttpBinding): void {
    const abort = new AbortController();
    const w: Watched = { binding, state: INITIAL_PROBE_STATE, abort, loop: Promise.resolve() };
    this.watched!.set(binding.key, w);
    w.loop = this.probeLoop(w, AbortSignal.any([abort.signal, this.stopping!.signal]));
  }

  /** Probe, judge, report, wait; until the binding is removed or the reconciler stops. */
  private async probeLoop(w: Watched, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const outcome: ProbeOutcome | undefined = await this.limiter.run(() => (signal.aborted ? Promise.resolve(undefined) : probe(w.binding, signal)));
      if (outcome === undefined || signal.aborted) return;
      w.state = nextProbeState(w.state, outcome, w.binding);
      const reported = w.state.reported;
      this.emit(this.book.replace(w.binding.key, reported ? [findingOf(w.binding, reported)] : []));
      try {
        await sleep(w.binding.intervalMs, undefined, { signal });
      } catch {
        return;
      }
    }
  }

  private emit(changes: readonly FindingChange[]): void {
    for (const change of changes) {
      try {
        this.options.onChange?.(change);
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }
}

/** The HTTP bindings, each validated: a bad one is a caller's bug (bindings are validated where built). */
function checked(bindings: readonly Binding[]): HttpBinding[] {
  const http = httpOnly(bindings);
  for (const binding of http) {
    const problem = validateHttpBinding(binding);
    if (problem) throw new CmdbError(`HTTP binding ${binding.key}: ${problem.setting} ${problem.message}`, { code: 'usage' });
  }
  return http;
}
