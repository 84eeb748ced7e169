/**
 * A Kubernetes API server for development that outlives the command:
 *
 *   node --import tsx tests/infra/kube-cli.ts start [--timeout MS]
 *   node --import tsx tests/infra/kube-cli.ts status
 *   node --import tsx tests/infra/kube-cli.ts stop
 *   node --import tsx tests/infra/kube-cli.ts install   (build only; prints the cache folder)
 *
 * `start` builds the binaries when missing, runs etcd and kube-apiserver in
 * the background (pids, server and kubeconfig in
 * tests/infra/.work/kube/state.json; logs in the instance folder), waits until
 * /readyz answers and prints the path of an admin kubeconfig as its last line.
 * A server already running is reused. `status` exits 0 when one answers, 1
 * otherwise. The test run (tests/infra/kube-global-setup.ts) uses a running
 * one instead of starting its own.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dispatch, option, runIfMain } from './cliMain.ts';
import {
  KUBE_WORK_DIR,
  ensureKubeInstalled,
  isKubeProcess,
  kubeRequest,
  startKube,
  stopKubeByPids,
} from './kube.ts';

export const KUBE_STATE_FILE = join(KUBE_WORK_DIR, 'state.json');

export interface KubeCliState {
  /** Empty while starting. */
  server: string;
  kubeconfig: string;
  adminToken: string;
  viewerToken: string;
  etcdPid: number;
  apiserverPid?: number;
  instanceDir: string;
  startedAt: string;
}

/** What a test needs to reach a running server. */
export interface KubeAccess {
  server: string;
  kubeconfig: string;
  adminToken: string;
  viewerToken: string;
}

export async function readKubeState(): Promise<KubeCliState | undefined> {
  try {
    return JSON.parse(await readFile(KUBE_STATE_FILE, 'utf8')) as KubeCliState;
  } catch {
    return undefined;
  }
}

/** The CLI's server if both processes run and /readyz answers ok. */
export async function runningKube(): Promise<KubeAccess | undefined> {
  const state = await readKubeState();
  if (!state?.server || state.apiserverPid === undefined) return undefined;
  if (!isKubeProcess(state.apiserverPid) || !isKubeProcess(state.etcdPid)) return undefined;
  const ready = await kubeRequest({ server: state.server, token: state.adminToken, path: '/readyz' }).catch(() => undefined);
  if (ready?.status !== 200) return undefined;
  return { server: state.server, kubeconfig: state.kubeconfig, adminToken: state.adminToken, viewerToken: state.viewerToken };
}

function statePids(state: KubeCliState): number[] {
  return [state.apiserverPid, state.etcdPid].filter((pid): pid is number => typeof pid === 'number');
}

async function start(args: string[]): Promise<number> {
  const timeout = option(args, '--timeout');
  const running = await runningKube();
  if (running) {
    const state = await readKubeState();
    console.error(`[kube] already running at ${running.server} (kube-apiserver pid ${state?.apiserverPid}); stop it with: npm run k8s:stop`);
    console.log(running.kubeconfig);
    return 0;
  }
  const stale = await readKubeState();
  if (stale) {
    await stopKubeByPids(statePids(stale)); // alive but not answering
    await rm(stale.instanceDir, { recursive: true, force: true });
    await rm(KUBE_STATE_FILE, { force: true });
  }
  await mkdir(KUBE_WORK_DIR, { recursive: true });
  // Interrupted while waiting: stop the half-started processes rather than orphan them.
  let spawned: number[] = [];
  const onSignal = (signal: NodeJS.Signals): void => {
    for (const pid of spawned) if (isKubeProcess(pid)) process.kill(pid, 'SIGKILL');
    console.error(`[kube] interrupted by ${signal}; the server was stopped`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  const base = { server: '', kubeconfig: '', adminToken: '', viewerToken: '' };
  const server = await startKube({
    detached: true,
    install: true,
    log: (line) => console.error(line),
    ...(timeout ? { timeoutMs: Number(timeout) } : {}),
    onSpawn: async (pids, instanceDir) => {
      spawned = [pids.apiserverPid, pids.etcdPid].filter((pid): pid is number => pid !== undefined);
      const starting: KubeCliState = { ...base, ...pids, instanceDir, startedAt: new Date().toISOString() };
      await writeFile(KUBE_STATE_FILE, `${JSON.stringify(starting, null, 2)}\n`);
    },
  }).catch(async (error: unknown) => {
    await rm(KUBE_STATE_FILE, { force: true });
    throw error;
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('SIGHUP', onSignal);
  const state: KubeCliState = {
    server: server.server,
    kubeconfig: server.kubeconfig,
    adminToken: server.adminToken,
    viewerToken: server.viewerToken,
    etcdPid: server.etcdPid,
    apiserverPid: server.apiserverPid,
    instanceDir: server.instanceDir,
    startedAt: new Date().toISOString(),
  };
  await writeFile(KUBE_STATE_FILE, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  console.error(`[kube] running in the background at ${server.server} (logs in ${server.instanceDir}); stop it with: npm run k8s:stop`);
  console.log(server.kubeconfig);
  return 0;
}

async function stop(): Promise<number> {
  const state = await readKubeState();
  if (!state) {
    console.error('[kube] not running (no state file)');
    return 0;
  }
  const stopped = await stopKubeByPids(statePids(state), (line) => console.error(line));
  await rm(state.instanceDir, { recursive: true, force: true });
  await rm(KUBE_STATE_FILE, { force: true });
  console.error(stopped > 0 ? `[kube] stopped (pids ${statePids(state).join(', ')})` : `[kube] pids ${statePids(state).join(', ')} were not running; state cleared`);
  return 0;
}

async function status(): Promise<number> {
  const state = await readKubeState();
  const running = await runningKube();
  if (running && state) {
    console.log(`running server=${running.server} kube-apiserver pid=${state.apiserverPid} etcd pid=${state.etcdPid} since=${state.startedAt} logs=${state.instanceDir}`);
    console.log(running.kubeconfig);
    return 0;
  }
  if (!state) console.log('not running');
  else if (statePids(state).some(isKubeProcess)) console.log(`pids ${statePids(state).join(', ')} are running but /readyz does not answer ok (yet?); logs: ${state.instanceDir}`);
  else console.log(`not running (stale ${KUBE_STATE_FILE}; npm run k8s:stop clears it)`);
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
        console.log((await ensureKubeInstalled({ log: (line) => console.error(line) })).dir);
        return 0;
      },
    },
    'node --import tsx tests/infra/kube-cli.ts start [--timeout MS] | stop | status | install',
  );

runIfMain(import.meta.url, main);
