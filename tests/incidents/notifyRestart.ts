/**
 * Restarts of the notification sender against any IncidentStore: a suite
 * taking a factory of handles onto one durable state (`open()` gives a new,
 * opened store on it, after the previous one was closed). Run it with
 * FileIncidentStore on one state dir to test the real thing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NotificationSender } from '../../incidents/notify/NotificationSender.ts';
import { WebhookNotifier } from '../../incidents/notify/WebhookNotifier.ts';
import type { IncidentStore } from '../../state/IncidentStore.ts';
import { at, capturedLog, engineWrites, incident, notification, Receiver } from './notifyFixtures.ts';

export interface ReopenableStore {
  /** A store on the durable state, opened. */
  open(): Promise<IncidentStore>;
  cleanup(): Promise<void>;
}

/** The store, except that its commits fail after the first `allowed` (the process died before it could commit). */
function killedAfter(inner: IncidentStore, allowed: number): IncidentStore {
  let left = allowed;
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'commit')
        return async (tx: Parameters<IncidentStore['commit']>[0]) => {
          if (left-- > 0) return target.commit(tx);
          throw new Error('killed before the commit');
        };
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export function describeSenderRestart(name: string, factory: () => Promise<ReopenableStore>): void {
  describe(`the notification sender restarted on ${name}`, () => {
    let receiver: Receiver | undefined;
    let stores: ReopenableStore | undefined;
    afterEach(async () => {
      await receiver?.close();
      await stores?.cleanup();
      receiver = stores = undefined;
    });

    const senderOn = (store: IncidentStore) => {
      const notifier = new WebhookNotifier({ webhook: { name: 'a', url: receiver!.url, events: [] }, env: {} });
      return new NotificationSender({ store, notifiers: new Map([[notifier.target, notifier]]), log: capturedLog().log, random: () => 0.5 });
    };

    it('sends again, with the same delivery id, what was sent but not committed; never what was committed', async () => {
      receiver = await Receiver.start();
      stores = await factory();
      const first = await stores.open();
      const n1 = notification('webhook:a', 'INC-1', 1);
      const n2 = notification('webhook:a', 'INC-2', 1);
      await engineWrites(first, incident('INC-1'), [n1]);
      await engineWrites(first, incident('INC-2'), [n2]);
      // n1's delivery is committed; the process dies after sending n2, before committing it.
      const report = await senderOn(killedAfter(first, 1)).flushOnce(at(10_000));
      expect(report).toMatchObject({ delivered: [n1.id], uncommitted: [n2.id] });
      await first.close();

      const second = await stores.open();
      expect(second.outbox().map((n) => n.id)).toEqual([n2.id]);
      expect((await senderOn(second).flushOnce(at(20_000))).delivered).toEqual([n2.id]);
      await second.close();

      const third = await stores.open();
      expect(third.outbox()).toEqual([]);
      expect(await senderOn(third).flushOnce(at(30_000))).toMatchObject({ delivered: [], retried: [] });
      await third.close();
      expect(receiver.deliveries()).toEqual([n1.id, n2.id, n2.id]);
    });

    it('keeps a failed notification’s attempts and back-off across the restart', async () => {
      receiver = await Receiver.start();
      receiver.reply({ status: 500 });
      stores = await factory();
      const first = await stores.open();
      const n = notification('webhook:a', 'INC-1', 1);
      await engineWrites(first, incident('INC-1'), [n]);
      await senderOn(first).flushOnce(at(10_000));
      await first.close();

      const second = await stores.open();
      expect(second.outbox()).toEqual([expect.objectContaining({ id: n.id, attempts: 1, nextAttemptAt: at(10_750).toISOString() })]);
      const sender = senderOn(second);
      expect((await sender.flushOnce(at(10_700))).delivered).toEqual([]);
      expect((await sender.flushOnce(at(10_750))).delivered).toEqual([n.id]);
      await second.close();
      expect(receiver.deliveries()).toEqual([n.id, n.id]);
    });
  });
}
