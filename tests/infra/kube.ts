/**
 * A real Kubernetes API server for the tests, built and started by the
 * project itself: kube-apiserver and etcd, no controller-manager, no nodes.
 * Nothing sets an object's status but the tests, through the status
 * subresource.
 *
 * Both are built from the Go module proxy with the local Go toolchain (1.26+):
 * tests/infra/kube/apiserver/main.go runs upstream's kube-apiserver command
 * (module k8s.io/kubernetes; its go.mod is written here with a replace for
 * every k8s.io staging module upstream requires at v0.0.0) and
 * tests/infra/kube/etcd/main.go runs go.etcd.io/etcd/server/v3's etcdmain.
 * The wrapper modules and binaries are cached per machine under
 * ~/.cache/gitops-cmdb/kube/<key> ($CMDB_KUBE_CACHE_DIR overrides the root);
 * the key names the versions and hashes the two main.go files. A lock keeps
 * two processes from building at once.
 *
 * A started server listens on 127.0.0.1 only (https with a self-signed serving
 * certificate, etcd on plain http), authenticates bearer tokens from a static
 * token file (`admin` in system:masters, `viewer` with no bindings) and
 * authorizes with RBAC.
 *
 * Environment:
 * - CMDB_KUBE_GO: the go command to build with; else `go` on PATH, else /usr/local/go/bin/go.
 * - CMDB_KUBE_CACHE_DIR: where the wrapper modules and binaries are cached.
 * - CMDB_KUBE_START_TIMEOUT_MS: how long to wait for /readyz (default 60000).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InfraError, killOnExit, runCommand, tailLines } from './processes.ts';
import envPaths from 'env-paths';
import { stringify as toYaml } from 'yaml';

/** The Kubernetes release whose kube-apiserver is built (module k8s.io/kubernetes). */
export const KUBE_VERSION = 'v1.34.4';
/** The etcd release built (module go.etcd.io/etcd/server/v3). */
export const ETCD_VERSION = 'v3.6.16';
/**
 * The oldest Go that builds both: k8s.io/kubernetes v1.34.4's go.mod says
 * go 1.24.0, go.etcd.io/etcd/server/v3 v3.6.16's says go 1.26.0.
 */
export const MIN_GO: readonly [number, number] = [1, 26];

/** tests/infra/ */
const INFRA_DIR = dirname(fileURLToPath(import.meta.url));
/** tests/infra/kube/: the wrapper mains. */
export const KUBE_PROJECT_DIR = join(INFRA_DIR, 'kube');
/** tests/infra/.work/kube/ (git-ignored): instance folders, the CLI's state. */
export const KUBE_WORK_DIR = join(INFRA_DIR, '.work', 'kube');

const APISERVER_MAIN = join(KUBE_PROJECT_DIR, 'apiserver', 'main.go');
const ETCD_MAIN = join(KUBE_PROJECT_DIR, 'etcd', 'main.go');
const DEFAULT_START_TIMEOUT_MS = 60_000;
const BUILD_TIMEOUT_MS = 40 * 60_000;
const STOP_GRACE_MS = 15_000;
const TAIL_LINES = 40;
/** Bumped when the way the wrapper modules are written changes (part of the cache key). */
const RECIPE = '1';

export type KubeLog = (line: string) => void;

export interface KubeInstallation {
  /** The cache folder of this build. */
  dir: string;
  kubeApiserver: string;
  etcd: string;
}

export interface KubeServer {
  /** https://127.0.0.1:PORT (self-signed: skip TLS verification). */
  server: string;
  /** An admin kubeconfig (contexts `admin`, the current one, and `viewer`). */
  kubeconfig: string;
  /** Bearer token of `admin` (group system:masters). */
  adminToken: string;
  /** Bearer token of `viewer` (authenticated, no RBAC bindings: 403 on everything namespaced). */
  viewerToken: string;
  apiserverPid: number;
  etcdPid: number;
  /** Holds etcd's data, the certificates, token file, kubeconfig and (detached) the logs. */
  instanceDir: string;
  /** Stops kube-apiserver, then etcd, and removes instanceDir; idempotent. */
  stop(): Promise<void>;
}

export interface StartKubeOptions {
  /** Receives progress lines and (attached) every line both processes print. */
  log?: KubeLog;
  /** How long to wait for /readyz (default 60 s or $CMDB_KUBE_START_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Build the binaries when they are missing (else fail saying how to build them). */
  install?: boolean;
  /**
   * Run both in their own process groups, not tied to this process, with
   * their output in instanceDir/{etcd,apiserver}.log (used by `kube-cli.ts
   * start`). Otherwise both stop when this process exits: they watch their
   * stdin, a pipe from us.
   */
  detached?: boolean;
  /** Called once both processes exist (to record their pids). */
  onSpawn?: (pids: { etcdPid: number; apiserverPid?: number }, instanceDir: string) => void | Promise<void>;
}

/** An infrastructure failure of the test API server; `message` says what to do. */
export class KubeInfraError extends InfraError {}

// ---------------------------------------------------------------- install

/** The cache root: $CMDB_KUBE_CACHE_DIR or <user cache>/gitops-cmdb/kube (~/.cache/gitops-cmdb/kube on Linux). */
export function kubeCacheRoot(): string {
  const fromEnv = process.env.CMDB_KUBE_CACHE_DIR;
  if (fromEnv) return fromEnv;
  return join(envPaths('gitops-cmdb', { suffix: '' }).cache, 'kube');
}

/** The cache folder for this recipe: versions plus a hash of the wrapper mains. */
export async function kubeInstallationDir(): Promise<string> {
  const hash = createHash('sha256').update(RECIPE);
  for (const file of [APISERVER_MAIN, ETCD_MAIN]) hash.update('\0').update(await readFile(file));
  return join(kubeCacheRoot(), `${KUBE_VERSION}-etcd-${ETCD_VERSION}-${hash.digest('hex').slice(0, 12)}`);
}

function installationAt(dir: string): KubeInstallation {
  return { dir, kubeApiserver: join(dir, 'bin', 'kube-apiserver'), etcd: join(dir, 'bin', 'etcd') };
}

/** The built binaries, or undefined when they are not built on this machine yet. */
export async function findKubeInstallation(): Promise<KubeInstallation | undefined> {
  const dir = await kubeInstallationDir();
  return existsSync(join(dir, 'installed.json')) ? installationAt(dir) : undefined;
}

/** What to do when the binaries are missing. */
export function notInstalledMessage(dir: string): string {
  return `kube-apiserver ${KUBE_VERSION} and etcd ${ETCD_VERSION} are not built on this machine yet: run \`npm run k8s:install\` once `
    + `(needs Go ${MIN_GO.join('.')}+; it builds both from the Go module proxy, 6-11 min and up to 2 GB of memory on 2 cores, into ${dir})`;
}

/**
 * Makes sure both binaries are in the cache, building them when missing.
 * Safe to call from several processes at once: one builds (under a lock),
 * the others wait for it.
 */
export async function ensureKubeInstalled(options: { log?: KubeLog } = {}): Promise<KubeInstallation> {
  const log = options.log ?? (() => {});
  const dir = await kubeInstallationDir();
  if (existsSync(join(dir, 'installed.json'))) return installationAt(dir);
  const go = await findGo();
  await mkdir(dirname(dir), { recursive: true });
  const release = await acquireLock(`${dir}.lock`, log, () => existsSync(join(dir, 'installed.json')));
  try {
    if (existsSync(join(dir, 'installed.json'))) return installationAt(dir);
    await build(dir, go, log);
    return installationAt(dir);
  } finally {
    await release();
  }
}

interface Go { command: string; version: string }

/** The go command: $CMDB_KUBE_GO, else `go` on PATH, else /usr/local/go/bin/go; checked to be MIN_GO or newer. */
export async function findGo(): Promise<Go> {
  const candidates = process.env.CMDB_KUBE_GO ? [process.env.CMDB_KUBE_GO] : ['go', '/usr/local/go/bin/go'];
  const hint = `Go ${MIN_GO.join('.')}+ is needed to build kube-apiserver and etcd for the tests `
    + '(Debian\'s golang-go is too old): install it from https://go.dev/dl/ into /usr/local/go, or set CMDB_KUBE_GO to a go command';
  const found: string[] = [];
  for (const command of candidates) {
    let output: string;
    try {
      output = await run(command, ['env', 'GOVERSION'], { timeoutMs: 60_000, what: `${command} env GOVERSION`, env: goEnv() });
    } catch {
      continue;
    }
    const version = output.trim();
    const m = /^go(\d+)\.(\d+)/.exec(version);
    if (m && (Number(m[1]) > MIN_GO[0] || (Number(m[1]) === MIN_GO[0] && Number(m[2]) >= MIN_GO[1]))) return { command, version };
    found.push(`${command} is ${version || 'of unknown version'}`);
  }
  throw new KubeInfraError('KUBE_GO_MISSING', `${found.length > 0 ? found.join('; ') : `no go command found (${candidates.join(', ')})`}. ${hint}.`);
}

function goEnv(): NodeJS.ProcessEnv {
  // Static binaries (no C compiler needed), exactly the toolchain found, modules from the proxy.
  return { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };
}

async function build(dir: string, go: Go, log: KubeLog): Promise<void> {
  await pruneAbandonedBuilds(dirname(dir));
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const started = Date.now();
  const seconds = (): string => ((Date.now() - started) / 1000).toFixed(0);
  const goRun = (args: string[], cwd: string, what: string): Promise<string> =>
    run(go.command, args, { cwd, env: goEnv(), timeoutMs: BUILD_TIMEOUT_MS, what: `${what} (the Go module proxy must be reachable)` });
  try {
    log(`[kube] building kube-apiserver ${KUBE_VERSION} and etcd ${ETCD_VERSION} with ${go.command} (${go.version}) into ${dir} (once per machine; 6-11 min on 2 cores)`);
    const apiserverSrc = join(tmp, 'src', 'apiserver');
    const etcdSrc = join(tmp, 'src', 'etcd');
    await mkdir(apiserverSrc, { recursive: true });
    await mkdir(etcdSrc, { recursive: true });
    await mkdir(join(tmp, 'bin'), { recursive: true });

    const downloaded = JSON.parse(await goRun(['mod', 'download', '-json', `k8s.io/kubernetes@${KUBE_VERSION}`], tmp, `go mod download k8s.io/kubernetes@${KUBE_VERSION}`)) as { GoMod?: string; Error?: string };
    if (!downloaded.GoMod) throw new KubeInfraError('KUBE_BUILD', `go mod download k8s.io/kubernetes@${KUBE_VERSION}: ${downloaded.Error ?? 'no go.mod'}`);
    await writeFile(join(apiserverSrc, 'go.mod'), apiserverGoMod(await readFile(downloaded.GoMod, 'utf8')));
    await copyFile(APISERVER_MAIN, join(apiserverSrc, 'main.go'));
    await writeFile(join(etcdSrc, 'go.mod'), `module gitops-cmdb.test/etcd\n\ngo ${MIN_GO.join('.')}.0\n\nrequire go.etcd.io/etcd/server/v3 ${ETCD_VERSION}\n`);
    await copyFile(ETCD_MAIN, join(etcdSrc, 'main.go'));

    await goRun(['mod', 'tidy'], apiserverSrc, 'go mod tidy (kube-apiserver)');
    log(`[kube] ${seconds()} s: modules resolved; compiling kube-apiserver`);
    const [major, minor] = KUBE_VERSION.slice(1).split('.');
    const version = 'k8s.io/component-base/version';
    await goRun(['build', '-trimpath', '-o', join(tmp, 'bin', 'kube-apiserver'), `-ldflags=-s -w -X ${version}.gitVersion=${KUBE_VERSION} -X ${version}.gitMajor=${major} -X ${version}.gitMinor=${minor} -X ${version}.gitTreeState=clean`, '.'], apiserverSrc, 'go build kube-apiserver');
    log(`[kube] ${seconds()} s: kube-apiserver built; compiling etcd`);
    await goRun(['mod', 'tidy'], etcdSrc, 'go mod tidy (etcd)');
    await goRun(['build', '-trimpath', '-o', join(tmp, 'bin', 'etcd'), '-ldflags=-s -w', '.'], etcdSrc, 'go build etcd');
    await writeFile(join(tmp, 'installed.json'), `${JSON.stringify({
      kubeVersion: KUBE_VERSION, etcdVersion: ETCD_VERSION, go: go.version, installedAt: new Date().toISOString(), seconds: (Date.now() - started) / 1000,
    }, null, 2)}\n`);
    await rename(tmp, dir);
    log(`[kube] built in ${seconds()} s`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * The wrapper module's go.mod: requires k8s.io/kubernetes and replaces each
 * staging module it requires at v0.0.0 (upstream points those at
 * ./staging/src/...) by its published v0.MINOR.PATCH; keeps upstream's go and godebug lines.
 */
export function apiserverGoMod(upstreamGoMod: string): string {
  const published = `v0${KUBE_VERSION.slice(2)}`; // v1.34.4 -> v0.34.4
  const staging = [...upstreamGoMod.matchAll(/^\s*(k8s\.io\/[\w.-]+) v0\.0\.0\s*$/gm)].map((m) => m[1]);
  if (staging.length === 0) throw new KubeInfraError('KUBE_BUILD', `k8s.io/kubernetes@${KUBE_VERSION}'s go.mod requires no staging module at v0.0.0: the wrapper recipe needs updating`);
  const godebug = upstreamGoMod.split('\n').filter((line) => /^godebug\s/.test(line));
  const goLine = /^go \S+$/m.exec(upstreamGoMod)?.[0] ?? `go ${MIN_GO.join('.')}.0`;
  return [
    'module gitops-cmdb.test/kube-apiserver',
    '',
    goLine,
    '',
    ...godebug,
    '',
    `require k8s.io/kubernetes ${KUBE_VERSION}`,
    '',
    'replace (',
    ...[...new Set(staging)].sort().map((m) => `\t${m} => ${m} ${published}`),
    ')',
    '',
  ].join('\n');
}

/** mkdir-based lock with the owner's pid inside; a dead owner's lock is taken over. */
export async function acquireLock(lockDir: string, log: KubeLog, done: () => boolean): Promise<() => Promise<void>> {
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  let announced = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, 'owner.json'), `${JSON.stringify({ pid: process.pid, since: new Date().toISOString() })}\n`);
      return () => rm(lockDir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readFile(join(lockDir, 'owner.json'), 'utf8').then((t) => JSON.parse(t) as { pid?: number }).catch(() => undefined);
    const info = await stat(lockDir).catch(() => undefined);
    const ownerGone = owner?.pid !== undefined ? !isAlive(owner.pid) : (info !== undefined && Date.now() - info.mtimeMs > 60_000);
    if (ownerGone) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (done()) return async () => {};
    if (!announced) {
      log(`[kube] another process (pid ${owner?.pid ?? '?'}) is building; waiting for it (${lockDir})`);
      announced = true;
    }
    if (Date.now() > deadline) throw new KubeInfraError('KUBE_BUILD_LOCK', `${lockDir} is still held by pid ${owner?.pid} after ${BUILD_TIMEOUT_MS} ms`);
    await delay(2_000);
  }
}

/** Removes <key>.tmp-* folders of builds that crashed over an hour ago. */
export async function pruneAbandonedBuilds(root: string): Promise<void> {
  const names = await readdir(root).catch(() => [] as string[]);
  await Promise.all(names.filter((name) => name.includes('.tmp-')).map(async (name) => {
    const info = await stat(join(root, name)).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > 60 * 60_000) await rm(join(root, name), { recursive: true, force: true }).catch(() => {});
  }));
}

/** Runs a command to completion; resolves with stdout, rejects with the tail of its output. */
export async function run(cmd: string, args: string[], opts: { timeoutMs: number; what: string; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  const errors = {
    spawn: (message: string, cause: unknown) => new KubeInfraError('KUBE_SPAWN', message, { cause }),
    failed: (message: string) => new KubeInfraError('KUBE_COMMAND_FAILED', message),
  };
  return (await runCommand(cmd, args, { ...opts, tail: TAIL_LINES, errors })).stdout;
}

// ---------------------------------------------------------------- start / stop


/** A spawned process with the tail of its output and its exit. */
interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  exited: Promise<void>;
  exitInfo(): string | undefined;
  tail(): Promise<string>;
  stop(): Promise<void>;
}

function spawnProc(name: string, binary: string, args: string[], opts: { detached: boolean; logFile: string; log: KubeLog }): Proc {
  const lines: string[] = [];
  let child: ChildProcess;
  if (opts.detached) {
    const fd = openSync(opts.logFile, 'w');
    child = spawn(binary, args, { stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    child.unref();
  } else {
    child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, CMDB_EXIT_ON_STDIN_EOF: '1' } });
    killOnExit(child);
    child.stdin?.on('error', () => {});
    let partial = '';
    const onData = (chunk: Buffer): void => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (lines.length > TAIL_LINES) lines.shift();
        opts.log(`[${name}] ${line}`);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  }
  let info: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      info = signal ? `killed by ${signal}` : `exit code ${code}`;
      child.stdin?.destroy(); // else the pipe keeps this process's event loop alive
      resolve();
    });
    child.once('error', (error) => {
      info = `cannot run ${binary}: ${error.message}`;
      resolve();
    });
  });
  return {
    name,
    child,
    pid: child.pid ?? -1,
    exited,
    exitInfo: () => info,
    tail: async () => (opts.detached ? tailLines(await readFile(opts.logFile, 'utf8').catch(() => ''), TAIL_LINES) : lines.join('\n')),
    stop: async () => {
      if (info !== undefined || child.pid === undefined) return;
      child.kill('SIGTERM');
      if (!(await within(exited, STOP_GRACE_MS))) {
        child.kill('SIGKILL');
        await within(exited, 5_000);
      }
    },
  };
}

/**
 * Starts etcd and kube-apiserver on free loopback ports and resolves once
 * /readyz answers ok to the admin token. On failure or timeout both are
 * stopped and the error carries the tail of their output.
 */
export async function startKube(options: StartKubeOptions = {}): Promise<KubeServer> {
  const log = options.log ?? (() => {});
  const timeoutMs = options.timeoutMs ?? (Number(process.env.CMDB_KUBE_START_TIMEOUT_MS) || DEFAULT_START_TIMEOUT_MS);
  const installation = options.install ? await ensureKubeInstalled({ log }) : await findKubeInstallation();
  if (!installation) {
    const noGo = await findGo().then(() => '', (error: unknown) => ` Moreover: ${(error as Error).message}`);
    throw new KubeInfraError('KUBE_NOT_INSTALLED', `${notInstalledMessage(await kubeInstallationDir())}.${noGo}`);
  }
  const started = Date.now();
  const deadline = started + timeoutMs;

  await pruneStaleInstances();
  const instanceDir = join(KUBE_WORK_DIR, 'instances', `${Date.now()}-${randomBytes(3).toString('hex')}`);
  const certDir = join(instanceDir, 'certs');
  await mkdir(join(instanceDir, 'etcd'), { recursive: true, mode: 0o700 });
  await mkdir(certDir, { recursive: true });

  const [etcdPort, peerPort, apiPort] = await freePorts(3);
  const adminToken = randomBytes(24).toString('hex');
  const viewerToken = randomBytes(24).toString('hex');
  const tokenFile = join(instanceDir, 'tokens.csv');
  await writeFile(tokenFile, `${adminToken},admin,admin,"system:masters"\n${viewerToken},viewer,viewer\n`, { mode: 0o600 });
  const keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  await writeFile(join(certDir, 'sa.pub'), keys.publicKey);
  await writeFile(join(certDir, 'sa.key'), keys.privateKey, { mode: 0o600 });

  const server = `https://127.0.0.1:${apiPort}`;
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const detached = options.detached === true;
  const procs: Proc[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const proc of [...procs].reverse()) await proc.stop();
    await rm(instanceDir, { recursive: true, force: true });
    log('[kube] stopped');
  };
  const fail = async (message: string, cause?: unknown): Promise<never> => {
    const tails = await Promise.all(procs.map(async (p) => `--- output of ${p.name} (last ${TAIL_LINES} lines) ---\n${(await p.tail()) || '(none)'}`));
    await stop().catch(() => {});
    throw new KubeInfraError('KUBE_START_FAILED', [message, ...tails].join('\n'), { cause });
  };

  log(`[kube] starting etcd ${ETCD_VERSION} on ${etcdUrl}`);
  const etcd = spawnProc('etcd', installation.etcd, [
    '--name=cmdb-test',
    `--data-dir=${join(instanceDir, 'etcd')}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=cmdb-test=${peerUrl}`,
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ], { detached, logFile: join(instanceDir, 'etcd.log'), log });
  procs.push(etcd);
  if (etcd.pid < 0) return fail(`etcd did not start (${await settledInfo(etcd)})`);
  await writeOwner(instanceDir, { etcdPid: etcd.pid });
  try {
    await options.onSpawn?.({ etcdPid: etcd.pid }, instanceDir);
  } catch (error) {
    return fail(`onSpawn failed: ${(error as Error).message}`, error);
  }

  for (;;) {
    const health = await httpGet(`${etcdUrl}/health`).catch(() => undefined);
    if (health?.status === 200 && /"health":\s*"true"/.test(health.body)) break;
    if (etcd.exitInfo()) return fail(`etcd exited before it was healthy (${etcd.exitInfo()}).`);
    if (Date.now() > deadline) return fail(`etcd at ${etcdUrl} was not healthy within ${timeoutMs} ms (set CMDB_KUBE_START_TIMEOUT_MS to wait longer).`);
    await delay(100);
  }

  log(`[kube] starting kube-apiserver ${KUBE_VERSION} on ${server}`);
  const apiserver = spawnProc('kube-apiserver', installation.kubeApiserver, [
    '--advertise-address=127.0.0.1',
    '--bind-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    `--cert-dir=${certDir}`,
    `--etcd-servers=${etcdUrl}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allow-privileged=true',
    // No controller-manager creates the default ServiceAccount this plugin would require.
    '--disable-admission-plugins=ServiceAccount',
    '--authorization-mode=RBAC',
    `--token-auth-file=${tokenFile}`,
    `--service-account-issuer=${server}`,
    `--service-account-key-file=${join(certDir, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(certDir, 'sa.key')}`,
    // A single server that is not reachable from a cluster: no kubernetes Service endpoints, no APF queues.
    '--endpoint-reconciler-type=none',
    '--enable-priority-and-fairness=false',
  ], { detached, logFile: join(instanceDir, 'apiserver.log'), log });
  procs.push(apiserver);
  if (apiserver.pid < 0) return fail(`kube-apiserver did not start (${await settledInfo(apiserver)})`);
  await writeOwner(instanceDir, { etcdPid: etcd.pid, apiserverPid: apiserver.pid });
  try {
    await options.onSpawn?.({ etcdPid: etcd.pid, apiserverPid: apiserver.pid }, instanceDir);
  } catch (error) {
    return fail(`onSpawn failed: ${(error as Error).message}`, error);
  }

  let last = '';
  for (;;) {
    const ready = await kubeRequest({ server, token: adminToken, path: '/readyz' }).catch((error: unknown) => ({ status: 0, text: (error as Error).message }));
    if (ready.status === 200 && ready.text.trim() === 'ok') break;
    last = `${ready.status} ${ready.text.trim().split('\n').slice(-3).join(' | ')}`;
    for (const p of procs) if (p.exitInfo()) return fail(`${p.name} exited before kube-apiserver was ready (${p.exitInfo()}).`);
    if (Date.now() > deadline) return fail(`${server}/readyz did not answer ok within ${timeoutMs} ms (last: ${last}; set CMDB_KUBE_START_TIMEOUT_MS to wait longer).`);
    await delay(200);
  }

  const kubeconfig = join(instanceDir, 'kubeconfig.yaml');
  await writeFile(kubeconfig, kubeconfigYaml(server, adminToken, viewerToken), { mode: 0o600 });
  log(`[kube] ready at ${server} in ${((Date.now() - started) / 1000).toFixed(1)} s (kube-apiserver pid ${apiserver.pid}, etcd pid ${etcd.pid})`);
  return { server, kubeconfig, adminToken, viewerToken, apiserverPid: apiserver.pid, etcdPid: etcd.pid, instanceDir, stop };
}

async function settledInfo(proc: Proc): Promise<string> {
  await within(proc.exited, 1_000);
  return proc.exitInfo() ?? 'no pid';
}

/** A kubeconfig with the contexts `admin` (current) and `viewer`, skipping TLS verification of the self-signed server. */
export function kubeconfigYaml(server: string, adminToken: string, viewerToken: string): string {
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'cmdb-test', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'admin', user: { token: adminToken } }, { name: 'viewer', user: { token: viewerToken } }],
    contexts: [
      { name: 'admin', context: { cluster: 'cmdb-test', user: 'admin' } },
      { name: 'viewer', context: { cluster: 'cmdb-test', user: 'viewer' } },
    ],
    'current-context': 'admin',
  });
}

async function writeOwner(instanceDir: string, pids: { etcdPid: number; apiserverPid?: number }): Promise<void> {
  await writeFile(join(instanceDir, 'owner.json'), `${JSON.stringify(pids)}\n`);
}

/** Removes instance folders under .work/kube/instances whose processes are gone. */
async function pruneStaleInstances(): Promise<void> {
  const root = join(KUBE_WORK_DIR, 'instances');
  const names = await readdir(root).catch(() => [] as string[]);
  await Promise.all(names.map(async (name) => {
    const dir = join(root, name);
    try {
      const owner = JSON.parse(await readFile(join(dir, 'owner.json'), 'utf8')) as { etcdPid?: number; apiserverPid?: number };
      if ([owner.etcdPid, owner.apiserverPid].some((pid) => typeof pid === 'number' && isKubeProcess(pid))) return;
    } catch {
      const info = await stat(dir).catch(() => undefined);
      if (!info || Date.now() - info.mtimeMs < 60 * 60_000) return; // still starting
    }
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }));
}

/** Whether pid is alive and runs a binary of a kube build (Linux /proc; elsewhere the pid is trusted). */
export function isKubeProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  if (!existsSync('/proc/self/cmdline')) return true;
  try {
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return argv0.startsWith(kubeCacheRoot()) && /\/bin\/(kube-apiserver|etcd)$/.test(argv0);
  } catch {
    return false;
  }
}

/**
 * Stops processes this process did not start (the CLI's), by pid:
 * kube-apiserver first, then etcd; only pids that still run a kube build.
 */
export async function stopKubeByPids(pids: readonly number[], log: KubeLog = () => {}): Promise<number> {
  let stoppedCount = 0;
  for (const pid of pids) {
    if (!isKubeProcess(pid)) continue;
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + STOP_GRACE_MS;
    while (Date.now() < deadline && isAlive(pid)) await delay(100);
    if (isAlive(pid)) {
      log(`[kube] pid ${pid} did not stop within ${STOP_GRACE_MS} ms: SIGKILL`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    stoppedCount += 1;
  }
  return stoppedCount;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Distinct free TCP ports on 127.0.0.1 (held together so they differ; free again when returned). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<import('node:net').Server>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  })));
  const ports = servers.map((srv) => (srv.address() as import('node:net').AddressInfo).port);
  await Promise.all(servers.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
  return ports;
}

// ---------------------------------------------------------------- requests

export interface KubeRequest {
  /** https://127.0.0.1:PORT */
  server: string;
  /** Bearer token; none for an anonymous request. */
  token?: string;
  method?: string;
  /** Path and query, e.g. /apis/apps/v1/namespaces/x/deployments. */
  path: string;
  /** Sent as JSON (or as is, when a string). */
  body?: unknown;
  /** Default application/json; e.g. application/merge-patch+json for PATCH. */
  contentType?: string;
}

export interface KubeResponse {
  status: number;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** One HTTPS request to the test API server, without verifying its self-signed certificate (loopback only). */
export function kubeRequest(req: KubeRequest): Promise<KubeResponse> {
  const url = new URL(req.path, req.server);
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost' && url.hostname !== '[::1]') {
    return Promise.reject(new KubeInfraError('KUBE_NOT_LOOPBACK', `kubeRequest skips TLS verification and so only talks to loopback, not ${url.host}`));
  }
  const payload = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
  return new Promise((resolve, reject) => {
    const r = request(url, {
      method: req.method ?? 'GET',
      rejectUnauthorized: false,
      timeout: 30_000,
      headers: {
        accept: 'application/json',
        ...(req.token ? { authorization: `Bearer ${req.token}` } : {}),
        ...(payload !== undefined ? { 'content-type': req.contentType ?? 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error(`${req.method ?? 'GET'} ${url.href} timed out`)));
    r.on('error', reject);
    if (payload !== undefined) r.write(payload);
    r.end();
  });
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return fetch(url, { signal: AbortSignal.timeout(2_000) }).then(async (res) => ({ status: res.status, body: await res.text() }));
}

// ---------------------------------------------------------------- small helpers

/** Whether promise settles within ms; leaves no timer behind. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}


function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
