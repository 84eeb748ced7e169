/**
 * Kill and restart mid-queue: `cmdb serve --github-repo` runs in a child
 * process; it is SIGKILLed while deliveries are queued and one is being
 * reported, then started again on the same state directory. Every delivery
 * must end processed exactly once: one check run each, one comment per pull
 * request, nothing lost, nothing repeated, duplicates still recognised.
 */
import { expect, it } from 'vitest';
import { deliver, pullRequestEvent, signDelivery, type RepoFields } from './payloads.ts';
import { REPO, useServeProcess, until } from './serveProcess.ts';
import { SECRET } from './harness.ts';

const fx = useServeProcess();
const { start, doneIds } = fx;
const startServer = () => start();

it('processes every delivery exactly once across a SIGKILL and a restart', { timeout: 180_000 }, async () => {
  const repo: RepoFields = { owner: 'acme', name: 'config', cloneUrl: fx.git.cloneUrl(REPO), defaultBranch: 'main' };
  const base = fx.remote.demo.main;
  const heads = new Map<number, string>();
  for (const n of [11, 12, 13]) {
    const head = fx.remote.commitOn(fx.remote.demo.change, { [`systems/online-boutique/note-${n}.md`]: `change ${n}\n` }, n);
    heads.set(n, head);
    fx.fake.addPull(REPO, { number: n, headSha: head, headRef: `change-${n}`, baseRef: 'main', baseSha: base });
  }
  const signed = async (n: number, id: string) => signDelivery(SECRET, 'pull_request', id, pullRequestEvent('opened', repo, { number: n, head: heads.get(n)!, base, headRef: `change-${n}` }));

  let server = await startServer();
  const hook = `${server.url}/webhooks/github`;
  expect((await deliver(hook, await signed(11, 'd1'))).status).toBe(202);
  await until(() => doneIds().includes('d1'));

  // Check runs now hang: the next deliveries are queued and in progress when the server dies.
  const held = fx.fake.hold('checks/create', { all: true });
  expect((await deliver(hook, await signed(12, 'd2'))).status).toBe(202);
  expect((await deliver(hook, await signed(13, 'd3'))).status).toBe(202);
  expect((await deliver(hook, await signed(11, 'd1'))).status).toBe(200); // a redelivery of d1
  await held.arrived;
  server.child.kill('SIGKILL');
  await new Promise((r) => server.child.once('exit', r));
  await held.clientsGone();
  held.release();
  expect(fx.fake.repo(REPO).checkRuns.map((r) => r.externalId)).toEqual(['d1']);

  server = await startServer();
  const hook2 = `${server.url}/webhooks/github`;
  expect((await deliver(hook2, await signed(12, 'd2'))).status).toBe(200); // still a duplicate after the restart
  await until(() => doneIds().includes('d2') && doneIds().includes('d3'));

  const runs = fx.fake.repo(REPO).checkRuns;
  expect(runs.map((r) => r.externalId).sort()).toEqual(['d1', 'd2', 'd3']);
  for (const n of [11, 12, 13]) {
    expect(fx.fake.checkRunsOn(REPO, heads.get(n)!).map((r) => r.conclusion)).toEqual(['action_required']);
    expect(fx.fake.commentsOn(REPO, n)).toHaveLength(1);
    expect(fx.fake.statusOf(REPO, heads.get(n)!, 'cmdb/approval')?.state).toBe('pending');
  }
  expect(doneIds().filter((id) => id === 'd2' || id === 'd3').sort()).toEqual(['d2', 'd3']);
  expect(fx.fake.violations).toEqual([]);
  expect(fx.fake.authFailures).toEqual([]);
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.once('exit', r));
});
