import { pino } from 'pino';
import { neo4jSettings, openCatalog, openGraph } from '../context.ts';
import { FailoverGraphStore } from '../../graph/FailoverGraphStore.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { syncStore } from '../../graph/syncStore.ts';
import type { Output } from '../output.ts';
import type { GitImplementation } from '../../catalog/git/openRepo.ts';
import type { Snapshot } from '../../catalog/types.ts';
import type { CatalogReader } from '../../catalog/CatalogReader.ts';
import type { GraphStore } from '../../graph/GraphStore.ts';
import { startGitHub, type GitHubServeOptions, type ServedGitHub } from './serveGitHub.ts';

export interface ServeOptions extends GitHubServeOptions {
  neo4j?: string;
  repo: string;
  ref: string;
  port: number;
  host: string;
  poll: number;
  git: GitImplementation;
  cache: boolean;
}

/** Longest wait between two attempts after failures. */
const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * Keeps a graph store on the latest commit of a revision. Failures are kept
 * for /healthz and retried with exponential back-off; the last good snapshot
 * stays served meanwhile.
 */
export class GraphFollower {
  snapshot?: Snapshot;
  lastError?: string;
  failures = 0;

  constructor(
    private readonly reader: CatalogReader,
    private readonly graph: GraphStore,
    private readonly ref: string,
  ) {}

  /** Syncs the store when the revision moved or the store lost its state; true when the commit changed. */
  async refresh(): Promise<boolean> {
    try {
      const target = await this.reader.git.resolve(this.ref);
      if (target === this.snapshot?.commit && this.failures === 0 && (await this.graph.commit()) === target) return false;
      const before = this.snapshot?.commit;
      const r = await syncStore({ reader: this.reader, store: this.graph, rev: target, known: this.snapshot });
      this.snapshot = r.snapshot;
      this.lastError = undefined;
      this.failures = 0;
      return r.snapshot.commit !== before;
    } catch (e) {
      this.lastError = (e as Error).message;
      this.failures++;
      return false;
    }
  }

  /** Wait before the next attempt: the poll interval, doubled per consecutive failure. */
  nextDelay(pollMs: number): number {
    return Math.min(pollMs * 2 ** Math.min(this.failures, 16), Math.max(pollMs, MAX_BACKOFF_MS));
  }
}

/** Neo4j answers through an in-memory fallback that keeps the last good state. */
async function openServedGraph(o: ServeOptions): Promise<GraphStore> {
  const store = await openGraph(o);
  return neo4jSettings(o) ? new FailoverGraphStore({ primary: store, fallback: new InMemoryGraphStore({}) }) : store;
}

/** A running `cmdb serve`: the API, the follower, and how to stop both. */
export interface ServeHandle {
  url: string;
  follower: GraphFollower;
  graph: GraphStore;
  /** The GitHub controller, with --github. */
  github?: ServedGitHub;
  close(): Promise<void>;
}

/** Starts the API on the catalog at a revision and keeps following it. */
export async function startServe(o: ServeOptions, io: Output): Promise<ServeHandle> {
  const log = pino({ name: 'cmdb', level: process.env.CMDB_LOG_LEVEL ?? 'info' }, pino.destination(2));
  let onMerge = async () => {};
  const github = await startGitHub(o, log, () => onMerge());
  // With --github-repo the served catalog is the controller's clone, following the default branch.
  if (github?.prepared) o = { ...o, repo: github.prepared.gitdir, ref: `refs/remotes/origin/${github.prepared.branch}` };
  const reader = await openCatalog(o);
  const graph = await openServedGraph(o);
  const follower = new GraphFollower(reader, graph, o.ref);
  if (github?.prepared) onMerge = async () => void (await follower.refresh());
  await reader.git.resolve(o.ref);
  await follower.refresh();
  if (follower.lastError) log.warn({ error: follower.lastError, store: graph.name }, 'initial sync failed; retrying with back-off');
  const health = async () => ({
    ok: follower.lastError === undefined,
    checks: { sync: follower.lastError ? { ok: false, message: follower.lastError } : { ok: true, message: follower.snapshot?.commit } },
  });
  const { startApiServer } = await import('../../graph-api/server.ts'); // graphql-yoga loads only for serve
  const server = await startApiServer({ source: { store: graph, health }, port: o.port, host: o.host, routes: github?.routes });
  log.info({ commit: follower.snapshot?.commit, entities: follower.snapshot?.entities.size, store: graph.name }, 'catalog loaded');
  io.out(`GraphQL API on ${server.url}/graphql (health: ${server.url}/healthz)`);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const schedule = () => {
    if (o.poll <= 0 || closed) return;
    timer = setTimeout(async () => {
      const failing = follower.failures > 0;
      const moved = await follower.refresh();
      if (moved) log.info({ commit: follower.snapshot?.commit }, 'graph follows new commit');
      if (follower.lastError) log.warn({ error: follower.lastError, retryInMs: follower.nextDelay(o.poll * 1000) }, 'sync failed');
      else if (failing) log.info({ commit: follower.snapshot?.commit }, 'sync recovered');
      schedule();
    }, follower.nextDelay(o.poll * 1000));
  };
  schedule();
  return {
    url: server.url,
    follower,
    graph,
    github,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await server.close();
      await github?.close();
      await graph.close();
    },
  };
}

/** `cmdb serve`: runs until SIGINT or SIGTERM. */
export async function runServe(o: ServeOptions, io: Output): Promise<number> {
  const handle = await startServe(o, io);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await handle.close();
  return 0;
}
