import type { Logger } from 'pino';
import type { EventBus } from '../core/EventBus.ts';
import { InMemoryEventBus } from '../core/InMemoryEventBus.ts';
import type { GraphStore } from '../graph/GraphStore.ts';
import type { GraphqlHandler } from '../graph-api/server.ts';
import type { EventLog } from '../state/EventLog.ts';
import { FileEventLog } from '../state/FileEventLog.ts';
import { createAuthenticator } from './auth/Authenticator.ts';
import { CatalogFollower } from './CatalogFollower.ts';
import { EventRelayPart } from './EventRelayPart.ts';
import { resolveServerConfig, type ServeFlags, type ServerConfig } from './config.ts';
import { GitHubPart } from './GitHubPart.ts';
import { GitHubSetupPart } from './GitHubSetupPart.ts';
import { WebPart } from './WebPart.ts';
import { AuthConfigPart } from './AuthConfigPart.ts';
import type { FindingStore } from '../state/FindingStore.ts';
import { FileFindingStore } from '../state/FileFindingStore.ts';
import { LeadershipPart, leadershipFactory } from './LeadershipPart.ts';
import { reconcilerFactories } from './reconcilerFactories.ts';
import { ReconcilerPart } from './ReconcilerPart.ts';
import type { CatalogConfig } from '../catalog/config.ts';
import type { Snapshot } from '../catalog/types.ts';
import type { Binding } from '../reconcilers/types.ts';
import { bindingsOfSnapshot } from './snapshotBindings.ts';
import { startIncidents, type Incidents } from './incidentsSetup.ts';
import { perCommit } from './perCommit.ts';
import { serverIncidentCommands } from './incidentCommands.ts';
import { BranchChangeRecorder } from './BranchChangeRecorder.ts';
import type { ChangeStore } from '../state/ChangeStore.ts';
import { graphStoreCheck, Health, type ReadinessCheck } from './health.ts';
import { listen, type RunningHttpServer } from './listen.ts';
import { listOpenChanges } from '../controller/github/OpenChanges.ts';
import { createLogger } from './logger.ts';
import { ServerMetrics } from './metrics.ts';
import { createRouter, type Route } from './router.ts';
import { logShutdown, type ShutdownReport } from './shutdown.ts';
import { openServedCatalog, openServedGraph } from './stores.ts';

export interface RuntimeOptions {
  flags: ServeFlags;
  env?: NodeJS.ProcessEnv;
  /** Default: a logger from the configuration (CMDB_LOG_LEVEL, CMDB_LOG_FORMAT). */
  log?: Logger;
  /** Where the one line for the user goes (`GraphQL API on ...`); default: stdout. */
  out?: (line: string) => void;
}

/** The running server: its parts, its address, and how to stop it. */
export interface Runtime {
  url: string;
  config: ServerConfig;
  log: Logger;
  events: EventBus;
  graph: GraphStore;
  follower: CatalogFollower;
  metrics: ServerMetrics;
  health: Health;
  github?: GitHubPart;
  eventLog?: EventLog;
  /** With leader election and an event log: the leader appends, followers relay the leader's events to their bus. */
  relay?: EventRelayPart;
  /** Who leads (a SingleReplica without --leader-elect). */
  leadership: LeadershipPart;
  /** With --reconcile: the reconcilers (running while this replica leads) and their finding store. */
  reconcilers?: ReconcilerPart;
  findings?: FindingStore;
  /** With --reconcile: incident management (the engine runs while this replica leads). */
  incidents?: Incidents;
  /** Change records: the GitHub controller's, or (following a branch with --reconcile) the branch's moves. */
  changes?: ChangeStore;
  /** Graceful: takes no new work, drains what runs up to the shutdown deadline, then closes everything. */
  shutdown(): Promise<ShutdownReport>;
}

/**
 * Builds and starts the server. Every part gets what it needs through its
 * constructor options and talks to the others through the event bus: the
 * GitHub controller publishes merges, the follower syncs on them and
 * publishes `catalogMoved`, metrics and the event log listen to everything.
 * Parts declare their routes; the router is built once from them.
 */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const env = options.env ?? process.env;
  let config = resolveServerConfig({ flags: options.flags, env });
  const log = options.log ?? createLogger(config.log);
  const events = new InMemoryEventBus({ onListenerError: (err, event) => log.error({ err, event: event.type }, 'event listener failed') });
  const closers: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch((err: unknown) => log.error({ err }, 'close failed'));
  };
  let github: GitHubPart | undefined;
  try {
    // The tokens file is checked before anything else starts.
    const authenticator = await createAuthenticator({ settings: config.auth, log: log.child({ component: 'auth' }) });
    const metrics = new ServerMetrics();
    const leadership = new LeadershipPart({ create: await leadershipFactory(config), log: log.child({ component: 'leadership' }), metrics });
    closers.push(() => leadership.stop());
    github = config.github ? await GitHubPart.create({ config, github: config.github, events, log, metrics, leadership }) : undefined;
    const prepared = await github?.prepare();
    // With --github-repo the served catalog is the controller's clone, following the default branch.
    const served = prepared ? { ...config, repo: prepared.gitdir, ref: `refs/remotes/origin/${prepared.branch}` } : config;
    const reader = await openServedCatalog(served);
    const graph = await openServedGraph(config);
    closers.push(() => graph.close());
    const follower = new CatalogFollower({ reader, graph, ref: served.ref, events, repository: prepared?.repository, log });
    closers.push(() => follower.stop());
    const part = github;
    metrics.gauge('cmdb_catalog_commit_lag_seconds', 'Seconds the served commit has been behind the followed revision (0 when up to date).', () =>
      follower.behindSince === undefined ? 0 : (performance.now() - follower.behindSince) / 1000,
    );
    let recording = config.eventLog ? await recordEvents(config, events, log, leadership) : undefined;
    if (recording) closers.push(recording.close);
    // Only this replica's events: a follower's relay republishes the leader's.
    const stopMetrics = metrics.observe(events, (e) => recording?.relay?.isRelayed(e) ?? false);
    closers.push(async () => stopMetrics());

    await reader.git.resolve(served.ref); // a missing revision is a usage error before anything listens
    await follower.refresh();
    if (follower.lastError) log.warn({ error: follower.lastError, store: graph.name }, 'initial sync failed; retrying with back-off');
    if (follower.snapshot) config = resolveServerConfig({ flags: options.flags, env, repoConfig: reader.configOf(follower.snapshot) });
    if (config.eventLog && !recording) {
      // cmdb.yaml asked for what needs the log (server.reconcile): record from here on.
      recording = await recordEvents(config, events, log, leadership);
      closers.push(recording.close);
    }
    const eventLog = recording?.eventLog;
    await part?.start();
    const reconciling = config.reconcile ? await startReconcilers({ config, events, log, metrics, leadership, snapshot: () => follower.snapshot, bindings: servedBindings(() => follower.snapshot, (snapshot) => reader.configOf(snapshot), log) }) : undefined;
    if (reconciling) closers.push(reconciling.close);
    let changes: ChangeStore | undefined = part?.store;
    if (config.reconcile && !changes) {
      const { openChangeStore } = await import('../state/openChangeStore.ts');
      const store = await openChangeStore({ dir: config.stateDir, neo4j: config.neo4j });
      closers.push(() => store.close());
      changes = store;
      // Following a branch: each move of it is a change (probable causes of incidents).
      const recorder = new BranchChangeRecorder({ events, reader, changes: store, graph, log: log.child({ component: 'changes' }), repository: served.repo });
      recorder.start();
      closers.push(async () => recorder.stop());
    }
    const incidents = config.reconcile && changes
      ? await startIncidents({ config, env, events, log, metrics, leadership, graph, snapshot: () => follower.snapshot, configOf: (s) => reader.configOf(s), git: reader.git, findings: reconciling?.store, changes, github: part })
      : undefined;
    if (incidents) closers.push(incidents.close);

    // graphql-yoga loads only here
    const [{ createGraphqlHandler, GRAPHQL_PATH }, { servedApiSource }] = await Promise.all([import('../graph-api/server.ts'), import('../graph-api/servedSource.ts')]);
    const graphql: GraphqlHandler = createGraphqlHandler({
      source: {
        ...servedApiSource({ store: graph, follower, reader, ref: served.ref, repo: served.repo }),
        changes,
        incidents: incidents?.store,
        findings: reconciling?.store,
        events,
        // What the GitHub controller keeps of open pull requests (controller/github/OpenChanges.ts).
        openChanges: part ? () => listOpenChanges(config.stateDir) : undefined,
        incidentCommands: incidents ? serverIncidentCommands({ dir: config.stateDir, neo4j: config.neo4j, isLeader: () => leadership.isLeader(), apply: (command) => incidents.part.command(command) }) : undefined,
      },
      logger: log.child({ component: 'graphql' }),
      authenticate: (request) => authenticator.authenticate(request),
    });
    closers.push(() => graphql.dispose());
    metrics.gauge('cmdb_graphql_subscriptions', 'GraphQL subscriptions open (Server-Sent Events streams).', () => graphql.subscriptions());
    const checks: ReadinessCheck[] = [follower.readiness, graphStoreCheck(graph), leadership.readiness, ...(part ? [part.readiness] : []), ...(reconciling ? [reconciling.part.readiness] : []), ...(incidents ? [incidents.part.readiness] : [])];
    const health = new Health({ checks });
    const routes: Route[] = [
      { methods: ['GET', 'POST', 'OPTIONS'], path: GRAPHQL_PATH, handler: graphql.handle, description: 'GraphQL, GraphiQL in a browser' },
      ...health.routes,
      ...metrics.routes,
      ...(part?.routes ?? []),
      ...(incidents?.alertmanager.routes ?? []),
      ...new GitHubSetupPart({ env }).routes,
      ...new AuthConfigPart({ oidc: config.auth.oidc }).routes,
      ...new WebPart({ dir: env.CMDB_WEB_DIR || undefined, connectOrigins: config.auth.oidc?.clientId ? [new URL(config.auth.oidc.issuer).origin] : [] }).routes,
    ];
    const http: RunningHttpServer = await listen({ listener: createRouter({ routes, observe: metrics.observeRequest, log }), port: config.port, host: config.host });
    closers.push(() => http.close());
    follower.start(config.pollSeconds);
    leadership.start(); // the leader's parts (reconcilers, queued deliveries) start on started-leading
    log.info({ url: http.url, auth: authenticator.describe }, 'API authentication');
    log.info({ url: http.url, commit: follower.snapshot?.commit, entities: follower.snapshot?.entities.size, violations: follower.violations.length, store: graph.name }, 'catalog loaded');
    (options.out ?? ((line) => process.stdout.write(`${line}\n`)))(`GraphQL API on ${http.url}${GRAPHQL_PATH} (web UI: ${http.url}/, ready: ${http.url}/readyz, metrics: ${http.url}/metrics)`);

    let stopping: Promise<ShutdownReport> | undefined;
    const shutdown = async (): Promise<ShutdownReport> => {
      const deadlineMs = config.shutdownTimeoutSeconds * 1000;
      log.info({ deadlineMs }, 'shutting down: taking no new work');
      await http.stopAccepting();
      await follower.stop();
      // Deliveries still running finish while this replica holds the lease: another one takes over only
      // when nothing acts here any more (one actor on GitHub and the change store at a time). The change
      // store stays open for the incident engine until leading stops.
      const deliveries = part ? await part.drain(deadlineMs, { closeStore: false }) : undefined;
      // stopped-leading: the reconcilers and the incident engine stop; then the lease is released, unless a
      // delivery still runs past the deadline: the lease then expires (as on SIGKILL) before anyone takes over.
      await leadership.stop({ release: !deliveries?.timedOut });
      if (part && !deliveries?.timedOut) await part.store.close();
      const report: ShutdownReport = { deliveries, timedOut: deliveries?.timedOut ?? false };
      logShutdown(log, report, deadlineMs);
      await closeAll();
      return report;
    };
    return {
      url: http.url,
      config,
      log,
      events,
      graph,
      follower,
      metrics,
      health,
      github: part,
      eventLog,
      relay: recording?.relay,
      leadership,
      reconcilers: reconciling?.part,
      findings: reconciling?.store,
      incidents,
      changes,
      shutdown: () => (stopping ??= shutdown()),
    };
  } catch (e) {
    await github?.drain(0);
    await closeAll();
    throw e;
  }
}

/**
 * The bindings of the served commit; the entries that make no binding (an
 * `observe` entry the reconcilers cannot use) are logged once per commit.
 */
function servedBindings(snapshot: () => Snapshot | undefined, configOf: (s: Snapshot) => CatalogConfig, log: Logger): () => Binding[] | undefined {
  // Read once per commit: it visits every observing entity of the snapshot.
  return perCommit<Binding[] | undefined>(
    snapshot,
    (served) => {
      const { bindings, problems } = bindingsOfSnapshot(served, configOf(served));
      for (const p of problems) log.warn({ commit: served.commit, ref: p.ref, field: p.path }, `observe binding ignored: ${p.message}`);
      return bindings;
    },
    undefined,
  );
}

/** Opens the finding store in the state dir and builds the reconcilers' part (they start when this replica leads). */
async function startReconcilers(options: Omit<ConstructorParameters<typeof ReconcilerPart>[0], 'store' | 'factories' | 'log'> & { config: ServerConfig; log: Logger; snapshot: () => Snapshot | undefined }) {
  const { config } = options;
  const store = new FileFindingStore({ dir: config.stateDir });
  await store.open();
  const part = new ReconcilerPart({ ...options, log: options.log.child({ component: 'reconcilers' }), store, factories: await reconcilerFactories(config, options.snapshot) });
  const close = async () => {
    await part.stop();
    await store.close();
  };
  return { part, store, close };
}

/**
 * The event log in the state dir. Without leader election this process leads:
 * it appends every event of the bus. With it, the EventRelayPart appends on
 * the leader and relays the leader's events on a follower (the replicas share
 * the state dir). `close` stops and closes it.
 */
async function recordEvents(config: ServerConfig, events: EventBus, log: Logger, leadership: LeadershipPart): Promise<{ eventLog: EventLog; relay?: EventRelayPart; close: () => Promise<void> }> {
  const eventLog = new FileEventLog({
    dir: config.eventLogDir,
    onCompactionError: (err) => log.warn({ err }, 'event log: compaction failed; the log stays whole and keeps growing, tried again in a minute'),
  });
  if (config.leaderElection.leaderElect) {
    const relay = new EventRelayPart({ eventLog, events, leadership, log: log.child({ component: 'events' }) });
    await relay.start();
    return { eventLog, relay, close: () => relay.stop() };
  }
  await eventLog.open();
  const stop = events.subscribeAll(async (e) => {
    await eventLog.append(e).catch((err: unknown) => log.error({ err, event: e.type }, 'cannot append to the event log'));
  });
  const close = async () => {
    await events.settled();
    stop();
    await eventLog.close();
  };
  return { eventLog, close };
}
