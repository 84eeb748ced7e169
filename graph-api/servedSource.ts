import type { CatalogReader } from '../catalog/CatalogReader.ts';
import { readRunbookBody } from '../catalog/runbooks.ts';
import type { Snapshot, Violation } from '../catalog/types.ts';
import type { GraphStore } from '../graph/GraphStore.ts';
import type { ApiContextSource } from './context.ts';
import { CatalogHistory } from './history/CatalogHistory.ts';

/** What follows the served commit (server/CatalogFollower, as the API sees it). */
export interface ServedCommit {
  readonly snapshot?: Snapshot;
  readonly violations: readonly Violation[];
}

export interface ServedSourceOptions {
  /** The served graph (synced to `follower.snapshot`). */
  store: GraphStore;
  follower: ServedCommit;
  /** The reader the follower uses (older commits are derived from its snapshots). */
  reader: CatalogReader;
  /** The followed revision and the repository's directory. */
  ref: string;
  repo: string;
  /** Older commits kept loaded (default 4, about 95 MB each for 100,000 entities). */
  keep?: number;
}

/** The API's source for a server following a branch: the served commit, its snapshot (`search`), its history (`catalog(at:)`, `diff`, `evaluateChange`) and its runbooks' text. */
export function servedApiSource(options: ServedSourceOptions): ApiContextSource {
  const { store, follower, reader, ref, repo, keep } = options;
  const served = () => (follower.snapshot ? { snapshot: follower.snapshot, store, violations: follower.violations } : undefined);
  return {
    store,
    violations: () => follower.violations,
    snapshot: () => follower.snapshot,
    history: new CatalogHistory({ reader, ref, repo, keep, served }),
    runbookBody: async (path) => (follower.snapshot ? readRunbookBody(reader.git, follower.snapshot.commit, path) : undefined),
  };
}
