import DataLoader from 'dataloader';
import type { RefString, Snapshot, Violation } from '../catalog/types.ts';
import type { GraphNode, GraphStore } from '../graph/GraphStore.ts';
import type { OpenChangeListing } from '../controller/github/OpenChanges.ts';
import type { ChangeStore } from '../state/ChangeStore.ts';
import type { FindingStore } from '../state/FindingStore.ts';
import type { IncidentCommand } from '../state/IncidentRecords.ts';
import type { IncidentStore } from '../state/IncidentStore.ts';
import type { AuthContext } from './auth.ts';
import type { EventBus } from '../core/EventBus.ts';
import { EventStreams } from './EventStreams.ts';
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
  /** Incidents and problems (`cmdb serve --reconcile`: `incidents`, `problems`, `causedIncidents`, `kpis`); those fields are NOT_AVAILABLE without it. */
  incidents?: IncidentStore;
  /** The reconcilers' current findings (`findings`); NOT_AVAILABLE without it. */
  findings?: FindingStore;
  /** Where the incident mutations go (the leader's engine); they are NOT_AVAILABLE without it. */
  incidentCommands?: IncidentCommandPort;
  /** The server's event bus: the subscriptions' events; without it subscriptions are NOT_AVAILABLE. */
  events?: EventBus;
  /** The open pull requests the GitHub controller evaluated (`openChanges`); none without it (a server without GitHub). */
  openChanges?: () => Promise<OpenChangeListing[]>;
  /** A runbook's Markdown at the served commit, without its front matter (`Runbook.markdown`, `html`); none without it. */
  runbookBody?: (path: string) => Promise<string | undefined>;
}

/**
 * How a mutation reaches the incident engine (server/incidentCommands.ts):
 * resolves once the store shows the command applied; rejects with the
 * engine's error (a CmdbError `usage` for an unknown id) or when no leader
 * applied it in time (`NotAppliedError`).
 */
export interface IncidentCommandPort {
  submit(command: IncidentCommand): Promise<void>;
}

/** No leader applied the command in time: it may still be applied later (it stays queued). */
export class NotAppliedError extends Error {
  override readonly name = 'NotAppliedError';
}

/**
 * The catalog of one commit as resolvers read it: the served one (the
 * context itself) or an older one (`catalog(at:)`).
 */
export interface CatalogView {
  store: GraphStore;
  /** Entities loaded for the request: each ref fetched at most once, the refs asked for together in one `store.getEntities` call. */
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
  findings?: FindingStore;
  incidentCommands?: IncidentCommandPort;
  openChanges?: () => Promise<OpenChangeListing[]>;
  runbookBody?: (path: string) => Promise<string | undefined>;
  /** The bus as one stream per subscription (shared by the requests of one handler, which counts them). */
  streams?: EventStreams;
}

/** Most refs in one `getEntities` call (a larger batch is split). */
export const ENTITY_BATCH_SIZE = 500;

/**
 * Entities by ref for one request (DataLoader): memoized per ref, and the refs
 * asked for in one tick of execution (the roots of a list of incidents, the
 * owners of a page of entities) fetched with one `store.getEntities` call.
 */
export function memoLoader(store: GraphStore): (ref: RefString) => Promise<GraphNode | undefined> {
  const loader = new DataLoader<RefString, GraphNode | undefined>((refs) => store.getEntities(refs), { maxBatchSize: ENTITY_BATCH_SIZE });
  return (ref) => loader.load(ref);
}

/**
 * A fresh context (and memo) for one request against the source's store;
 * `auth` says who calls (default: nobody checked); `streams` the handler's
 * (default: the source's bus, counted for this context alone).
 */
export function createApiContext(source: ApiContextSource, auth: AuthContext = {}, streams = source.events && new EventStreams({ bus: source.events })): ApiContext {
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
    findings: source.findings,
    incidentCommands: source.incidentCommands,
    openChanges: source.openChanges,
    runbookBody: source.runbookBody,
    streams,
  };
  return context;
}
