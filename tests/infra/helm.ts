/**
 * helm for the tests (`helm lint`, `helm template` of deploy/helm/gitops-cmdb),
 * built by the project itself from the Go module proxy with the local Go
 * toolchain (1.26+, found as tests/infra/kube.ts finds it): `go install
 * helm.sh/helm/v4/cmd/helm@HELM_VERSION` into the cache folder
 * <user cache>/gitops-cmdb/helm/<version>-<recipe> (~/.cache/gitops-cmdb/helm
 * on Linux; $CMDB_HELM_CACHE_DIR overrides the root), under a lock so two
 * processes never build at once. Once per machine: `npm run helm:install`
 * (.ci/run calls it); the tests never build it, they fail saying how to.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import envPaths from 'env-paths';
import { KubeInfraError, acquireLock, findGo, pruneAbandonedBuilds, run, type KubeLog } from './kube.ts';

/** The Go module helm is built from (`cmd/helm`). */
export const HELM_MODULE = 'helm.sh/helm/v4';
/** The newest v4 release (`go list -m -versions helm.sh/helm/v4`); its go.mod says go 1.26.0. */
export const HELM_VERSION = 'v4.3.2';
/** Bumped when the way helm is built changes (part of the cache folder's name). */
const RECIPE = '1';
const BUILD_TIMEOUT_MS = 30 * 60_000;

export interface HelmInstallation {
  /** The cache folder of this build. */
  dir: string;
  helm: string;
}

/** The cache root: $CMDB_HELM_CACHE_DIR or <user cache>/gitops-cmdb/helm. */
export function helmCacheRoot(): string {
  return process.env.CMDB_HELM_CACHE_DIR || join(envPaths('gitops-cmdb', { suffix: '' }).cache, 'helm');
}

/** The cache folder of HELM_VERSION built with this recipe. */
export function helmInstallationDir(): string {
  return join(helmCacheRoot(), `${HELM_VERSION}-r${RECIPE}`);
}

function installationAt(dir: string): HelmInstallation {
  return { dir, helm: join(dir, 'bin', 'helm') };
}

/** The built helm, or undefined when it is not built on this machine yet. */
export function findHelmInstallation(): HelmInstallation | undefined {
  const dir = helmInstallationDir();
  return existsSync(join(dir, 'installed.json')) ? installationAt(dir) : undefined;
}

/** What to do when helm is missing. */
export function helmNotInstalledMessage(): string {
  return `helm ${HELM_VERSION} is not built on this machine yet: run \`npm run helm:install\` once `
    + `(needs Go 1.26+; it builds ${HELM_MODULE}/cmd/helm from the Go module proxy, 3-11 min on 2 cores, into ${helmInstallationDir()})`;
}

/**
 * The helm a test runs; throws (the test fails, it is never skipped) saying how
 * to build it when it is missing. Under CI=true the message says so: .ci/run
 * should have built it.
 */
export function requireHelm(): HelmInstallation {
  const installation = findHelmInstallation();
  if (installation) return installation;
  const prefix = process.env.CI === 'true' ? '(CI=true: .ci/run builds it with `npm run helm:install` before the tests) ' : '';
  throw new KubeInfraError('HELM_NOT_INSTALLED', `${prefix}${helmNotInstalledMessage()}`);
}

/** Builds helm into the cache unless it is there; safe to call from several processes at once. */
export async function ensureHelmInstalled(options: { log?: KubeLog } = {}): Promise<HelmInstallation> {
  const log = options.log ?? (() => {});
  const dir = helmInstallationDir();
  const installed = (): boolean => existsSync(join(dir, 'installed.json'));
  if (installed()) return installationAt(dir);
  const go = await findGo().catch((error: unknown) => {
    throw new KubeInfraError('HELM_GO_MISSING', `helm is built with Go: ${(error as Error).message}`, { cause: error });
  });
  await mkdir(dirname(dir), { recursive: true });
  const release = await acquireLock(`${dir}.lock`, log, installed);
  try {
    if (installed()) return installationAt(dir);
    await pruneAbandonedBuilds(dirname(dir));
    const tmp = `${dir}.tmp-${process.pid}`;
    const started = Date.now();
    try {
      await rm(tmp, { recursive: true, force: true });
      await mkdir(join(tmp, 'bin'), { recursive: true });
      log(`[helm] building ${HELM_MODULE}/cmd/helm@${HELM_VERSION} with ${go.command} (${go.version}) into ${dir} (once per machine; 3-11 min on 2 cores)`);
      const version = `${HELM_MODULE}/internal/version`;
      // `go install pkg@version` builds the module as released (its own go.mod and go.sum), outside any module of ours.
      await run(go.command, ['install', '-trimpath', `-ldflags=-s -w -X ${version}.version=${HELM_VERSION} -X ${version}.gitTreeState=clean`, `${HELM_MODULE}/cmd/helm@${HELM_VERSION}`], {
        cwd: tmp,
        env: { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOFLAGS: '', GOBIN: join(tmp, 'bin') },
        timeoutMs: BUILD_TIMEOUT_MS,
        what: `go install ${HELM_MODULE}/cmd/helm@${HELM_VERSION} (the Go module proxy must be reachable)`,
      });
      await writeFile(join(tmp, 'installed.json'), `${JSON.stringify({
        module: HELM_MODULE, version: HELM_VERSION, go: go.version, installedAt: new Date().toISOString(), seconds: (Date.now() - started) / 1000,
      }, null, 2)}\n`);
      await rename(tmp, dir);
      log(`[helm] built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    return installationAt(dir);
  } finally {
    await release();
  }
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs helm to completion (a non-zero exit is a result, not an error). Its
 * config, data and cache folders are a fresh temp dir and it sees no
 * kubeconfig, so a test neither reads nor changes the user's helm setup.
 */
export async function runHelm(installation: HelmInstallation, args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<HelmResult> {
  const home = await mkdtemp(join(tmpdir(), 'cmdb-helm-'));
  try {
    return await new Promise<HelmResult>((resolve, reject) => {
      const child = spawn(installation.helm, [...args], {
        cwd: options.cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          HELM_CONFIG_HOME: join(home, 'config'),
          HELM_DATA_HOME: join(home, 'data'),
          HELM_CACHE_HOME: join(home, 'cache'),
          KUBECONFIG: join(home, 'no-kubeconfig'),
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
      child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new KubeInfraError('HELM_SPAWN', `cannot run ${installation.helm}: ${error.message}`, { cause: error }));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
      });
    });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
