import type { Logger } from 'pino';
import { diffSnapshots } from '../catalog/diff.ts';
import type { CommitInfo, GitReader } from '../catalog/git/GitReader.ts';
import type { Snapshot } from '../catalog/types.ts';
import type { EventBus } from '../core/EventBus.ts';
import type { CmdbEvent } from '../core/events.ts';
import type { GraphStore } from '../graph/GraphStore.ts';
import { firstCommitAt, type BranchChangeRecord } from '../state/ChangeRecord.ts';
import type { ChangeStore } from '../state/ChangeStore.ts';

export interface BranchChangeRecorderOptions {
  /** Where the follower publishes `catalogMoved`. */
  events: EventBus;
  /** The catalog reader of the followed repository (its GitReader lists the commits). */
  reader: { readonly git: GitReader; read(rev: string): Promise<Snapshot>; readFrom(base: Snapshot, rev: string): Promise<Snapshot> };
  changes: ChangeStore;
  /** The served graph (it holds the commit moved to): the impact of what changed. */
  graph: GraphStore;
  log: Logger;
  /** What the records' `repository` says (the followed repository's path or URL); default `local`. */
  repository?: string;
  /** The clock of `recordedAt` (tests). */
  now?: () => Date;
}

/** How many ranges that could not be recorded are kept to retry on the next move. */
const MAX_PENDING = 100;

/**
 * When `cmdb serve` follows a branch without the GitHub controller, every
 * range the branch moves by (`catalogMoved` with `previous`) is kept as a
 * change record, the probable causes of incidents: id
 * `branch:<previous>..<commit>`, its commits (`git rev-list previous..commit`),
 * the newest commit's subject as title (`3 commits: subject` for several), its
 * author and committer date (`mergedAt`), the entities the range changed (the
 * two snapshots diffed) and their impact on the served graph. Idempotent by
 * id (a repeated event records nothing twice); a range that cannot be
 * recorded (the store is down) is logged and retried on the next move.
 */
export class BranchChangeRecorder {
  private readonly options: BranchChangeRecorderOptions;
  private unsubscribe?: () => void;
  private readonly pending: Array<{ previous: string; commit: string }> = [];
  private running: Promise<void> = Promise.resolve();

  constructor(options: BranchChangeRecorderOptions) {
    this.options = options;
  }

  start(): void {
    this.unsubscribe ??= this.options.events.subscribe('catalogMoved', (e) => this.moved(e));
  }

  /** Stops listening; a range being recorded finishes. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.running;
  }

  private moved(e: CmdbEvent<'catalogMoved'>): Promise<void> {
    const { previous, commit } = e.data;
    if (previous === undefined || previous === commit) return this.running;
    this.pending.push({ previous, commit });
    if (this.pending.length > MAX_PENDING) {
      const dropped = this.pending.shift()!;
      this.options.log.error({ previous: dropped.previous, commit: dropped.commit }, 'too many branch changes could not be recorded; the oldest is dropped');
    }
    this.running = this.running.then(() => this.drain());
    return this.running;
  }

  /** Records the pending ranges in order; stops at the first failure (kept for the next move). */
  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const range = this.pending[0];
      try {
        const record = await this.recordOf(range.previous, range.commit);
        const status = record ? await this.options.changes.recordChange(record) : 'empty';
        this.options.log.info({ id: `branch:${range.previous}..${range.commit}`, status, commits: record?.commits.length ?? 0, changed: record?.changed.length ?? 0 }, 'branch change recorded');
      } catch (err) {
        this.options.log.error({ err, previous: range.previous, commit: range.commit }, 'cannot record the branch change; retrying on the next move');
        return;
      }
      this.pending.shift();
    }
  }

  /** The record of a range, undefined when it holds no commit (the branch moved back to an ancestor). */
  async recordOf(previous: string, commit: string): Promise<BranchChangeRecord | undefined> {
    const { reader, changes, graph } = this.options;
    const id = `branch:${previous}..${commit}`;
    const known = await changes.getChange(id);
    if (known) return known.source === 'branch' ? known : undefined;
    if (!reader.git.commitsBetween) throw new Error(`${reader.git.name} cannot list commits`);
    const commits: CommitInfo[] = await reader.git.commitsBetween(previous, commit);
    if (commits.length === 0) return undefined;
    const newest = commits.find((c) => c.oid === commit) ?? commits[commits.length - 1];
    const base = await reader.read(previous);
    const head = await reader.readFrom(base, commit);
    const diff = diffSnapshots(base, head);
    const changed = diff.changes.map((c) => c.ref);
    const roots = diff.changes.filter((c) => c.op !== 'removed').map((c) => c.ref);
    const impacted = roots.length ? (await graph.impact(roots)).entities.map((e) => e.ref) : [];
    return {
      id,
      repository: this.options.repository ?? 'local',
      source: 'branch',
      title: titleOf(commits, newest),
      author: newest.author,
      commits: commits.map((c) => c.oid),
      ...firstCommitAt(commits),
      base: previous,
      head: commit,
      mergeCommit: commit,
      mergedAt: newest.committedAt,
      changed,
      impacted,
      recordedAt: (this.options.now?.() ?? new Date()).toISOString(),
    };
  }
}

/** The newest commit's subject; `3 commits: subject` for several, `3 commits` when the subject is empty. */
function titleOf(commits: readonly CommitInfo[], newest: CommitInfo): string {
  const subject = newest.subject.trim();
  if (commits.length === 1) return subject || '1 commit';
  return subject ? `${commits.length} commits: ${subject}` : `${commits.length} commits`;
}
