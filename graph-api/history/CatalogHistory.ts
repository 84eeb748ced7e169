import type { CatalogReader } from '../../catalog/CatalogReader.ts';
import { diffSnapshots } from '../../catalog/diff.ts';
import type { Snapshot, SnapshotDiff, Violation } from '../../catalog/types.ts';
import { isCmdbError } from '../../core/errors.ts';
import { commitViolations } from '../../controller/commitViolations.ts';
import { evaluateChange } from '../../controller/evaluateChange.ts';
import { toReport, type ChangeReport } from '../../controller/report.ts';
import type { GraphStore } from '../../graph/GraphStore.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { badInput } from '../errors.ts';
import { CommitLog, type CommitInfo } from './commitLog.ts';

export type { CommitInfo };

/** The catalog of one commit, ready for queries. */
export interface CommitCatalog {
  commit: CommitInfo;
  snapshot: Snapshot;
  store: GraphStore;
  violations: readonly Violation[];
}

/** What the server serves now: `catalog(at:)` of its commit answers from it instead of loading it again. */
export interface ServedCatalog {
  snapshot: Snapshot;
  store: GraphStore;
  violations: readonly Violation[];
}

export interface CatalogHistoryOptions {
  /** The server's reader (it derives older commits from the served snapshot, which it produced). */
  reader: CatalogReader;
  /** The followed revision (`main`, `refs/remotes/origin/main`): ISO dates pick a commit of its log. */
  ref: string;
  /** The config repository's directory (commit dates and the log are read from it). */
  repo: string;
  /** Commits kept loaded, least recently used dropped first (default 4). */
  keep?: number;
  /** The served commit, when there is one. */
  served?: () => ServedCatalog | undefined;
}

/** `2026-01-02`, `2026-01-02T10:00`, `2026-01-02T10:00:00Z`, `2026-01-02T10:00:00.5+02:00`. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Parsed date when `at` is an ISO date (dates and times without an offset are UTC). */
export function parseIsoDate(at: string): Date | undefined {
  if (!ISO_DATE.test(at)) return undefined;
  const utc = /(?:Z|[+-]\d{2}:?\d{2})$/.test(at) || !at.includes(':') ? at : `${at}Z`;
  const time = Date.parse(utc.replace(' ', 'T'));
  return Number.isNaN(time) ? undefined : new Date(time);
}

/**
 * The catalog at any commit of the config repository: `catalog(at:)`,
 * `diff`, `evaluateChange`. A commit is read with the server's
 * CatalogReader (derived from the served snapshot by the files that
 * changed, else its stored table or a full read) and loaded into its own
 * InMemoryGraphStore; the `keep` most recently used commits stay loaded
 * (about a snapshot table plus a graph index each: see docs/graphql.md).
 */
export class CatalogHistory {
  private readonly options: CatalogHistoryOptions;
  private readonly log: CommitLog;
  private readonly keep: number;
  private readonly loaded = new Map<string, Promise<CommitCatalog>>();
  /** Commits are read one at a time, whatever the number of requests: memory stays near `keep` commits. */
  private reading: Promise<unknown> = Promise.resolve();

  constructor(options: CatalogHistoryOptions) {
    this.options = options;
    this.log = new CommitLog({ repo: options.repo });
    this.keep = Math.max(1, options.keep ?? 4);
  }

  /** Shas of the commits kept loaded, least recently used first (for tests and metrics). */
  get cached(): string[] {
    return [...this.loaded.keys()];
  }

  /**
   * The commit `at` names: a commit id, branch or tag, or an ISO date (the
   * last commit of the followed revision at or before it). BAD_USER_INPUT when none.
   */
  async resolve(at: string): Promise<CommitInfo> {
    const text = at.trim();
    if (text === '') throw badInput('"at" is empty: give a commit, a branch, a tag or an ISO date.');
    const date = parseIsoDate(text);
    if (date) {
      const tip = await this.revision(this.options.ref, 'the followed revision');
      const hit = await this.log.lastAtOrBefore(tip, date);
      if (!hit) throw badInput(`No commit of ${this.options.ref} at or before ${date.toISOString()}.`);
      return hit;
    }
    return this.log.info(await this.revision(text, `"${text}"`));
  }

  /** The catalog of the commit `at` names (see resolve). */
  async at(at: string): Promise<CommitCatalog> {
    const commit = await this.resolve(at);
    const served = this.options.served?.();
    if (served && served.snapshot.commit === commit.sha) return { commit, ...served };
    return this.load(commit);
  }

  /** Entities added, modified and removed from `from` to `to` (as `cmdb check` reports them). */
  async diff(from: string, to: string): Promise<SnapshotDiff & { from: CommitInfo; to: CommitInfo }> {
    const [base, target] = await Promise.all([this.at(from), this.resolve(to)]);
    // Derived from base: only the files that changed are read and compared.
    const head = await this.options.reader.readFrom(base.snapshot, target.sha);
    return { ...diffSnapshots(base.snapshot, head), from: base.commit, to: target };
  }

  /** What `cmdb check --base BASE --head HEAD --format json` prints. */
  async evaluate(base: string, head: string, at?: Date): Promise<ChangeReport> {
    const [b, h] = await Promise.all([this.resolve(base), this.resolve(head)]);
    const graph = new InMemoryGraphStore({});
    try {
      return toReport(await evaluateChange({ base: b.sha, head: h.sha, at }, { reader: this.options.reader, graph }));
    } finally {
      await graph.close();
    }
  }

  private load(commit: CommitInfo): Promise<CommitCatalog> {
    const known = this.loaded.get(commit.sha);
    if (known) {
      this.loaded.delete(commit.sha);
      this.loaded.set(commit.sha, known);
      return known;
    }
    const loading = this.reading.then(() => this.read(commit));
    this.reading = loading.catch(() => undefined);
    this.loaded.set(commit.sha, loading);
    loading.catch(() => this.loaded.get(commit.sha) === loading && this.loaded.delete(commit.sha));
    while (this.loaded.size > this.keep) this.loaded.delete(this.loaded.keys().next().value!);
    return loading;
  }

  private async read(commit: CommitInfo): Promise<CommitCatalog> {
    const { reader } = this.options;
    const served = this.options.served?.();
    const snapshot = served ? await reader.readFrom(served.snapshot, commit.sha) : await reader.read(commit.sha);
    const store = new InMemoryGraphStore({ snapshot });
    let violations: readonly Violation[];
    try {
      violations = await commitViolations({ reader, snapshot, graph: store });
    } catch {
      violations = snapshot.violations; // cycles and policies could not be checked: what reading found
    }
    return { commit, snapshot, store, violations };
  }

  /** Commit id of a revision; BAD_USER_INPUT when it names none. */
  private async revision(rev: string, what: string): Promise<string> {
    try {
      return await this.options.reader.git.resolve(rev);
    } catch (e) {
      if (isCmdbError(e) && e.code === 'ref-not-found') throw badInput(`${what} names no commit, branch or tag of the config repository.`);
      throw e;
    }
  }
}
