/** The sender's scheduling: order per incident, back-off holding back, give-up, concurrency, the background loop and its stop. */
import { afterEach, describe, expect, it } from 'vitest';
import { NotificationSender } from '../../incidents/notify/NotificationSender.ts';
import type { Notifier } from '../../incidents/notify/Notifier.ts';
import { WebhookNotifier } from '../../incidents/notify/WebhookNotifier.ts';
import { ServerMetrics } from '../../server/metrics.ts';
import type { Notification } from '../../state/IncidentRecords.ts';
import { InMemoryIncidentStore } from '../../state/InMemoryIncidentStore.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { at, capturedLog, engineWrites, incident, notification, Receiver } from './notifyFixtures.ts';
import { describeSenderRestart } from './notifyRestart.ts';

const receivers: Receiver[] = [];
const senders: NotificationSender[] = [];
afterEach(async () => {
  await Promise.all(senders.splice(0).map((s) => s.stop(1_000)));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function rig(names: string[], options: { delayMs?: number; concurrency?: number; now?: () => Date; pollMs?: number } = {}) {
  const store = new InMemoryIncidentStore();
  await store.open();
  const { log, lines } = capturedLog();
  const byName: Record<string, Receiver> = {};
  const notifiers = new Map<string, Notifier>();
  for (const name of names) {
    const receiver = await Receiver.start({ delayMs: options.delayMs });
    receivers.push(receiver);
    byName[name] = receiver;
    const n = new WebhookNotifier({ webhook: { name, url: receiver.url, events: [] }, env: {}, log });
    notifiers.set(n.target, n);
  }
  const sender = new NotificationSender({ store, notifiers, log, random: () => 0.5, concurrency: options.concurrency, now: options.now, pollMs: options.pollMs });
  senders.push(sender);
  return { store, sender, lines, receivers: byName };
}

describe('the notification sender', () => {
  it('sends each incident’s notifications in revision order, and a failed one holds back its incident’s later ones only', async () => {
    const { store, sender, receivers } = await rig(['a']);
    // One engine step's time for all, ids sorting against revisions: only the revision orders them.
    const one = [1, 2, 3].map((r) => notification('webhook:a', 'INC-1', r, { id: `INC-1-${'zyx'[r - 1]}`, createdAt: at(1).toISOString(), nextAttemptAt: at(1).toISOString() }));
    const two = notification('webhook:a', 'INC-2', 1);
    // Committed out of order: the sender orders by revision within an incident.
    await engineWrites(store, incident('INC-1', { revision: 3 }), [one[2], one[0]]);
    await engineWrites(store, incident('INC-2'), [two]);
    await store.commit({ notifications: [one[1]] });
    receivers.a.reply({ status: 500 });
    const first = await sender.flushOnce(at(10_000));
    expect(first.retried).toEqual([one[0].id]);
    // The target failed: nothing more is sent to it this round.
    expect(receivers.a.deliveries()).toEqual([one[0].id]);

    const second = await sender.flushOnce(at(10_100));
    // INC-1's first is backed off (due at 10.75 s) and holds back INC-1's others; INC-2 goes.
    expect(second.delivered).toEqual([two.id]);
    const third = await sender.flushOnce(at(11_000));
    expect(third.delivered).toEqual(one.map((n) => n.id));
    expect(receivers.a.deliveries()).toEqual([one[0].id, two.id, ...one.map((n) => n.id)]);
  });

  it('keeps one send in flight per target, and serves targets in parallel', async () => {
    const { store, sender, receivers } = await rig(['a', 'b'], { delayMs: 20 });
    // a answers its first request only once b has one: targets are served at the same time.
    receivers.a.reply(async () => (await waitFor('a request to b while a is busy', () => receivers.b.received.length > 0, 5_000), { status: 200 }));
    const notes: Notification[] = [];
    for (let i = 1; i <= 4; i++) {
      const id = `INC-${i}`;
      const ns = [notification('webhook:a', id, 1), notification('webhook:b', id, 1)];
      notes.push(...ns);
      await engineWrites(store, incident(id), ns);
    }
    const report = await sender.flushOnce(at(10_000));
    expect(report.delivered.sort()).toEqual(notes.map((n) => n.id).sort());
    expect(receivers.a.maxConcurrent).toBe(1);
    expect(receivers.b.maxConcurrent).toBe(1);
    expect(receivers.a.deliveries()).toEqual(notes.filter((n) => n.target === 'webhook:a').map((n) => n.id));
  });

  it('gives up a notification still failing 24 hours after it was created', async () => {
    const { store, sender, receivers, lines } = await rig(['a']);
    receivers.a.reply({ status: 503 }, { status: 503 });
    const n = notification('webhook:a', 'INC-1', 1, { createdAt: at(0).toISOString(), nextAttemptAt: at(0).toISOString() });
    await engineWrites(store, incident('INC-1'), [n]);
    expect((await sender.flushOnce(at(86_399_000))).retried).toEqual([n.id]);
    expect((await sender.flushOnce(at(86_400_000))).gaveUp).toEqual([n.id]);
    expect(store.outbox()).toEqual([]);
    expect(lines.find((l) => l.level === 50 && /given up/.test(l.msg))).toMatchObject({ notification: n.id, attempts: 2 });
  });

  it('gives up after maxAttempts when one is set', async () => {
    const store = new InMemoryIncidentStore();
    const receiver = await Receiver.start();
    receivers.push(receiver);
    receiver.reply({ status: 500 }, { status: 500 });
    const { log } = capturedLog();
    const notifier = new WebhookNotifier({ webhook: { name: 'a', url: receiver.url, events: [] }, env: {} });
    const sender = new NotificationSender({ store, notifiers: new Map([[notifier.target, notifier]]), log, retry: { maxAttempts: 2 } });
    const n = notification('webhook:a', 'INC-1', 1);
    await engineWrites(store, incident('INC-1'), [n]);
    expect((await sender.flushOnce(at(10_000))).retried).toEqual([n.id]);
    expect((await sender.flushOnce(at(20_000))).gaveUp).toEqual([n.id]);
  });

  it('drops, with an error, notifications for a target no notifier serves', async () => {
    const { store, sender, lines } = await rig(['a']);
    const n = notification('webhook:removed', 'INC-1', 1);
    await engineWrites(store, incident('INC-1'), [n]);
    expect((await sender.flushOnce(at(10_000))).gaveUp).toEqual([n.id]);
    expect(store.outbox()).toEqual([]);
    expect(lines.find((l) => l.notification === n.id)).toMatchObject({ level: 50, msg: expect.stringMatching(/no notifier/) });
  });

  it('in the background: sends what is due, looks again when kicked, retries when the back-off ends, stops', async () => {
    const { store, sender, receivers } = await rig(['a'], { pollMs: 60_000 });
    receivers.a.reply({ status: 500 });
    sender.start();
    const n1 = notification('webhook:a', 'INC-1', 1, { createdAt: new Date().toISOString(), nextAttemptAt: new Date().toISOString() });
    await engineWrites(store, incident('INC-1'), [n1]);
    sender.kick();
    // The 500 is retried after its back-off (under a second), without a kick: the loop sleeps until it is due, not for the poll.
    await waitFor('the retry', () => store.outbox().length === 0);
    expect(receivers.a.deliveries()).toEqual([n1.id, n1.id]);
    const n2 = notification('webhook:a', 'INC-2', 1, { createdAt: new Date().toISOString(), nextAttemptAt: new Date().toISOString() });
    await engineWrites(store, incident('INC-2'), [n2]);
    sender.kick();
    await waitFor('the kicked send', () => receivers.a.deliveries().includes(n2.id));
    await sender.stop();
    const n3 = notification('webhook:a', 'INC-3', 1, { createdAt: new Date().toISOString(), nextAttemptAt: new Date().toISOString() });
    await engineWrites(store, incident('INC-3'), [n3]);
    sender.kick();
    await new Promise((r) => setTimeout(r, 200));
    expect(receivers.a.deliveries()).not.toContain(n3.id);
    expect(store.outbox().map((n) => n.id)).toEqual([n3.id]);
  });

  it('stop() abandons a send still in flight at its deadline: it stays in the outbox, unchanged', async () => {
    const { store, sender, receivers, lines } = await rig(['a']);
    receivers.a.reply('hang');
    const n = notification('webhook:a', 'INC-1', 1, { createdAt: new Date().toISOString(), nextAttemptAt: new Date().toISOString() });
    await engineWrites(store, incident('INC-1'), [n]);
    sender.start();
    await waitFor('the send', () => receivers.a.received.length === 1);
    await sender.stop(100);
    expect(store.outbox()).toEqual([n]);
    expect(lines.find((l) => /stopped with 1 send/.test(l.msg))?.abandoned).toEqual([n.id]);
  });

  it('stops only after a send in flight that finishes within the deadline, and records it', async () => {
    const { store, sender, receivers } = await rig(['a'], { delayMs: 300 });
    const n = notification('webhook:a', 'INC-1', 1, { createdAt: new Date().toISOString(), nextAttemptAt: new Date().toISOString() });
    await engineWrites(store, incident('INC-1'), [n]);
    sender.start();
    await waitFor('the send', () => receivers.a.received.length === 1);
    await sender.stop(5_000);
    expect(store.outbox()).toEqual([]);
  });

  it('counts outcomes by target and shows the outbox size in the server’s metrics', async () => {
    const store = new InMemoryIncidentStore();
    const receiver = await Receiver.start();
    receivers.push(receiver);
    receiver.reply({ status: 500 });
    const metrics = new ServerMetrics();
    const notifier = new WebhookNotifier({ webhook: { name: 'a', url: receiver.url, events: [] }, env: {} });
    const sender = new NotificationSender({ store, notifiers: new Map([[notifier.target, notifier]]), log: capturedLog().log, metrics });
    await engineWrites(store, incident('INC-1'), [notification('webhook:a', 'INC-1', 1)]);
    await engineWrites(store, incident('INC-2'), [notification('webhook:a', 'INC-2', 1)]);
    await sender.flushOnce(at(10_000));
    const text = await metrics.registry.metrics();
    expect(text).toContain('cmdb_notifications_total{target="webhook:a",outcome="retried"} 1');
    expect(text).toContain('cmdb_notification_outbox 2');
    await sender.flushOnce(at(20_000));
    const after = await metrics.registry.metrics();
    expect(after).toContain('cmdb_notifications_total{target="webhook:a",outcome="delivered"} 2');
    expect(after).toContain('cmdb_notification_outbox 0');
  });

  it('sends nothing while mayDeliver says no', async () => {
    const store = new InMemoryIncidentStore();
    const receiver = await Receiver.start();
    receivers.push(receiver);
    let leader = false;
    const notifier = new WebhookNotifier({ webhook: { name: 'a', url: receiver.url, events: [] }, env: {} });
    const sender = new NotificationSender({ store, notifiers: new Map([[notifier.target, notifier]]), log: capturedLog().log, mayDeliver: () => leader });
    await engineWrites(store, incident('INC-1'), [notification('webhook:a', 'INC-1', 1)]);
    await sender.flushOnce(at(10_000));
    expect(receiver.received).toHaveLength(0);
    leader = true;
    expect((await sender.flushOnce(at(10_000))).delivered).toHaveLength(1);
  });
});

describeSenderRestart('an in-memory store (the same object reopened; point this at FileIncidentStore)', async () => {
  const store = new InMemoryIncidentStore();
  return { open: async () => store, cleanup: async () => undefined };
});
