/**
 * A real `cmdb serve --github-repo acme/config` child process against the
 * GitHub fake and a config repo over smart HTTP, on one state directory that
 * survives restarts: what the restart and shutdown tests share.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { JOURNAL_FILE } from '../../state/DeliveryJournal.ts';
import { FakeGitHub } from './fakeGitHub.ts';
import { GitHttpServer } from './gitHttpServer.ts';
import { ConfigRemote, SECRET, TOKEN } from './harness.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/cmdb.js');
export const REPO = 'acme/config';

export interface ServedProcess {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  /** The JSON log lines printed so far. */
  logs: () => Array<Record<string, any>>;
  exited: Promise<number | null>;
}

export interface ServeProcessFixture {
  readonly fake: FakeGitHub;
  readonly git: GitHttpServer;
  readonly remote: ConfigRemote;
  readonly stateDir: string;
  /** Starts the server with more flags; resolves once it listens. */
  start(...flags: string[]): Promise<ServedProcess>;
  /** Ids of the deliveries the journal marks done. */
  doneIds(): string[];
}

/** Registers beforeAll/afterAll that start the fake, the Git server and the remote, and kill what is left. */
export function useServeProcess(): ServeProcessFixture {
  let fake: FakeGitHub;
  let git: GitHttpServer;
  let remote: ConfigRemote;
  let root: string;
  let stateDir: string;
  let cacheDir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-gh-remote-'));
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-gh-state-'));
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-gh-cache-'));
    fake = await FakeGitHub.start({ token: TOKEN });
    git = await GitHttpServer.start({ root, tokens: () => [TOKEN] });
    remote = await ConfigRemote.create(root);
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await fake?.close();
    await git?.close();
    remote?.remove();
    for (const dir of [root, stateDir, cacheDir]) fs.rmSync(dir, { recursive: true, force: true });
  });

  const start = (...flags: string[]): Promise<ServedProcess> => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: fake.url,
      GITHUB_WEBHOOK_SECRET: SECRET,
      CMDB_GITHUB_CLONE_URL: `${git.url}/{owner}/{repo}.git`,
      CMDB_CACHE_DIR: cacheDir,
      CMDB_LOG_LEVEL: 'info',
      CMDB_LOG_FORMAT: 'json',
    };
    delete env.CMDB_NEO4J_URI;
    delete env.GITHUB_APP_ID;
    const child = spawn(process.execPath, [BIN, 'serve', '--github-repo', REPO, '--state-dir', stateDir, '--port', '0', '--poll', '0', ...flags], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const logs = () =>
      err
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, any>);
    return new Promise((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /GraphQL API on (http:\/\/[^/\s]+)\/graphql/.exec(out);
        if (m) resolve({ child, url: m[1], stderr: () => err, logs, exited });
      });
      child.once('exit', (code) => reject(new Error(`cmdb serve exited ${code}:\n${err}`)));
    });
  };

  const doneIds = (): string[] => {
    const file = path.join(stateDir, JOURNAL_FILE);
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"op":"done"'))
      .map((l) => (JSON.parse(l) as { id: string }).id);
  };

  return {
    get fake() { return fake; },
    get git() { return git; },
    get remote() { return remote; },
    get stateDir() { return stateDir; },
    start,
    doneIds,
  };
}

/** Waits for a condition the test asserts on next (bounded by the test's timeout). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 50));
}
