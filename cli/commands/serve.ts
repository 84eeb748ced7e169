import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { pino } from 'pino';
import { openCatalog, openGraph } from '../context.ts';
import type { Output } from '../output.ts';
import type { GitImplementation } from '../../catalog/git/openRepo.ts';
import type { Snapshot } from '../../catalog/types.ts';
import type { CatalogReader } from '../../catalog/CatalogReader.ts';
import type { GraphStore } from '../../graph/GraphStore.ts';
import { startApiServer } from '../../graph-api/server.ts';

interface ServeOptions {
  repo: string;
  ref: string;
  port: number;
  host: string;
  poll: number;
  git: GitImplementation;
  cache: boolean;
}

const parsePort = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
};

const parseSeconds = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of seconds (0 disables polling)');
  return n;
};

/** Keeps the graph on the latest commit of a revision; remembers the last failure for /healthz. */
export class GraphFollower {
  snapshot?: Snapshot;
  lastError?: string;

  constructor(
    private readonly reader: CatalogReader,
    private readonly graph: GraphStore,
    private readonly ref: string,
  ) {}

  /** Loads the revision's current commit when it moved; true when the graph changed. */
  async refresh(): Promise<boolean> {
    try {
      const commit = await this.reader.git.resolve(this.ref);
      if (this.snapshot?.commit === commit) return false;
      const next = this.snapshot ? await this.reader.readFrom(this.snapshot, commit) : await this.reader.read(commit);
      await this.graph.load(next);
      this.snapshot = next;
      this.lastError = undefined;
      return true;
    } catch (e) {
      this.lastError = (e as Error).message;
      return false;
    }
  }
}

/** `cmdb serve`: the GraphQL API on the catalog at a revision, following it as it moves. */
export async function runServe(o: ServeOptions, io: Output): Promise<number> {
  const log = pino({ name: 'cmdb' }, pino.destination(2));
  const reader = await openCatalog(o);
  const graph = await openGraph();
  const follower = new GraphFollower(reader, graph, o.ref);
  await reader.git.resolve(o.ref);
  await follower.refresh();
  if (follower.lastError) log.warn({ error: follower.lastError }, 'initial load failed');
  const health = async () => ({
    ok: follower.lastError === undefined,
    checks: { catalog: follower.lastError ? { ok: false, message: follower.lastError } : { ok: true, message: follower.snapshot?.commit } },
  });
  const server = await startApiServer({ source: { store: graph, health }, port: o.port, host: o.host });
  log.info({ commit: follower.snapshot?.commit, entities: follower.snapshot?.entities.size }, 'catalog loaded');
  io.out(`GraphQL API on ${server.url}/graphql (health: ${server.url}/healthz)`);
  const timer = o.poll > 0 ? setInterval(() => void follower.refresh().then((moved) => moved && log.info({ commit: follower.snapshot?.commit }, 'graph follows new commit')), o.poll * 1000) : undefined;
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  if (timer) clearInterval(timer);
  await server.close();
  await graph.close();
  return 0;
}

export function registerServe(program: Command, io: Output, run: (p: Promise<number>) => Promise<void>): void {
  program
    .command('serve')
    .description('serve the GraphQL API (/graphql) and /healthz on the catalog at a revision')
    .option('--repo <path>', 'config repository', '.')
    .option('--ref <rev>', 'revision to follow', 'HEAD')
    .option('--port <n>', 'port (0 picks a free one)', parsePort, 4000)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--poll <seconds>', 'how often to look for new commits of --ref (0: never)', parseSeconds, 10)
    .action((opts: ServeOptions, cmd: Command) => run(runServe({ ...cmd.optsWithGlobals(), ...opts }, io)));
}
