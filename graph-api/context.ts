import type { RefString, Violation } from '../catalog/types.ts';
import type { GraphNode, GraphStore } from '../graph/GraphStore.ts';
import type { AuthContext } from './auth.ts';

/** Where the API reads from; read on every request, so the server may swap what it points at. */
export interface ApiContextSource {
  store: GraphStore;
  /** The problems of the served commit (its valid part is served); none known when absent. */
  violations?: () => readonly Violation[];
}

/** What every resolver sees; one per HTTP request. `viewer` and `credentialsRejected` (AuthContext) say who calls; see graph-api/auth.ts. */
export interface ApiContext extends AuthContext {
  store: GraphStore;
  /** `store.getEntity` memoized for the request: each ref is fetched at most once. */
  loadEntity(ref: RefString): Promise<GraphNode | undefined>;
  /** The served commit's violations (`catalogViolations`). */
  violations(): readonly Violation[];
}

/** A fresh context (and memo) for one request against the source's store. */
export function createApiContext(source: ApiContextSource): ApiContext {
  const { store } = source;
  const memo = new Map<RefString, Promise<GraphNode | undefined>>();
  const loadEntity = (ref: RefString): Promise<GraphNode | undefined> => {
    let pending = memo.get(ref);
    if (pending === undefined) {
      pending = store.getEntity(ref);
      memo.set(ref, pending);
    }
    return pending;
  };
  return { store, loadEntity, violations: () => source.violations?.() ?? [] };
}
