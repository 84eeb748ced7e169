/**
 * A Neo4j for development that outlives the command:
 *
 *   node --import tsx tests/infra/neo4j-cli.ts start [--port N] [--timeout MS]
 *   node --import tsx tests/infra/neo4j-cli.ts status
 *   node --import tsx tests/infra/neo4j-cli.ts stop
 *   node --import tsx tests/infra/neo4j-cli.ts install   (fetch + compile only; prints the cache folder)
 *
 * `start` runs the server in the background (its output in
 * tests/infra/.work/neo4j/server.log, pid and URI in state.json), waits until
 * Bolt answers and prints the bolt:// URI as its last line. A server already
 * running is reused. `status` exits 0 when one answers, 1 otherwise.
 * The test run's globalSetup (tests/infra/global-setup.ts) uses a running one
 * instead of starting its own.
 */
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { dispatch, option, runIfMain } from './cliMain.ts';
import {
  NEO4J_WORK_DIR,
  ensureNeo4jInstalled,
  isNeo4jServerProcess,
  startNeo4j,
  stopNeo4jByPid,
  verifyBolt,
} from './neo4j.ts';

export const STATE_FILE = join(NEO4J_WORK_DIR, 'state.json');
export const SERVER_LOG = join(NEO4J_WORK_DIR, 'server.log');

export interface Neo4jCliState {
  pid: number;
  uri: string;
  dataDir: string;
  logFile: string;
  startedAt: string;
}

export async function readNeo4jState(): Promise<Neo4jCliState | undefined> {
  try {
    return JSON.parse(await readFile(STATE_FILE, 'utf8')) as Neo4jCliState;
  } catch {
    return undefined;
  }
}

/** The URI of the CLI's server if it runs and Bolt answers. */
export async function runningNeo4jUri(): Promise<string | undefined> {
  const state = await readNeo4jState();
  if (!state || !state.uri || !isNeo4jServerProcess(state.pid)) return undefined;
  try {
    await verifyBolt(state.uri);
    return state.uri;
  } catch {
    return undefined;
  }
}

async function start(args: string[]): Promise<number> {
  const port = Number(option(args, '--port') ?? 0);
  const timeout = option(args, '--timeout');
  const running = await runningNeo4jUri();
  if (running) {
    const state = await readNeo4jState();
    console.error(`[neo4j] already running (pid ${state?.pid}); stop it with: npm run neo4j:stop`);
    console.log(running);
    return 0;
  }
  const stale = await readNeo4jState();
  if (stale) {
    if (isNeo4jServerProcess(stale.pid)) await stopNeo4jByPid(stale.pid); // alive but not answering
    await rm(stale.dataDir, { recursive: true, force: true });
    await rm(STATE_FILE, { force: true });
  }
  await mkdir(NEO4J_WORK_DIR, { recursive: true });
  // Interrupted while waiting: stop the half-started server rather than orphan it.
  let spawned: number | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (spawned !== undefined && isNeo4jServerProcess(spawned)) process.kill(spawned, 'SIGKILL');
    console.error(`[neo4j] interrupted by ${signal}; the server was stopped`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  const server = await startNeo4j({
    port,
    detached: true,
    logFile: SERVER_LOG,
    log: (line) => console.error(line),
    ...(timeout ? { timeoutMs: Number(timeout) } : {}),
    onSpawn: async (pid, dataDir) => {
      spawned = pid;
      const starting: Neo4jCliState = { pid, uri: '', dataDir, logFile: SERVER_LOG, startedAt: new Date().toISOString() };
      await writeFile(STATE_FILE, `${JSON.stringify(starting, null, 2)}\n`);
    },
  }).catch(async (error: unknown) => {
    await rm(STATE_FILE, { force: true });
    throw error;
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('SIGHUP', onSignal);
  const state: Neo4jCliState = {
    pid: server.pid,
    uri: server.uri,
    dataDir: server.dataDir,
    logFile: SERVER_LOG,
    startedAt: new Date().toISOString(),
  };
  await writeFile(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
  console.error(`[neo4j] running in the background (pid ${server.pid}, log ${SERVER_LOG}); stop it with: npm run neo4j:stop`);
  console.log(server.uri);
  return 0;
}

async function stop(): Promise<number> {
  const state = await readNeo4jState();
  if (!state) {
    console.error('[neo4j] not running (no state file)');
    return 0;
  }
  const stopped = await stopNeo4jByPid(state.pid, (line) => console.error(line));
  await rm(state.dataDir, { recursive: true, force: true });
  await rm(STATE_FILE, { force: true });
  console.error(stopped ? `[neo4j] stopped (pid ${state.pid})` : `[neo4j] pid ${state.pid} was not running; state cleared`);
  return 0;
}

async function status(): Promise<number> {
  const state = await readNeo4jState();
  const uri = await runningNeo4jUri();
  if (uri && state) {
    console.log(`running pid=${state.pid} since=${state.startedAt} log=${state.logFile}`);
    console.log(uri);
    return 0;
  }
  if (!state) console.log('not running');
  else if (isNeo4jServerProcess(state.pid)) console.log(`pid ${state.pid} is running but Bolt does not answer (yet?); log: ${state.logFile}`);
  else console.log(`not running (stale ${STATE_FILE}; npm run neo4j:stop clears it)`);
  return 1;
}

export const main = (argv: string[]): Promise<number> =>
  dispatch(
    argv,
    {
      start,
      stop: () => stop(),
      status: () => status(),
      install: async () => {
        console.log((await ensureNeo4jInstalled({ log: (line) => console.error(line) })).dir);
        return 0;
      },
    },
    'node --import tsx tests/infra/neo4j-cli.ts start [--port N] [--timeout MS] | stop | status | install',
  );

runIfMain(import.meta.url, main);
