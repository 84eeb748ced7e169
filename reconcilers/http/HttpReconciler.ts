import { setTimeout as sleep } from 'node:timers/promises';
import { CmdbError } from '../../core/errors.ts';
import { validateHttpBinding } from '../bindings.ts';
import { FindingBook } from '../findings.ts';
import { runPass } from '../pass.ts';
import type { Reconciler, ReconcilerOptions } from '../Reconciler.ts';
import type { Binding, Finding, FindingChange, HttpBinding } from '../types.ts';
import { INITIAL_PROBE_STATE, type ProbeState, type Thresholds } from './hysteresis.ts';
import { HTTP_PASS_STEPS, summarizeHttpPass, type HttpPassResult } from './pass.ts';
import { Semaphore } from './semaphore.ts';

export interface HttpReconcilerOptions extends ReconcilerOptions {
  /** Probes in flight at once, across every binding and `reconcileOnce` (default 16). */
  concurrency?: number;
}

export const DEFAULT_HTTP_CONCURRENCY = 16;

/** A single pass reports on the first failure (`cmdb reconcile`). */
const SINGLE_PASS: Thresholds = { failureThreshold: 1, successThreshold: 1 };

/** One watched binding: its settings, its probe history, and the loop probing it. */
interface Watched {
  binding: HttpBinding;
  state: ProbeState;
  abort: AbortController;
  loop: Promise<void>;
}

/**
 * Probes HTTP endpoints: each binding on its own interval, at most
 * `concurrency` probes at once, `unhealthy` (or `unknown`) after
 * `failureThreshold` consecutive failures and cleared after
 * `successThreshold` consecutive successes. Each probe is a pass of
 * `HTTP_PASS_STEPS` (probe, judge) summarized by `summarizeHttpPass`.
 */
export class HttpReconciler implements Reconciler {
  readonly check = 'http' as const;
  private readonly limiter: Semaphore;
  private book = new FindingBook();
  private watched: Map<string, Watched> | undefined;
  private stopping: AbortController | undefined;

  constructor(private readonly options: HttpReconcilerOptions = {}) {
    this.limiter = new Semaphore(options.concurrency ?? DEFAULT_HTTP_CONCURRENCY);
  }

  async start(bindings: readonly Binding[]): Promise<void> {
    if (this.watched) throw new CmdbError('HttpReconciler.start: already started', { code: 'internal' });
    const http = checked(bindings);
    this.book = new FindingBook(); // a start after a stop begins from nothing, like a new process
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
    const results = await Promise.all(http.map((binding) => this.pass(binding, INITIAL_PROBE_STATE, SINGLE_PASS)));
    return results.flatMap((r) => r.findings ?? []);
  }

  async stop(): Promise<void> {
    const watched = this.watched;
    if (!watched) return;
    this.stopping?.abort();
    this.watched = undefined;
    await Promise.all([...watched.values()].map((w) => w.loop));
  }

  private pass(binding: HttpBinding, state: ProbeState, thresholds: Thresholds, signal?: AbortSignal): Promise<HttpPassResult> {
    const pass = { binding, state, thresholds, limiter: this.limiter, signal };
    return runPass('http', HTTP_PASS_STEPS, pass, (p, error) => {
      if (error !== undefined) this.options.onError?.(error);
      return summarizeHttpPass(p, error);
    }, this.options.stepTimer);
  }

  private watch(binding: HttpBinding): void {
    const abort = new AbortController();
    const w: Watched = { binding, state: INITIAL_PROBE_STATE, abort, loop: Promise.resolve() };
    this.watched!.set(binding.key, w);
    w.loop = this.probeLoop(w, AbortSignal.any([abort.signal, this.stopping!.signal]));
  }

  /** Pass, report, wait; until the binding is removed or the reconciler stops. */
  private async probeLoop(w: Watched, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const result = await this.pass(w.binding, w.state, w.binding, signal);
      if (result.findings === undefined || signal.aborted) return;
      w.state = result.state;
      this.emit(this.book.replace(w.binding.key, result.findings));
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
  const http = bindings.filter((b): b is HttpBinding => b.check === 'http');
  for (const binding of http) {
    const problem = validateHttpBinding(binding);
    if (problem) throw new CmdbError(`HTTP binding ${binding.key}: ${problem.setting} ${problem.message}`, { code: 'usage' });
  }
  return http;
}
