/**
 * Graceful shutdown of a real `cmdb serve --github-repo` process: SIGTERM
 * while deliveries are in flight and queued. What finishes before the
 * deadline is drained; what runs past it, and what never started, stays in
 * the journal and is processed once after a restart. Also: /metrics after a
 * webhook delivery, and the event log the process leaves in its state dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { JOURNAL_FILE } from '../../state/DeliveryJournal.ts';
import { EVENT_LOG_FILE } from '../../state/FileEventLog.ts';
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

interface Served {
  child: ChildProcess;
  url: string;
  logs: () => Array<Record<string, any>>;
  exited: Promise<number | null>;
}

/** Starts `cmdb serve --github-repo acme/config` with a 2 s shutdown deadline; resolves once it listens. */
function startServer(): Promise<Served> {
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
  const child = spawn(process.execPath, [BIN, 'serve', '--github-repo', REPO, '--state-dir', stateDir, '--port', '0', '--poll', '0', '--shutdown-timeout', '2'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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
      if (m) resolve({ child, url: m[1], logs, exited });
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

it('drains what finishes by the deadline and leaves the rest in the journal for the restart; /metrics counts deliveries', { timeout: 180_000 }, async () => {
  const repo: RepoFields = { owner: 'acme', name: 'config', cloneUrl: git.cloneUrl(REPO), defaultBranch: 'main' };
  const base = remote.demo.main;
  const heads = new Map<number, string>();
  for (const n of [11, 12, 13, 14]) {
    const head = remote.commitOn(remote.demo.change, { [`systems/online-boutique/note-${n}.md`]: `change ${n}\n` }, n);
    heads.set(n, head);
    fake.addPull(REPO, { number: n, headSha: head, headRef: `change-${n}`, baseRef: 'main', baseSha: base });
  }
  const signed = async (n: number, id: string) => signDelivery(SECRET, 'pull_request', id, pullRequestEvent('opened', repo, { number: n, head: heads.get(n)!, base, headRef: `change-${n}` }));

  let server = await startServer();
  const hook = `${server.url}/webhooks/github`;
  expect((await deliver(hook, await signed(11, 'd11'))).status).toBe(202);
  await until(() => doneIds().includes('d11'));
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  expect(metrics).toContain('cmdb_http_requests_total{route="/webhooks/github",method="POST",status="202"} 1');
  expect(metrics).toMatch(/^cmdb_webhook_deliveries_total\{outcome="evaluated"\} 1$/m);
  expect(metrics).toMatch(/^cmdb_evaluations_total\{decision="needs-approval"\} 1$/m);
  expect(metrics).toMatch(/^cmdb_webhook_queue_depth 0$/m);
  for (const step of ['load', 'validate', 'diff', 'impact', 'decide']) expect(metrics, step).toMatch(new RegExp(`^cmdb_evaluation_step_seconds_count\\{step="${step}",outcome="ok"\\} 1$`, 'm'));

  // The first check run to be created is let through after SIGTERM, the second is held past the deadline.
  const first = fake.hold('checks/create');
  const second = fake.hold('checks/create');
  expect((await deliver(hook, await signed(12, 'd12'))).status).toBe(202);
  expect((await deliver(hook, await signed(13, 'd13'))).status).toBe(202);
  await Promise.all([first.arrived, second.arrived]);
  expect((await deliver(hook, await signed(14, 'd14'))).status).toBe(202); // queued: two pull requests run at a time
  expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(/^cmdb_webhook_queue_depth 3$/m);

  server.child.kill('SIGTERM');
  await until(() => server.logs().some((l) => l.msg === 'shutting down: taking no new work'));
  first.release();
  expect(await server.exited).toBe(0);
  const stopped = server.logs().find((l) => typeof l.msg === 'string' && l.msg.startsWith('stopped:'))!;
  expect(stopped.msg).toBe('stopped: 1 delivery(ies) drained, 2 left in the journal for the next start (deadline reached)');
  expect(stopped.drained).toHaveLength(1);
  const [drained] = stopped.drained as string[];
  expect(['d12', 'd13']).toContain(drained);
  const running = drained === 'd12' ? 'd13' : 'd12';
  expect(stopped.left).toEqual([running, 'd14']);
  expect(doneIds().sort()).toEqual(['d11', drained].sort());
  await second.clientsGone();
  second.release();
  expect(fake.repo(REPO).checkRuns.map((r) => r.externalId).sort()).toEqual(['d11', drained].sort());

  server = await startServer();
  await until(() => doneIds().includes(running) && doneIds().includes('d14'));
  expect(fake.repo(REPO).checkRuns.map((r) => r.externalId).sort()).toEqual(['d11', 'd12', 'd13', 'd14']);
  for (const n of [11, 12, 13, 14]) expect(fake.checkRunsOn(REPO, heads.get(n)!), `#${n}`).toHaveLength(1);
  expect(fake.violations).toEqual([]);

  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  expect(server.logs().find((l) => typeof l.msg === 'string' && l.msg.startsWith('stopped:'))?.msg).toBe('stopped: 0 delivery(ies) drained, nothing left in flight');
  // The leader's events, numbered across both runs, for replicas to tail.
  const events = fs
    .readFileSync(path.join(stateDir, EVENT_LOG_FILE), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { seq: number; event: { type: string; data: Record<string, unknown> } });
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  const evaluated = events.filter((e) => e.event.type === 'changeEvaluated').map((e) => e.event.data.number);
  expect(evaluated.sort()).toEqual([11, 12, 13, 14]);
  expect(events.filter((e) => e.event.type === 'catalogMoved')).toHaveLength(2);
});
