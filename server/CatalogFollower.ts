import type { Logger } from 'pino';
import type { CatalogReader } from '../catalog/CatalogReader.ts';
import type { Snapshot, Violation } from '../catalog/types.ts';
import type { EventBus } from '../core/EventBus.ts';
import type { GraphStore } from '../graph/GraphStore.ts';
import { syncStore } from '../graph/syncStore.ts';
import { formatViolation } from '../controller/report.ts';
import { commitViolations } from '../controller/commitViolations.ts';
import { CONFIG_SECTIONS } from '../incidents/configSections.ts';
import type { ReadinessCheck } from './health.ts';

/** Longest wait between two attempts after failures. */
const MAX_BACKOFF_MS = 5 * 60_000;

export interface CatalogFollowerOptions {
  reader: CatalogReader;
  graph: GraphStore;
  /** The revision followed (`main`, `refs/remotes/origin/main`). */
  ref: string;
  /** Where `catalogMoved` is published; `defaultBranchMoved` of `repository` triggers a sync at once. */
  events: EventBus;
  /** The config repo (`owner/name`) whose merges move `ref`, with the GitHub controller. */
  repository?: string;
  log: Logger;
}

/**
 * Keeps the graph store on the latest commit of a revision. A commit with
 * violations is served all the same (its valid part): each violation is
 * logged once for that commit and kept for /readyz and `catalogViolations`.
 * Failures are kept for /readyz and retried with exponential back-off; the
 * last good snapshot stays served meanwhile.
 */
export class CatalogFollower {
  snapshot?: Snapshot;
  /** Problems of the served commit (see commitViolations). */
  violations: readonly Violation[] = [];
  lastError?: string;
  failures = 0;
  /** When the revision was first seen ahead of the served commit (for the commit lag); undefined when up to date. */
  behindSince?: number;
  private readonly options: CatalogFollowerOptions;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private running?: Promise<boolean>;
  private stopped = false;
  private pollMs = 0;

  constructor(options: CatalogFollowerOptions) {
    this.options = options;
  }

  /** Syncs the store when the revision moved or the store lost its state; true when the served commit changed. Concurrent calls share one sync. */
  refresh(): Promise<boolean> {
    this.running ??= this.sync().finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * Starts listening for merges and looking at the revision every
   * `pollSeconds` (0: only on merges). The interval is given here, not at
   * construction, because cmdb.yaml's `server.pollSeconds` is known only
   * once the first commit is read.
   */
  start(pollSeconds: number): void {
    this.pollMs = pollSeconds * 1000;
    const { events, repository } = this.options;
    if (repository)
      this.unsubscribe = events.subscribe('defaultBranchMoved', async (e) => {
        if (e.data.repository.toLowerCase() === repository.toLowerCase()) await this.refresh();
      });
    this.schedule();
  }

  /** Stops polling and listening; a sync in progress finishes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.unsubscribe?.();
    await this.running;
  }

  /** Wait before the next attempt: the poll interval, doubled per consecutive failure. */
  nextDelay(pollMs: number): number {
    return Math.min(pollMs * 2 ** Math.min(this.failures, 16), Math.max(pollMs, MAX_BACKOFF_MS));
  }

  /** /readyz's `catalog` check: a commit is served and the last sync worked; the violation count rides along. */
  readonly readiness: ReadinessCheck = {
    name: 'catalog',
    check: async () => {
      const commit = this.snapshot?.commit ?? null;
      const details = { commit, entities: this.snapshot?.entities.size ?? 0, violations: this.violations.length };
      if (!this.snapshot) return { ok: false, message: this.lastError ?? 'no commit loaded yet', details };
      if (this.lastError) return { ok: false, message: `serving ${commit!.slice(0, 12)}; the last sync failed: ${this.lastError}`, details };
      return { ok: true, message: `${commit} (${details.entities} entities, ${details.violations} violation(s))`, details };
    },
  };

  private async sync(): Promise<boolean> {
    const { reader, graph, ref, log } = this.options;
    try {
      const target = await reader.git.resolve(ref);
      if (target !== this.snapshot?.commit) this.behindSince ??= performance.now();
      if (target === this.snapshot?.commit && this.failures === 0 && (await graph.commit()) === target) return false;
      const before = this.snapshot?.commit;
      const r = await syncStore({ reader, store: graph, rev: target, known: this.snapshot });
      this.snapshot = r.snapshot;
      this.behindSince = undefined;
      if (this.failures > 0) log.info({ commit: r.snapshot.commit }, 'sync recovered');
      this.lastError = undefined;
      this.failures = 0;
      if (r.snapshot.commit === before) return false;
      this.violations = await this.violationsOf(r.snapshot);
      this.options.events.publish('catalogMoved', {
        commit: r.snapshot.commit,
        ...(before ? { previous: before } : {}),
        entities: r.snapshot.entities.size,
        violations: this.violations.length,
        mode: r.mode,
        seconds: r.ms / 1000,
      });
      return true;
    } catch (e) {
      this.lastError = (e as Error).message;
      this.failures++;
      return false;
    }
  }

  /** The commit's violations, each logged once (the commit is new here). */
  private async violationsOf(snapshot: Snapshot): Promise<Violation[]> {
    const { reader, graph, log } = this.options;
    let violations: Violation[];
    try {
      violations = await commitViolations({ reader, snapshot, graph, sections: CONFIG_SECTIONS });
    } catch (e) {
      log.warn({ err: e }, 'cannot check cycles and policies of the commit; reporting what reading it found');
      violations = [...snapshot.violations];
    }
    for (const v of violations) log[v.severity === 'error' ? 'error' : 'warn']({ commit: snapshot.commit, rule: v.rule, ref: v.ref, file: v.file, line: v.line, column: v.column }, formatViolation(v));
    if (violations.length > 0) log.warn({ commit: snapshot.commit, violations: violations.length }, 'serving the valid part of a commit with violations (GraphQL catalogViolations lists them)');
    return violations;
  }

  private schedule(): void {
    const { pollMs } = this;
    if (pollMs <= 0 || this.stopped) return;
    this.timer = setTimeout(async () => {
      const moved = await this.refresh();
      if (moved) this.options.log.info({ commit: this.snapshot?.commit }, 'graph follows new commit');
      if (this.lastError) this.options.log.warn({ error: this.lastError, retryInMs: this.nextDelay(pollMs) }, 'sync failed');
      this.schedule();
    }, this.nextDelay(pollMs));
  }
}
