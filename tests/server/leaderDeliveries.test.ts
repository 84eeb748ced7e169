/**
 * With --leader-elect, a follower accepts and journals webhook deliveries but
 * processes none; once it leads, it processes what waits in its journal.
 * `cmdb serve --github-repo` (startRuntime) against a fake GitHub and a Git
 * HTTP server, on a Lease of the real API server held by another identity.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../server/Runtime.ts';
import { FakeGitHub } from '../github/fakeGitHub.ts';
import { GitHttpServer } from '../github/gitHttpServer.ts';
import { ConfigRemote, SECRET, TOKEN } from '../github/harness.ts';
import { deliver, pullRequestEvent, signDelivery, type RepoFields } from '../github/payloads.ts';
import { kubeRequest, requireKube, type KubeAccess } from '../infra/kube-test-env.ts';
import { deleteLease, microTime, readLease, uniqueName } from '../leader/support.ts';
import { waitFor } from './support.ts';

const REPO = 'acme/config';
const NS = 'default';

let kube: KubeAccess;
let fake: FakeGitHub;
let git: GitHttpServer;
let remote: ConfigRemote;
let root: string;
let stateDir: string;
let cacheDir: string;
let runtime: Runtime | undefined;
const leaseName = uniqueName('serve-deliveries');

beforeAll(async () => {
  kube = await requireKube();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-leader-gh-remote-'));
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-leader-gh-state-'));
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-leader-gh-cache-'));
  process.env.CMDB_CACHE_DIR = cacheDir;
  fake = await FakeGitHub.start({ token: TOKEN });
  git = await GitHttpServer.start({ root, tokens: () => [TOKEN] });
  remote = await ConfigRemote.create(root);
});

afterAll(async () => {
  await runtime?.shutdown();
  await fake?.close();
  await git?.close();
  remote?.remove();
  if (kube) await deleteLease(kube, NS, leaseName);
  for (const dir of [root, stateDir, cacheDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

it('a follower journals deliveries and processes them once it leads', { timeout: 120_000 }, async () => {
  // Another replica holds the Lease, for an hour.
  const now = microTime(Date.now());
  const created = await kubeRequest({
    server: kube.server,
    token: kube.adminToken,
    method: 'POST',
    path: `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`,
    body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: leaseName }, spec: { holderIdentity: 'other', leaseDurationSeconds: 3600, acquireTime: now, renewTime: now } },
  });
  expect(created.status).toBe(201);

  const env = { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: fake.url, GITHUB_WEBHOOK_SECRET: SECRET, CMDB_GITHUB_CLONE_URL: `${git.url}/{owner}/{repo}.git`, CMDB_LEADER_ELECT_IDENTITY: 'me' };
  runtime = await startRuntime({
    flags: { githubRepo: REPO, stateDir, port: 0, poll: 0, leaderElect: true, kubeconfig: kube.kubeconfig, leaderElectLeaseName: leaseName, leaderElectNamespace: NS, leaderElectLeaseDuration: '3s', leaderElectRenewDeadline: '2s', leaderElectRetryPeriod: '500ms' },
    env,
    log: pino({ level: 'silent' }),
    out: () => undefined,
  });
  const rt = runtime;
  const readyz = async () => (await (await fetch(`${rt.url}/readyz`)).json()) as { status: string; checks: Record<string, { ok: boolean; details?: Record<string, unknown> }> };
  await waitFor('the follower to see the holder', async () => (await readyz()).checks.leadership.details?.leader === 'other');

  const repo: RepoFields = { owner: 'acme', name: 'config', cloneUrl: git.cloneUrl(REPO), defaultBranch: 'main' };
  const base = remote.demo.main;
  const head = remote.commitOn(remote.demo.change, { 'systems/online-boutique/note.md': 'change\n' }, 21);
  fake.addPull(REPO, { number: 21, headSha: head, headRef: 'change-21', baseRef: 'main', baseSha: base });
  const body = await signDelivery(SECRET, 'pull_request', 'd21', pullRequestEvent('opened', repo, { number: 21, head, base, headRef: 'change-21' }));
  expect((await deliver(`${rt.url}/webhooks/github`, body)).status, 'a follower accepts webhooks').toBe(202);

  // Several election rounds later, the delivery still waits in the journal.
  const ready = await readyz();
  expect(ready.status).toBe('ok');
  expect(ready.checks.leadership.details).toMatchObject({ leading: false, leader: 'other', identity: 'me' });
  await new Promise((r) => setTimeout(r, 1500));
  expect(rt.github!.controller.pendingDeliveries()).toEqual(['d21']);
  expect(fake.repo(REPO).checkRuns).toEqual([]);
  expect(await (await fetch(`${rt.url}/metrics`)).text()).toMatch(/^cmdb_webhook_queue_depth 1$/m);

  // The other replica is gone (its Lease with it): this one leads and processes what waits.
  await deleteLease(kube, NS, leaseName);
  await waitFor('the delivery to be processed', () => rt.github!.controller.pendingDeliveries().length === 0, 60_000);
  expect(fake.repo(REPO).checkRuns.map((r) => r.externalId)).toEqual(['d21']);
  expect((await readyz()).checks.leadership.details).toMatchObject({ leading: true, leader: 'me' });
});

/** A replica leading on its own Lease (`lease`, identity `identity`), with a delivery of a new pull request `n` running, its check run held. */
async function leaderWithHeldDelivery(identity: string, lease: string, n: number, flags: { shutdownTimeout?: number } = {}) {
  const env = { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: fake.url, GITHUB_WEBHOOK_SECRET: SECRET, CMDB_GITHUB_CLONE_URL: `${git.url}/{owner}/{repo}.git`, CMDB_LEADER_ELECT_IDENTITY: identity };
  const rt = await startRuntime({
    flags: { githubRepo: REPO, stateDir: fs.mkdtempSync(path.join(root, 'state-')), port: 0, poll: 0, ...flags, leaderElect: true, kubeconfig: kube.kubeconfig, leaderElectLeaseName: lease, leaderElectNamespace: NS, leaderElectLeaseDuration: '3s', leaderElectRenewDeadline: '2s', leaderElectRetryPeriod: '500ms' },
    env,
    log: pino({ level: 'silent' }),
    out: () => undefined,
  });
  const held = fake.hold('checks/create');
  const holder = async () => (await readLease(kube, NS, lease))?.spec.holderIdentity;
  try {
    await waitFor('this replica to lead', async () => (await holder()) === identity);
    const repo: RepoFields = { owner: 'acme', name: 'config', cloneUrl: git.cloneUrl(REPO), defaultBranch: 'main' };
    const head = remote.commitOn(remote.demo.change, { [`systems/online-boutique/held-${n}.md`]: `held ${n}\n` }, n);
    fake.addPull(REPO, { number: n, headSha: head, headRef: `change-${n}`, baseRef: 'main', baseSha: remote.demo.main });
    const body = await signDelivery(SECRET, 'pull_request', `d${n}`, pullRequestEvent('opened', repo, { number: n, head, base: remote.demo.main, headRef: `change-${n}` }));
    expect((await deliver(`${rt.url}/webhooks/github`, body)).status).toBe(202);
    await held.arrived; // the delivery runs: its check run is being created
  } catch (e) {
    held.release();
    await rt.shutdown();
    throw e;
  }
  return { rt, held, holder };
}

it('on shutdown, a leader finishes its running delivery before it releases the Lease', { timeout: 120_000 }, async () => {
  const lease = uniqueName('serve-drain');
  const { rt, held, holder } = await leaderWithHeldDelivery('draining', lease, 22);
  let stopping: ReturnType<Runtime['shutdown']> | undefined;
  try {
    stopping = rt.shutdown();
    await waitFor('the server to refuse connections', () => fetch(`${rt.url}/readyz`).then(() => false, () => true));
    // Over several of the Lease's retry periods, with d22 still running: nobody else may lead yet.
    for (let i = 0; i < 6; i++) {
      expect(await holder(), 'the Lease while d22 runs').toBe('draining');
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(rt.github!.controller.pendingDeliveries()).toEqual(['d22']);
    held.release();
    const report = await stopping;
    expect(report.deliveries).toMatchObject({ drained: ['d22'], left: [], timedOut: false });
    expect(await holder(), 'released once nothing runs').toBe('');
    expect(fake.repo(REPO).checkRuns.map((r) => r.externalId)).toContain('d22');
  } finally {
    held.release();
    await (stopping ?? rt.shutdown());
    await deleteLease(kube, NS, lease);
  }
});

it('on shutdown, a delivery still running past the deadline keeps the Lease held: it expires, it is not released', { timeout: 120_000 }, async () => {
  const lease = uniqueName('serve-deadline');
  const { rt, held, holder } = await leaderWithHeldDelivery('overdue', lease, 23, { shutdownTimeout: 1 });
  let stopping: ReturnType<Runtime['shutdown']> | undefined;
  try {
    stopping = rt.shutdown();
    const report = await stopping;
    expect(report.deliveries).toMatchObject({ left: ['d23'], timedOut: true });
    expect(await holder(), 'not released while d23 may still write').toBe('overdue');
  } finally {
    held.release();
    await (stopping ?? rt.shutdown());
    await deleteLease(kube, NS, lease);
  }
});
