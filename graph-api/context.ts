import type { RefString, Snapshot, Violation } from '../catalog/types.ts';
import type { GraphNode, GraphStore } from '../graph/GraphStore.ts';
import type { ChangeStore } from '../state/ChangeStore.ts';
import type { IncidentStore } from '../state/IncidentStore.ts';
import type { AuthContext } from './auth.ts';
import type { CatalogHistory } from './history/CatalogHistory.ts';

/** Where the API reads from; read on every request, so the server may swap what it points at. */
export interface ApiContextSource {
  store: GraphStore;
  /** The problems of the served commit (its valid part is served); none known when absent. */
  violations?: () => readonly Violation[];
  /** The served commit's snapshot (the one `store` holds): `search` indexes it; without it `search` is an error. */
  snapshot?: () => Snapshot | undefined;
  /** Other commits of the followed branch (`catalog(at:)`, `diff`, `evaluateChange`); those fields are errors without it. */
  history?: CatalogHistory;
  /** Change records (`changes`, `change`, `kpis`); those fields are NOT_AVAILABLE without it. */
  changes?: ChangeStore;
  /** Incidents (`causedIncidents`, `kpis`); without it KPIs and causes are NOT_AVAILABLE. */
  incidents?: IncidentStore;
}

/**
 * The catalog of one commit as resolvers read it: the served one (the
 * context itself) or an older one (`catalog(at:)`).
 */
export interface CatalogView {
  store: GraphStore;
  /** `store.getEntity` memoized for the request: each ref is fetched at most once. */
  loadEntity(ref: RefString): Promise<GraphNode | undefined>;
  /** The commit's violations (`catalogViolations`). */
  violations(): readonly Violation[];
  /** The commit's snapshot, when known. */
  snapshot(): Snapshot | undefined;
}

/** What every resolver sees; one per HTTP request. As a CatalogView it is the served commit. */
export interface ApiContext extends CatalogView, AuthContext {
  /**
   * The view a value (an entity, neighbour, impacted entity) was read from:
   * the commit of `catalog(at:)` it came out of, else the served one (this context).
   */
  viewOf(value: object): CatalogView;
  /** Registers the view values came from (see viewOf); returns them. */
  adopt<T>(view: CatalogView, value: T): T;
  history?: CatalogHistory;
  changes?: ChangeStore;
  incidents?: IncidentStore;
}

/** `store.getEntity` memoized. */
export function memoLoader(store: GraphStore): (ref: RefString) => Promise<GraphNode | undefined> {
  const memo = new Map<RefString, Promise<GraphNode | undefined>>();
  return (ref) => {
    let pending = memo.get(ref);
    if (pending === undefined) {
      pending = store.getEntity(ref);
      memo.set(ref, pending);
    }
    return pending;
  };
}

/** A fresh context (and memo) for one request against the source's store; `auth` says who calls (default: nobody checked). */
export function createApiContext(source: ApiContextSource, auth: AuthContext = {}): ApiContext {
  const { store } = source;
  const views = new WeakMap<object, CatalogView>();
  const context: ApiContext = {
    ...auth,
    store,
    loadEntity: memoLoader(store),
    violations: () => source.violations?.() ?? [],
    snapshot: () => source.snapshot?.(),
    viewOf: (value) => views.get(value) ?? context,
    adopt: (view, value) => {
      if (view !== context) for (const item of Array.isArray(value) ? value : [value]) if (item !== null && typeof item === 'object') views.set(item, view);
      return value;
    },
    history: source.history,
    changes: source.changes,
    incidents: source.incidents,
  };
  return context;
}
