/**
 * Kill and restart mid-queue: `cmdb serve --github-repo` runs in a child
 * process; it is SIGKILLed while deliveries are queued and one is being
 * reported, then started again on the same state directory. Every delivery
 * must end processed exactly once: one check run each, one comment per pull
 * request, nothing lost, nothing repeated, duplicates still recognised.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { JOURNAL_FILE } from '../../state/DeliveryJournal.ts';
import { FakeGitHub } from './fakeGitHub.ts';
import { GitHttpServer } from './gitHttpServer.ts';
import { ConfigRemote, SECRET, TOKEN } from './harness.ts';
import { deliver, pullRequestEvent, signDelivery, type RepoFields } from './payloads.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/cmdb.js');
const REPO = 'acme/config';

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

/** Starts `cmdb serve --github-repo acme/config`; resolves with its base URL once it listens. */
function startServer(): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: fake.url,
    GITHUB_WEBHOOK_SECRET: SECRET,
    CMDB_GITHUB_CLONE_URL: `${git.url}/{owner}/{repo}.git`,
    CMDB_CACHE_DIR: cacheDir,
    CMDB_LOG_LEVEL: 'info',
  };
  delete env.CMDB_NEO4J_URI;
  delete env.GITHUB_APP_ID;
  const child = spawn(process.execPath, [BIN, 'serve', '--github-repo', REPO, '--state-dir', stateDir, '--port', '0', '--poll', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /GraphQL API on (http:\/\/[^/\s]+)\/graphql/.exec(out);
      if (m) resolve({ child, url: m[1], stderr: () => err });
    });
    child.once('exit', (code) => reject(new Error(`cmdb serve exited ${code}:\n${err}`)));
  });
}

/** Waits for a condition the test asserts on next (bounded by the test's timeout). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 50));
}

const doneIds = (): string[] => {
  const file = path.join(stateDir, JOURNAL_FILE);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"op":"done"'))
    .map((l) => (JSON.parse(l) as { id: string }).id);
};

it('processes every delivery exactly once across a SIGKILL and a restart', { timeout: 180_000 }, async () => {
  const repo: RepoFields = { owner: 'acme', name: 'config', cloneUrl: git.cloneUrl(REPO), defaultBranch: 'main' };
  const base = remote.demo.main;
  const heads = new Map<number, string>();
  for (const n of [11, 12, 13]) {
    const head = remote.commitOn(remote.demo.change, { [`systems/online-boutique/note-${n}.md`]: `change ${n}\n` }, n);
    heads.set(n, head);
    fake.addPull(REPO, { number: n, headSha: head, headRef: `change-${n}`, baseRef: 'main', baseSha: base });
  }
  const signed = async (n: number, id: string) => signDelivery(SECRET, 'pull_request', id, pullRequestEvent('opened', repo, { number: n, head: heads.get(n)!, base, headRef: `change-${n}` }));

  let server = await startServer();
  const hook = `${server.url}/webhooks/github`;
  expect((await deliver(hook, await signed(11, 'd1'))).status).toBe(202);
  await until(() => doneIds().includes('d1'));

  // Check runs now hang: the next deliveries are queued and in progress when the server dies.
  const held = fake.hold('checks/create', { all: true });
  expect((await deliver(hook, await signed(12, 'd2'))).status).toBe(202);
  expect((await deliver(hook, await signed(13, 'd3'))).status).toBe(202);
  expect((await deliver(hook, await signed(11, 'd1'))).status).toBe(200); // a redelivery of d1
  await held.arrived;
  server.child.kill('SIGKILL');
  await new Promise((r) => server.child.once('exit', r));
  await held.clientsGone();
  held.release();
  expect(fake.repo(REPO).checkRuns.map((r) => r.externalId)).toEqual(['d1']);

  server = await startServer();
  const hook2 = `${server.url}/webhooks/github`;
  expect((await deliver(hook2, await signed(12, 'd2'))).status).toBe(200); // still a duplicate after the restart
  await until(() => doneIds().includes('d2') && doneIds().includes('d3'));

  const runs = fake.repo(REPO).checkRuns;
  expect(runs.map((r) => r.externalId).sort()).toEqual(['d1', 'd2', 'd3']);
  for (const n of [11, 12, 13]) {
    expect(fake.checkRunsOn(REPO, heads.get(n)!).map((r) => r.conclusion)).toEqual(['action_required']);
    expect(fake.commentsOn(REPO, n)).toHaveLength(1);
    expect(fake.statusOf(REPO, heads.get(n)!, 'cmdb/approval')?.state).toBe('pending');
  }
  expect(doneIds().filter((id) => id === 'd2' || id === 'd3').sort()).toEqual(['d2', 'd3']);
  expect(fake.violations).toEqual([]);
  expect(fake.authFailures).toEqual([]);
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.once('exit', r));
});
