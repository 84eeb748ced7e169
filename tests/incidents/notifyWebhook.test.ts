/** Webhook notifications end to end: the sender over an in-memory store, a real HTTP receiver on 127.0.0.1, an injected clock. */
import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { NotificationSender } from '../../incidents/notify/NotificationSender.ts';
import { WebhookNotifier } from '../../incidents/notify/WebhookNotifier.ts';
import { verifySignature } from '../../incidents/notify/signature.ts';
import type { WebhookNotifier as WebhookSettings } from '../../incidents/types.ts';
import { InMemoryIncidentStore } from '../../state/InMemoryIncidentStore.ts';
import { at, capturedLog, engineWrites, incident, notification, Receiver } from './notifyFixtures.ts';

const SECRET = 'notify-secret-for-tests';
let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function rig(settings: Partial<WebhookSettings> = {}, env: NodeJS.ProcessEnv = { CMDB_HOOK_SECRET: SECRET }, options: { timeoutMs?: number } = {}) {
  receiver ??= await Receiver.start();
  const store = new InMemoryIncidentStore();
  await store.open();
  const { log, lines } = capturedLog();
  const webhook: WebhookSettings = { name: 'oncall', url: receiver.url, secretEnv: 'CMDB_HOOK_SECRET', events: [], ...settings };
  const notifier = new WebhookNotifier({ webhook, env, log, timeoutMs: options.timeoutMs });
  const sender = new NotificationSender({ store, notifiers: new Map([[notifier.target, notifier]]), log, random: () => 0.5 });
  return { store, sender, lines, receiver };
}

describe('webhook notifications', () => {
  it('POSTs the incident as JSON with the cmdb headers and an HMAC-SHA256 signature a receiver can verify', async () => {
    const { store, sender, receiver } = await rig();
    const n = notification('webhook:oncall', 'INC-1', 1);
    await engineWrites(store, incident('INC-1'), [n]);
    const report = await sender.flushOnce(at(5_000));
    expect(report.delivered).toEqual([n.id]);
    expect(store.outbox()).toEqual([]);
    const [got] = receiver.received;
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['user-agent']).toBe('gitops-cmdb');
    expect(got.headers['x-cmdb-event']).toBe('incident.opened');
    expect(got.headers['x-cmdb-delivery']).toBe(n.id);
    const header = String(got.headers['x-cmdb-signature-256']);
    expect(header).toBe(`sha256=${crypto.createHmac('sha256', SECRET).update(got.raw).digest('hex')}`);
    expect(verifySignature(SECRET, got.raw, header)).toBe(true);
    expect(verifySignature('another-secret', got.raw, header)).toBe(false);
    expect(verifySignature(SECRET, Buffer.concat([got.raw, Buffer.from(' ')]), header)).toBe(false);
    expect(got.json).toMatchObject({ event: 'incident.opened', delivery: n.id, at: at(5_000).toISOString(), revision: 1 });
    expect(got.json.incident).toMatchObject({ id: 'INC-1', state: 'open', severity: 'critical', root: 'component:default/db', correlated: ['component:default/api'], runbooks: [{ path: 'runbooks/db.md', title: 'Database down' }] });
    expect(got.json.incident.signals).toEqual([expect.objectContaining({ ref: 'component:default/db', source: 'kubernetes', kind: 'unhealthy', state: 'firing' })]);
    expect(got.json.incident).not.toHaveProperty('revision');
  });

  it('sends the incident as the store holds it when sent, with the revision the notification was raised for', async () => {
    const { store, sender, receiver } = await rig();
    const n = notification('webhook:oncall', 'INC-1', 1);
    await engineWrites(store, incident('INC-1'), [n]);
    await engineWrites(store, incident('INC-1', { revision: 2, state: 'acknowledged', acknowledgedAt: at(3_000).toISOString() }), []);
    await sender.flushOnce(at(5_000));
    expect(receiver.received[0].json.revision).toBe(1);
    expect(receiver.received[0].json.incident.state).toBe('acknowledged');
  });

  it('sends unsigned when the secret variable is not set, and says so once in the log', async () => {
    const { store, sender, receiver, lines } = await rig({}, {});
    await engineWrites(store, incident('INC-1'), [notification('webhook:oncall', 'INC-1', 1)]);
    await sender.flushOnce(at(5_000));
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0].headers).not.toHaveProperty('x-cmdb-signature-256');
    expect(lines.filter((l) => /CMDB_HOOK_SECRET is not set/.test(l.msg))).toHaveLength(1);
  });

  it('retries after a 500 with back-off, not before it is due, then delivers with the same delivery id', async () => {
    const { store, sender, receiver } = await rig();
    receiver.reply({ status: 500, body: 'database is down' });
    const n = notification('webhook:oncall', 'INC-1', 1);
    await engineWrites(store, incident('INC-1'), [n]);

    const first = await sender.flushOnce(at(5_000));
    expect(first.retried).toEqual([n.id]);
    const [waiting] = store.outbox();
    expect(waiting).toMatchObject({ id: n.id, attempts: 1, lastError: expect.stringContaining('HTTP 500: database is down') });
    // First back-off: 1 s, jittered between half and all of it (random 0.5: 750 ms).
    expect(Date.parse(waiting.nextAttemptAt) - at(5_000).getTime()).toBe(750);

    expect(await sender.flushOnce(at(5_500))).toEqual({ delivered: [], retried: [], gaveUp: [], uncommitted: [] });
    expect(receiver.received).toHaveLength(1);

    const second = await sender.flushOnce(at(5_750));
    expect(second.delivered).toEqual([n.id]);
    expect(store.outbox()).toEqual([]);
    expect(receiver.deliveries()).toEqual([n.id, n.id]);
  });

  it('backs off exponentially up to the cap', async () => {
    const { store, sender, receiver } = await rig();
    receiver.reply(...Array.from({ length: 14 }, () => ({ status: 502 })));
    await engineWrites(store, incident('INC-1'), [notification('webhook:oncall', 'INC-1', 1)]);
    const delays: number[] = [];
    let now = at(5_000);
    for (let i = 0; i < 14; i++) {
      await sender.flushOnce(now);
      const next = new Date(store.outbox()[0].nextAttemptAt);
      delays.push(next.getTime() - now.getTime());
      now = next;
    }
    expect(delays.slice(0, 5)).toEqual([750, 1_500, 3_000, 6_000, 12_000]);
    expect(delays.slice(-3)).toEqual([450_000, 450_000, 450_000]);
    expect(store.outbox()[0].attempts).toBe(14);
  });

  it('gives up a permanent 4xx at once, with an error in the log', async () => {
    const { store, sender, receiver, lines } = await rig();
    receiver.reply({ status: 404, body: 'no such hook' });
    const n = notification('webhook:oncall', 'INC-1', 1);
    await engineWrites(store, incident('INC-1'), [n]);
    const report = await sender.flushOnce(at(5_000));
    expect(report.gaveUp).toEqual([n.id]);
    expect(store.outbox()).toEqual([]);
    expect(lines.find((l) => l.level === 50 && l.notification === n.id)?.err).toMatch(/HTTP 404: no such hook/);
    expect(await sender.flushOnce(at(3_600_000))).toMatchObject({ delivered: [], retried: [] });
    expect(receiver.received).toHaveLength(1);
  });

  it.each([408, 429])('retries a %i', async (status) => {
    const { store, sender, receiver } = await rig();
    receiver.reply({ status });
    await engineWrites(store, incident('INC-1'), [notification('webhook:oncall', 'INC-1', 1)]);
    expect((await sender.flushOnce(at(5_000))).retried).toHaveLength(1);
    expect(store.outbox()[0].attempts).toBe(1);
  });

  it('waits as long as Retry-After says on a 429 (seconds) and a 503 (HTTP date)', async () => {
    const { store, sender, receiver } = await rig();
    receiver.reply({ status: 429, headers: { 'retry-after': '120' } }, { status: 503, headers: { 'retry-after': new Date(at(5_000 + 120_000 + 300_000).getTime()).toUTCString() } });
    const n = notification('webhook:oncall', 'INC-1', 1);
    await engineWrites(store, incident('INC-1'), [n]);
    await sender.flushOnce(at(5_000));
    expect(store.outbox()[0].nextAttemptAt).toBe(at(125_000).toISOString());
    await sender.flushOnce(at(124_999));
    expect(receiver.received).toHaveLength(1);
    await sender.flushOnce(at(125_000));
    expect(store.outbox()[0].nextAttemptAt).toBe(at(425_000).toISOString());
    expect((await sender.flushOnce(at(425_000))).delivered).toEqual([n.id]);
    expect(receiver.received).toHaveLength(3);
  });

  it('retries a receiver that does not answer within the timeout, and one that is not listening', async () => {
    const { store, sender, receiver } = await rig({}, undefined, { timeoutMs: 300 });
    receiver.reply('hang');
    await engineWrites(store, incident('INC-1'), [notification('webhook:oncall', 'INC-1', 1)]);
    await sender.flushOnce(at(5_000));
    expect(store.outbox()[0].lastError).toMatch(/no answer within 0.3 s/);

    const closed = await Receiver.start();
    const url = closed.url;
    await closed.close();
    const down = await rig({ name: 'down', url });
    await engineWrites(down.store, incident('INC-1'), [notification('webhook:down', 'INC-1', 1)]);
    await down.sender.flushOnce(at(5_000));
    expect(down.store.outbox()[0]).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('skips the events a webhook does not take', async () => {
    const { store, sender, receiver } = await rig({ events: ['incident.resolved'] });
    const opened = notification('webhook:oncall', 'INC-1', 1);
    const resolved = notification('webhook:oncall', 'INC-1', 2, { event: 'incident.resolved' });
    await engineWrites(store, incident('INC-1', { revision: 2, state: 'resolved', resolvedAt: at(2).toISOString() }), [opened, resolved]);
    const report = await sender.flushOnce(at(5_000));
    expect(report.delivered).toEqual([opened.id, resolved.id]);
    expect(receiver.received.map((r) => r.headers['x-cmdb-event'])).toEqual(['incident.resolved']);
  });
});
