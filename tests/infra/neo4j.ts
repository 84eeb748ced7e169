/**
 * A real Neo4j for the tests, started by the project itself.
 *
 * The server is the Neo4j test harness (org.neo4j.test:neo4j-harness, the
 * Community edition) run by a tiny Java main, tests/infra/neo4j/src/Neo4jServer.java,
 * listening for Bolt on 127.0.0.1 only, without authentication or HTTP.
 *
 * Its jars are fetched by Maven (tests/infra/neo4j/pom.xml) and, with the
 * compiled main, cached per machine under ~/.cache/gitops-cmdb/neo4j/<key>
 * ($CMDB_NEO4J_CACHE_DIR overrides the root). The key hashes pom.xml and
 * Neo4jServer.java, so a change to either installs again.
 *
 * Environment:
 * - CMDB_NEO4J_JAVA_HOME or JAVA_HOME: the JDK (17+) to use; else java/javac on PATH.
 * - CMDB_NEO4J_JAVA_OPTS: JVM options, replacing the defaults (space-separated).
 * - CMDB_NEO4J_CACHE_DIR: where the jars and the compiled main are cached.
 * - CMDB_NEO4J_START_TIMEOUT_MS: how long to wait for Bolt (default 240000).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InfraError, killOnExit, runCommand, tailLines } from './processes.ts';
import neo4j from 'neo4j-driver';

/** tests/infra/ */
export const INFRA_DIR = dirname(fileURLToPath(import.meta.url));
/** tests/infra/neo4j/: pom.xml and src/Neo4jServer.java. */
export const NEO4J_PROJECT_DIR = join(INFRA_DIR, 'neo4j');
/** tests/infra/.work/neo4j/ (git-ignored): data folders, the CLI's state and log. */
export const NEO4J_WORK_DIR = join(INFRA_DIR, '.work', 'neo4j');

const POM = join(NEO4J_PROJECT_DIR, 'pom.xml');
const MAIN_SOURCE = join(NEO4J_PROJECT_DIR, 'src', 'Neo4jServer.java');
const MAIN_CLASS = 'Neo4jServer';
const MIN_JAVA = 17;
const DEFAULT_START_TIMEOUT_MS = 240_000;
const INSTALL_TIMEOUT_MS = 20 * 60_000;
const STOP_GRACE_MS = 20_000;
const TAIL_LINES = 60;

/**
 * JVM options by default. C1 only and the serial collector halve the CPU a
 * start costs on 2 cores (measured: ~7 s instead of ~14 s of CPU);
 * the --add-opens are the ones Neo4j's own launcher passes.
 */
export const DEFAULT_JAVA_OPTS: readonly string[] = [
  '-Xms256m',
  '-Xmx2g',
  '-XX:TieredStopAtLevel=1',
  '-XX:+UseSerialGC',
  '-XX:-OmitStackTraceInFastThrow',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-Dfile.encoding=UTF-8',
];

export type Neo4jLog = (line: string) => void;

export interface Neo4jInstallation {
  /** The cache folder of this installation. */
  dir: string;
  /** Neo4j version, from pom.xml. */
  neo4jVersion: string;
  /** The java executable used to run the server. */
  java: string;
  /** The class path: the jars and the compiled main. */
  classPath: string;
}

export interface StartNeo4jOptions {
  /** Bolt port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  /**
   * The harness's working folder. The harness keeps its store and logs in a
   * random folder inside it and deletes that on a clean stop. By default a
   * fresh folder under tests/infra/.work/neo4j/data/, removed by stop().
   */
  dataDir?: string;
  /** Receives progress lines and every line the Java process prints. */
  log?: Neo4jLog;
  /** How long to wait until Bolt answers (default 240 s or $CMDB_NEO4J_START_TIMEOUT_MS). */
  timeoutMs?: number;
  /** JVM options (default DEFAULT_JAVA_OPTS or $CMDB_NEO4J_JAVA_OPTS). */
  javaOpts?: readonly string[];
  /** Start on a copy of the databases of this Neo4j home (importNeo4jStore's `home`: data/databases/neo4j), not on an empty store. */
  copyFrom?: string;
  /**
   * Run the server in its own process group, not tied to this process, with
   * its output in logFile (used by `neo4j-cli.ts start`). Otherwise the server
   * dies with this process: it exits when its stdin (a pipe from us) closes.
   */
  detached?: boolean;
  /** With detached: the file that receives the server's output. */
  logFile?: string;
  /** Called once the Java process exists, before it is ready (to record its pid). */
  onSpawn?: (pid: number, dataDir: string) => void | Promise<void>;
}

export interface Neo4jServer {
  /** bolt://127.0.0.1:PORT */
  uri: string;
  /** The Java process. */
  pid: number;
  /** The harness's working folder. */
  dataDir: string;
  /** Stops the server (SIGTERM, then SIGKILL after 20 s); idempotent. */
  stop(): Promise<void>;
}

/** An infrastructure failure of the test Neo4j; `message` says what to do. */
export class Neo4jInfraError extends InfraError {}

// ---------------------------------------------------------------- install

/** The cache root: $CMDB_NEO4J_CACHE_DIR or ~/.cache/gitops-cmdb/neo4j. */
export function neo4jCacheRoot(): string {
  const fromEnv = process.env.CMDB_NEO4J_CACHE_DIR;
  if (fromEnv) return fromEnv;
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.cache'), 'gitops-cmdb', 'neo4j');
}

/**
 * Makes sure the jars and the compiled main are in the cache, fetching them
 * with Maven and compiling with javac when missing. Safe to call from
 * several processes at once (each builds in a temporary folder; the first
 * rename wins).
 */
export async function ensureNeo4jInstalled(options: { log?: Neo4jLog } = {}): Promise<Neo4jInstallation> {
  const log = options.log ?? (() => {});
  const [pom, source] = await Promise.all([readFile(POM, 'utf8'), readFile(MAIN_SOURCE, 'utf8')]);
  const neo4jVersion = /<neo4j\.version>([^<]+)<\/neo4j\.version>/.exec(pom)?.[1]?.trim();
  if (!neo4jVersion) {
    throw new Neo4jInfraError('NEO4J_POM', `${POM}: no <neo4j.version> property`);
  }
  const key = createHash('sha256').update(pom).update('\0').update(source).digest('hex').slice(0, 12);
  const dir = join(neo4jCacheRoot(), `${neo4jVersion}-${key}`);
  const jdk = await findJdk();
  const installation: Neo4jInstallation = {
    dir,
    neo4jVersion,
    java: jdk.java,
    classPath: `${join(dir, 'lib', '*')}:${join(dir, 'classes')}`,
  };
  if (existsSync(join(dir, 'installed.json'))) return installation;

  const mvn = process.env.CMDB_NEO4J_MVN ?? 'mvn';
  await requireTool(mvn, ['-v'], 'Maven (mvn) is needed to fetch the Neo4j test server: apt-get install maven');
  await requireTool(jdk.javac, ['-version'], `javac is needed to compile ${MAIN_SOURCE}: install a JDK ${MIN_JAVA}+ (apt-get install openjdk-17-jdk-headless) or set CMDB_NEO4J_JAVA_HOME`);

  await mkdir(dirname(dir), { recursive: true });
  await pruneAbandonedInstalls(dirname(dir));
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const started = Date.now();
    log(`[neo4j] fetching Neo4j ${neo4jVersion} jars with Maven into ${dir} (once per machine)`);
    await run(mvn, [
      '-B', '-q', '-f', POM,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${join(tmp, 'lib')}`,
      '-DincludeScope=runtime',
    ], { timeoutMs: INSTALL_TIMEOUT_MS, what: 'mvn dependency:copy-dependencies (Maven Central must be reachable)' });
    log(`[neo4j] jars fetched in ${((Date.now() - started) / 1000).toFixed(1)} s; compiling ${MAIN_CLASS}.java`);
    await run(jdk.javac, [
      '--release', String(MIN_JAVA), '-nowarn', '-encoding', 'UTF-8',
      '-cp', join(tmp, 'lib', '*'), '-d', join(tmp, 'classes'), MAIN_SOURCE,
    ], { timeoutMs: 5 * 60_000, what: `javac ${MAIN_SOURCE}` });
    await writeFile(join(tmp, 'installed.json'), `${JSON.stringify({
      neo4jVersion, key, installedAt: new Date().toISOString(), javac: jdk.javac, seconds: (Date.now() - started) / 1000,
    }, null, 2)}\n`);
    try {
      await rename(tmp, dir);
    } catch (error) {
      // Another process installed the same key first: use its copy.
      if (!existsSync(join(dir, 'installed.json'))) throw error;
    }
    log(`[neo4j] installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return installation;
}

/** Removes <key>.tmp-* folders of installs that crashed over an hour ago. */
async function pruneAbandonedInstalls(root: string): Promise<void> {
  const names = await readdir(root).catch(() => [] as string[]);
  await Promise.all(names.filter((name) => name.includes('.tmp-')).map(async (name) => {
    const info = await stat(join(root, name)).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > 60 * 60_000) {
      await rm(join(root, name), { recursive: true, force: true }).catch(() => {});
    }
  }));
}

interface Jdk { java: string; javac: string; major: number }

async function findJdk(): Promise<Jdk> {
  const home = process.env.CMDB_NEO4J_JAVA_HOME || process.env.JAVA_HOME;
  const java = home ? join(home, 'bin', 'java') : 'java';
  const javac = home ? join(home, 'bin', 'javac') : 'javac';
  const hint = `Neo4j for the tests needs Java ${MIN_JAVA}+: apt-get install openjdk-17-jdk-headless, or set CMDB_NEO4J_JAVA_HOME to a JDK`;
  const out = await requireTool(java, ['-version'], hint);
  const version = /version "(\d+)(?:\.(\d+))?/.exec(out);
  let major = version ? Number(version[1]) : 0;
  if (major === 1 && version?.[2]) major = Number(version[2]);
  if (major < MIN_JAVA) {
    throw new Neo4jInfraError('NEO4J_JAVA', `${java} is Java ${major || '(unknown)'}; ${hint}.\n${out.trim()}`);
  }
  return { java, javac, major };
}

/** Runs `cmd args` to check it exists; returns its output (stdout + stderr). */
async function requireTool(cmd: string, args: string[], hint: string): Promise<string> {
  try {
    return await run(cmd, args, { timeoutMs: 60_000, what: `${cmd} ${args.join(' ')}` });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    const reason = code === 'ENOENT' ? `${cmd} not found` : (error as Error).message;
    throw new Neo4jInfraError('NEO4J_TOOL_MISSING', `${reason}. ${hint}.`, { cause: error });
  }
}

/** Runs a command to completion; rejects with the tail of its output on failure. */
async function run(cmd: string, args: string[], opts: { timeoutMs: number; what: string }): Promise<string> {
  const errors = {
    spawn: (message: string, cause: unknown) => new Neo4jInfraError('NEO4J_SPAWN', message, { cause }),
    failed: (message: string) => new Neo4jInfraError('NEO4J_COMMAND_FAILED', message),
  };
  return (await runCommand(cmd, args, { ...opts, tail: TAIL_LINES, errors })).output;
}

// ---------------------------------------------------------------- bulk import

/** JVM options of the bulk loader: the JVM's default heap and collector, as neo4j-admin's launcher leaves them, and the --add-opens it passes. */
const IMPORT_JAVA_OPTS: readonly string[] = DEFAULT_JAVA_OPTS.filter((o) => o.startsWith('--add-opens') || o.startsWith('-D'));

export interface ImportedNeo4jStore {
  /** The NEO4J_HOME the loader wrote (its store in data/databases/neo4j): pass it as startNeo4j's `copyFrom`. */
  home: string;
  /** The loader's output (its progress and summary). */
  output: string;
  /** Removes the folder. */
  remove(): Promise<void>;
}

/**
 * Runs Neo4j's bulk loader, `neo4j-admin database import full @argsFile neo4j`
 * (the jars of the test Neo4j include it), into a new NEO4J_HOME under
 * tests/infra/.work/neo4j/import/: what a real deployment runs before Neo4j
 * starts (docs/graph-model.md, "Seeding an empty Neo4j"). Fails with the
 * tail of the loader's output.
 */
export async function importNeo4jStore(argsFile: string, options: { log?: Neo4jLog } = {}): Promise<ImportedNeo4jStore> {
  const installation = await ensureNeo4jInstalled(options);
  const home = join(NEO4J_WORK_DIR, 'import', `${Date.now()}-${randomBytes(3).toString('hex')}`);
  await mkdir(join(home, 'conf'), { recursive: true });
  const remove = () => rm(home, { recursive: true, force: true });
  try {
    const { output } = await runCommand(installation.java, [
      ...IMPORT_JAVA_OPTS,
      '-cp', installation.classPath,
      'org.neo4j.cli.AdminTool', 'database', 'import', 'full', `@${argsFile}`, 'neo4j',
    ], {
      timeoutMs: 10 * 60_000,
      what: `neo4j-admin database import full @${argsFile}`,
      tail: TAIL_LINES,
      env: { ...process.env, NEO4J_HOME: home, NEO4J_CONF: join(home, 'conf') },
      errors: {
        spawn: (message, cause) => new Neo4jInfraError('NEO4J_SPAWN', message, { cause }),
        failed: (message) => new Neo4jInfraError('NEO4J_IMPORT_FAILED', message),
      },
    });
    return { home, output, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

// ---------------------------------------------------------------- start / stop


/**
 * Starts a Neo4j on 127.0.0.1 and resolves once a driver has verified that
 * Bolt answers. On failure or timeout the Java process is killed and the error
 * carries the tail of its output and of Neo4j's debug.log.
 */
export async function startNeo4j(options: StartNeo4jOptions = {}): Promise<Neo4jServer> {
  const log = options.log ?? (() => {});
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Neo4jInfraError('NEO4J_PORT', `port must be an integer 0..65535, got ${port}`);
  }
  const timeoutMs = options.timeoutMs ?? (Number(process.env.CMDB_NEO4J_START_TIMEOUT_MS) || DEFAULT_START_TIMEOUT_MS);
  const deadline = Date.now() + timeoutMs;
  const installation = await ensureNeo4jInstalled({ log });

  const ownDataDir = options.dataDir === undefined;
  await pruneStaleDataDirs();
  const dataDir = options.dataDir ?? join(NEO4J_WORK_DIR, 'data', `${Date.now()}-${randomBytes(3).toString('hex')}`);
  await mkdir(dataDir, { recursive: true });

  const javaOpts = options.javaOpts ?? envJavaOpts() ?? DEFAULT_JAVA_OPTS;
  const args = [
    ...javaOpts,
    '-cp', installation.classPath,
    MAIN_CLASS,
    '--port', String(port),
    '--work-dir', dataDir,
    ...(options.copyFrom === undefined ? [] : ['--copy-from', options.copyFrom]),
    ...(options.detached ? [] : ['--watch-stdin']),
  ];
  log(`[neo4j] starting Neo4j ${installation.neo4jVersion}: ${installation.java} ... ${MAIN_CLASS} --port ${port} --work-dir ${dataDir}`);

  const output = new OutputTail();
  let child: ChildProcess;
  let logFd: number | undefined;
  if (options.detached) {
    const logFile = options.logFile ?? join(NEO4J_WORK_DIR, 'server.log');
    await mkdir(dirname(logFile), { recursive: true });
    logFd = openSync(logFile, 'w');
    child = spawn(installation.java, args, { stdio: ['ignore', logFd, logFd], detached: true });
    closeSync(logFd);
    output.file = logFile;
  } else {
    child = spawn(installation.java, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    killOnExit(child);
    child.once('exit', () => {
      child.stdin?.destroy(); // else the pipe keeps this process's event loop alive
    });
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk, log));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk, log));
    // stdin stays open: the server exits when it closes (this process died).
    child.stdin?.on('error', () => {});
  }

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((info) => { exitInfo = info; });

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await terminate(child, exited, () => exitInfo !== undefined);
    if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
    log('[neo4j] stopped');
  };

  const fail = async (message: string, cause?: unknown): Promise<never> => {
    const tail = await output.tail();
    const debugLog = await debugLogTail(dataDir);
    await stop().catch(() => {});
    throw new Neo4jInfraError('NEO4J_START_FAILED', [
      message,
      `--- output of the Java process (last ${TAIL_LINES} lines) ---`,
      tail || '(none)',
      ...(debugLog ? [`--- Neo4j debug.log (last ${TAIL_LINES} lines) ---`, debugLog] : []),
    ].join('\n'), { cause });
  };

  const pid = child.pid;
  if (pid === undefined) {
    const error = (await within(spawnError, 1000)) ? await spawnError : new Error('no pid');
    return fail(`cannot run ${installation.java}: ${error.message}`, error);
  }
  if (options.detached) child.unref();
  try {
    await options.onSpawn?.(pid, dataDir);
  } catch (error) {
    return fail(`onSpawn failed: ${(error as Error).message}`, error);
  }

  // 1. Wait for the line bolt://127.0.0.1:PORT.
  let uri: string | undefined;
  while (uri === undefined) {
    uri = await output.boltUri();
    if (uri !== undefined) break;
    if (exitInfo) return fail(`Neo4j exited before it was ready (${describeExit(exitInfo)}).`);
    if (Date.now() > deadline) {
      return fail(`Neo4j did not print its Bolt address within ${timeoutMs} ms (set CMDB_NEO4J_START_TIMEOUT_MS to wait longer).`);
    }
    await within(exited, 100);
  }

  // 2. Verify with the driver that Bolt answers.
  let lastError: unknown;
  for (;;) {
    const driver = neo4j.driver(uri, undefined, { connectionTimeout: 5_000, maxConnectionPoolSize: 1, disableLosslessIntegers: true });
    try {
      await driver.verifyConnectivity();
      break;
    } catch (error) {
      lastError = error;
    } finally {
      await driver.close();
    }
    if (exitInfo) return fail(`Neo4j exited before Bolt answered (${describeExit(exitInfo)}).`, lastError);
    if (Date.now() > deadline) {
      return fail(`Bolt at ${uri} did not answer within ${timeoutMs} ms: ${(lastError as Error)?.message}`, lastError);
    }
    await delay(250);
  }
  if (ownDataDir) await writeFile(join(dataDir, 'owner.json'), `${JSON.stringify({ pid, uri })}\n`);
  log(`[neo4j] ready at ${uri} (pid ${pid})`);
  return { uri, pid, dataDir, stop };
}

/** SIGTERM, wait up to STOP_GRACE_MS, then SIGKILL. */
async function terminate(child: ChildProcess, exited: Promise<unknown>, hasExited: () => boolean): Promise<void> {
  if (hasExited() || child.pid === undefined) return;
  child.kill('SIGTERM');
  const ok = await within(exited, STOP_GRACE_MS);
  if (!ok && !hasExited()) {
    child.kill('SIGKILL');
    await within(exited, 5_000);
  }
}

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

/**
 * Stops a server this process did not start (the CLI's), by pid: only if
 * that pid is still a java process running Neo4jServer.
 */
export async function stopNeo4jByPid(pid: number, log: Neo4jLog = () => {}): Promise<boolean> {
  if (!isNeo4jServerProcess(pid)) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await delay(100);
  }
  log(`[neo4j] pid ${pid} did not stop within ${STOP_GRACE_MS} ms: SIGKILL`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
  return true;
}

/** Whether pid is alive and its command line runs our Neo4jServer main (Linux /proc; elsewhere the pid is trusted). */
export function isNeo4jServerProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  if (!existsSync('/proc/self/cmdline')) return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(MAIN_CLASS);
  } catch {
    return false;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Checks that Bolt at uri answers (used for CMDB_TEST_NEO4J_URI and the CLI's state). */
export async function verifyBolt(uri: string, timeoutMs = 5_000): Promise<void> {
  const driver = neo4j.driver(uri, undefined, { connectionTimeout: timeoutMs, maxConnectionPoolSize: 1 });
  try {
    await driver.verifyConnectivity();
  } finally {
    await driver.close();
  }
}

/** Removes data folders under .work/neo4j/data whose server is gone (killed without cleanup). */
async function pruneStaleDataDirs(): Promise<void> {
  const root = join(NEO4J_WORK_DIR, 'data');
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return;
  }
  const now = Date.now();
  await Promise.all(names.map(async (name) => {
    const dir = join(root, name);
    try {
      const owner = JSON.parse(await readFile(join(dir, 'owner.json'), 'utf8')) as { pid?: number };
      if (typeof owner.pid === 'number' && isNeo4jServerProcess(owner.pid)) return;
    } catch {
      // no owner.json: a server still starting, or one that never became ready
      const info = await stat(dir).catch(() => undefined);
      if (!info || now - info.mtimeMs < 60 * 60_000) return;
    }
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }));
}

function envJavaOpts(): string[] | undefined {
  const value = process.env.CMDB_NEO4J_JAVA_OPTS?.trim();
  return value ? value.split(/\s+/) : undefined;
}

function describeExit(info: { code: number | null; signal: NodeJS.Signals | null }): string {
  return info.signal ? `killed by ${info.signal}` : `exit code ${info.code}`;
}

/** The last lines of the newest <dataDir>/<harness folder>/logs/debug.log. */
async function debugLogTail(dataDir: string): Promise<string | undefined> {
  try {
    const candidates: { file: string; mtime: number }[] = [];
    for (const name of await readdir(dataDir)) {
      const file = join(dataDir, name, 'logs', 'debug.log');
      const info = await stat(file).catch(() => undefined);
      if (info) candidates.push({ file, mtime: info.mtimeMs });
    }
    candidates.sort((a, b) => b.mtime - a.mtime);
    const newest = candidates[0];
    if (!newest) return undefined;
    return tailLines(await readFile(newest.file, 'utf8'), TAIL_LINES);
  } catch {
    return undefined;
  }
}

/** Keeps the last lines the server printed, in memory or (detached) in a file. */
class OutputTail {
  file: string | undefined;
  private lines: string[] = [];
  private partial = '';
  private uri: string | undefined;

  push(chunk: Buffer, log: Neo4jLog): void {
    const text = this.partial + chunk.toString('utf8');
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.line(line, log);
  }

  private line(line: string, log: Neo4jLog): void {
    const clean = line.replace(/\r$/, '');
    if (this.uri === undefined && /^bolt:\/\/\S+$/.test(clean)) this.uri = clean;
    this.lines.push(clean);
    if (this.lines.length > TAIL_LINES) this.lines.shift();
    log(clean);
  }

  async boltUri(): Promise<string | undefined> {
    if (this.uri !== undefined || this.file === undefined) return this.uri;
    const text = await readFile(this.file, 'utf8').catch(() => '');
    this.uri = text.split('\n').map((l) => l.trim()).find((l) => /^bolt:\/\/\S+$/.test(l));
    return this.uri;
  }

  async tail(): Promise<string> {
    if (this.file !== undefined) {
      return tailLines(await readFile(this.file, 'utf8').catch(() => ''), TAIL_LINES);
    }
    return [...this.lines, ...(this.partial ? [this.partial] : [])].join('\n');
  }
}


function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
