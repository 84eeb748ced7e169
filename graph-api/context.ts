import type { RefString } from '../catalog/types.ts';
import type { GraphNode, GraphStore } from '../graph/GraphStore.ts';

/** What every resolver sees; one per HTTP request. */
export interface ApiContext {
  store: GraphStore;
  /** `store.getEntity` memoized for the request: each ref is fetched at most once. */
  loadEntity(ref: RefString): Promise<GraphNode | undefined>;
}

/** A fresh context (and memo) for one request against `store`. */
export function createApiContext(store: GraphStore): ApiContext {
  const memo = new Map<RefString, Promise<GraphNode | undefined>>();
  const loadEntity = (ref: RefString): Promise<GraphNode | undefined> => {
    let pending = memo.get(ref);
    if (pending === undefined) {
      pending = store.getEntity(ref);
      memo.set(ref, pending);
    }
    return pending;
  };
  return { store, loadEntity };
}
