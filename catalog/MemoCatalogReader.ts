import { CatalogReader, type CatalogReaderOptions } from './CatalogReader.ts';
import type { Snapshot } from './types.ts';

/** A full commit id (SHA-1 or SHA-256), as git prints it. */
const COMMIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * A CatalogReader that keeps the snapshots of recent commits (and a pinned
 * one: the default branch), so evaluating a pull request again, or another
 * one on the same base, reads nothing. Snapshots are immutable values. A
 * revision that is the commit id of a kept snapshot is not resolved again
 * (`git rev-parse` is a process spawn, tens of ms from a large heap).
 */
export class MemoCatalogReader extends CatalogReader {
  private readonly memo = new Map<string, Snapshot>();
  private readonly keep: number;
  private pinned?: Snapshot;

  constructor(options: CatalogReaderOptions & { keep?: number }) {
    super(options);
    this.keep = options.keep ?? 4;
  }

  /** The catalog at a revision; derived from the pinned snapshot by the files that changed when there is one. */
  override async read(rev: string): Promise<Snapshot> {
    const known = this.known(rev);
    if (known) return known;
    const commit = await this.git.resolve(rev);
    const hit = this.recall(commit);
    if (hit) return hit;
    return this.remember(this.pinned ? await super.readFrom(this.pinned, commit) : await super.read(commit));
  }

  override async readFrom(base: Snapshot, rev: string): Promise<Snapshot> {
    const known = this.known(rev);
    if (known) return known;
    const commit = await this.git.resolve(rev);
    return this.recall(commit) ?? this.remember(await super.readFrom(base, commit));
  }

  /** Keeps this snapshot whatever else is read (the default branch's). */
  pin(snapshot: Snapshot): void {
    this.pinned = snapshot;
  }

  get pinnedSnapshot(): Snapshot | undefined {
    return this.pinned;
  }

  /** The kept snapshot whose commit id `rev` is (a commit id resolves to itself). */
  private known(rev: string): Snapshot | undefined {
    return COMMIT_ID.test(rev) ? this.recall(rev) : undefined;
  }

  private recall(commit: string): Snapshot | undefined {
    if (this.pinned?.commit === commit) return this.pinned;
    const hit = this.memo.get(commit);
    if (hit) {
      this.memo.delete(commit);
      this.memo.set(commit, hit);
    }
    return hit;
  }

  private remember(snapshot: Snapshot): Snapshot {
    this.memo.set(snapshot.commit, snapshot);
    while (this.memo.size > this.keep) this.memo.delete(this.memo.keys().next().value!);
    return snapshot;
  }
}
