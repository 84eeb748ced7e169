import type { Snapshot, SnapshotSource } from '../catalog/types.ts';
import type { GraphStore } from './GraphStore.ts';

export type SyncMode = 'unchanged' | 'incremental' | 'rebuild';

export interface SyncResult {
  snapshot: Snapshot;
  mode: SyncMode;
  /** The store's commit before the sync, if any. */
  from?: string;
  ms: number;
}

/**
 * Brings a graph store to a revision. From the store's own commit, only the
 * snapshot diff is applied; with no commit, or one the repository does not
 * have (unrelated history), the store is rebuilt. Nothing of another commit
 * remains afterwards, even after an interrupted earlier sync. `known` is a snapshot the
 * caller already holds (e.g. the last one synced), used instead of re-reading.
 */
export async function syncStore(options: { reader: SnapshotSource; store: GraphStore; rev: string; known?: Snapshot }): Promise<SyncResult> {
  const { reader, store, rev, known } = options;
  const started = performance.now();
  const target = await reader.git.resolve(rev);
  const from = await store.commit();
  const done = (snapshot: Snapshot, mode: SyncMode): SyncResult => ({ snapshot, mode, from, ms: performance.now() - started });
  const base = from === undefined ? undefined : known?.commit === from ? known : await readIfPresent(reader, from);
  if (!base) {
    const snapshot = await reader.read(target);
    await store.load(snapshot);
    return done(snapshot, 'rebuild');
  }
  const head = await reader.readFrom(base, target);
  // Even when already at the target: applyDiff repairs what an interrupted sync left.
  await store.applyDiff(base, head);
  return done(head, from === target ? 'unchanged' : 'incremental');
}

/** The snapshot of a commit, or undefined when the repository does not have it. */
async function readIfPresent(reader: SnapshotSource, commit: string): Promise<Snapshot | undefined> {
  try {
    return await reader.read(commit);
  } catch (e) {
    if ((e as { code?: string }).code === 'ref-not-found' || (e as { code?: string }).code === 'git') return undefined;
    throw e;
  }
}
