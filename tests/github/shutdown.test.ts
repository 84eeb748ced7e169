/**
 * Graceful shutdown of a real `cmdb serve --github-repo` process: SIGTERM
 * while deliveries are in flight and queued. What finishes before the
 * deadline is drained; what runs past it, and what never started, stays in
 * the journal and is processed once after a restart. Also: /metrics after a
 * webhook delivery, and the event log the process leaves in its state dir.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { EVENT_LOG_FILE } from '../../state/FileEventLog.ts';
import { deliver, pullRequestEvent, signDelivery, type RepoFields } from './payloads.ts';
import { REPO, useServeProcess, until } from './serveProcess.ts';
import { SECRET } from './harness.ts';

const fx = useServeProcess();
const { start, doneIds } = fx;
const startServer = () => start('--shutdown-timeout', '2');

it('drains what finishes by the deadline and leaves the rest in the journal for the restart; /metrics counts deliveries', { timeout: 180_000 }, async () => {
  const repo: RepoFields = { owner: 'acme', name: 'config', cloneUrl: fx.git.cloneUrl(REPO), defaultBranch: 'main' };
  const base = fx.remote.demo.main;
  const heads = new Map<number, string>();
  for (const n of [11, 12, 13, 14]) {
    const head = fx.remote.commitOn(fx.remote.demo.change, { [`systems/online-boutique/note-${n}.md`]: `change ${n}\n` }, n);
    heads.set(n, head);
    fx.fake.addPull(REPO, { number: n, headSha: head, headRef: `change-${n}`, baseRef: 'main', baseSha: base });
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
  const first = fx.fake.hold('checks/create');
  const second = fx.fake.hold('checks/create');
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
  expect(fx.fake.repo(REPO).checkRuns.map((r) => r.externalId).sort()).toEqual(['d11', drained].sort());

  server = await startServer();
  await until(() => doneIds().includes(running) && doneIds().includes('d14'));
  // The journal line is on disk a moment before the delivery leaves the in-flight set; its log line comes after.
  const processed = (id: string) => server.logs().some((l) => l.msg === 'delivery processed' && l.delivery === id);
  await until(() => processed(running) && processed('d14'));
  expect(fx.fake.repo(REPO).checkRuns.map((r) => r.externalId).sort()).toEqual(['d11', 'd12', 'd13', 'd14']);
  for (const n of [11, 12, 13, 14]) expect(fx.fake.checkRunsOn(REPO, heads.get(n)!), `#${n}`).toHaveLength(1);
  expect(fx.fake.violations).toEqual([]);

  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  expect(server.logs().find((l) => typeof l.msg === 'string' && l.msg.startsWith('stopped:'))?.msg).toBe('stopped: 0 delivery(ies) drained, nothing left in flight');
  // The leader's events, numbered across both runs, for replicas to tail.
  const events = fs
    .readFileSync(path.join(fx.stateDir, EVENT_LOG_FILE), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { seq: number; event: { type: string; data: Record<string, unknown> } });
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  const evaluated = events.filter((e) => e.event.type === 'changeEvaluated').map((e) => e.event.data.number);
  expect(evaluated.sort()).toEqual([11, 12, 13, 14]);
  expect(events.filter((e) => e.event.type === 'catalogMoved')).toHaveLength(2);
});
