import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryJournal, JOURNAL_FILE, type Delivery } from '../../state/DeliveryJournal.ts';
import { DeliveryScheduler, type DeliveryPlan } from '../../state/DeliveryScheduler.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-journal-'));
  dirs.push(d);
  return d;
};
const delivery = (id: string, payload: unknown = { n: id }): Delivery => ({ id, event: 'pull_request', receivedAt: '2026-03-03T10:00:00Z', payload });

describe('DeliveryJournal', () => {
  it('hands back deliveries received and not done, in the order received, after a reopen', async () => {
    const dir = tmp();
    const a = new DeliveryJournal({ dir });
    expect(await a.open()).toEqual([]);
    for (const id of ['1', '2', '3']) expect(await a.add(delivery(id))).toBe('queued');
    await a.done('2', 'evaluated');
    await a.close();
    const b = new DeliveryJournal({ dir });
    expect((await b.open()).map((d) => d.id)).toEqual(['1', '3']);
    expect(await b.add(delivery('2'))).toBe('duplicate');
    expect(await b.add(delivery('3'))).toBe('duplicate');
    await b.close();
  });

  it('drops a line torn by a crash and keeps everything before it', async () => {
    const dir = tmp();
    const a = new DeliveryJournal({ dir });
    await a.open();
    await a.add(delivery('1'));
    await a.close();
    fs.appendFileSync(path.join(dir, JOURNAL_FILE), '{"op":"received","id":"2","event":"pull_req');
    const b = new DeliveryJournal({ dir });
    expect((await b.open()).map((d) => d.id)).toEqual(['1']);
    expect(await b.add(delivery('2'))).toBe('queued');
    await b.close();
    const c = new DeliveryJournal({ dir });
    expect((await c.open()).map((d) => d.id)).toEqual(['1', '2']);
    await c.close();
  });

  it('compacts to pending deliveries and remembered ids', async () => {
    const dir = tmp();
    const a = new DeliveryJournal({ dir, compactAfter: 10, remember: 5 });
    await a.open();
    for (let i = 0; i < 30; i++) await a.add(delivery(String(i), { big: 'x'.repeat(1000) }));
    for (let i = 0; i < 29; i++) await a.done(String(i), 'evaluated');
    await a.close();
    const lines = fs.readFileSync(path.join(dir, JOURNAL_FILE), 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThan(30);
    const b = new DeliveryJournal({ dir, remember: 5 });
    expect((await b.open()).map((d) => d.id)).toEqual(['29']);
    expect(await b.add(delivery('28'))).toBe('duplicate');
    expect(await b.add(delivery('0'))).toBe('queued'); // forgotten: beyond `remember`
    await b.close();
  });

  it('forgets a failed delivery, so a redelivery with the same id is processed again', async () => {
    const dir = tmp();
    const a = new DeliveryJournal({ dir });
    await a.open();
    await a.add(delivery('1'));
    await a.done('1', 'failed', 'GitHub was down');
    expect(await a.add(delivery('1'))).toBe('queued');
    await a.close();
    const b = new DeliveryJournal({ dir });
    expect((await b.open()).map((d) => d.id)).toEqual(['1']);
    await b.close();
  });

  it('writes concurrent deliveries together and answers a concurrent duplicate once', async () => {
    const dir = tmp();
    const a = new DeliveryJournal({ dir });
    await a.open();
    const results = await Promise.all([...Array.from({ length: 50 }, (_, i) => a.add(delivery(String(i)))), a.add(delivery('7'))]);
    expect(results.filter((r) => r === 'queued')).toHaveLength(50);
    expect(results.filter((r) => r === 'duplicate')).toHaveLength(1);
    await a.close();
  });
});

describe('DeliveryScheduler', () => {
  /** A scheduler whose deliveries carry their plan in the payload; records the order processed. */
  async function setup(concurrency = 2, mayStart?: () => boolean) {
    const dir = tmp();
    const journal = new DeliveryJournal({ dir });
    await journal.open();
    const processed: string[] = [];
    const gates = new Map<string, () => void>();
    const scheduler = new DeliveryScheduler({
      journal,
      concurrency,
      mayStart,
      plan: (d) => d.payload as DeliveryPlan,
      process: async (d, signal) => {
        if ((d.payload as { gate?: boolean }).gate) await new Promise<void>((r) => gates.set(d.id, r));
        processed.push(d.id);
        return signal.aborted ? { outcome: 'superseded' } : { outcome: 'evaluated' };
      },
    });
    const submit = async (id: string, plan: DeliveryPlan & { gate?: boolean }) => {
      await journal.add({ id, event: 'x', receivedAt: '', payload: plan });
      scheduler.submit({ id, event: 'x', receivedAt: '', payload: plan });
    };
    const waitGate = async (id: string) => {
      while (!gates.has(id)) await new Promise((r) => setTimeout(r, 5));
      return gates.get(id)!;
    };
    const outcomes = () =>
      Object.fromEntries(
        fs
          .readFileSync(path.join(dir, JOURNAL_FILE), 'utf8')
          .split('\n')
          .filter((l) => l.includes('"op":"done"'))
          .map((l) => JSON.parse(l) as { id: string; outcome: string })
          .map((l) => [l.id, l.outcome]),
      );
    return { journal, scheduler, processed, submit, waitGate, outcomes };
  }

  it('starts nothing while mayStart says no (a follower), keeps it journaled, and starts it on resume()', async () => {
    let leading = false;
    const s = await setup(2, () => leading);
    await s.submit('a1', { key: 'a', evaluates: false });
    await s.submit('b1', { key: 'b', evaluates: false, gate: true });
    await new Promise((r) => setTimeout(r, 50));
    expect(s.processed).toEqual([]);
    expect(s.journal.pendingIds()).toEqual(['a1', 'b1']);
    s.scheduler.resume();
    expect(s.processed, 'resume() without leadership starts nothing').toEqual([]);
    leading = true;
    s.scheduler.resume();
    const open = await s.waitGate('b1');
    // Leadership lost while b1 runs: it finishes, but nothing more starts.
    leading = false;
    await s.submit('a2', { key: 'a', evaluates: false });
    open();
    while (!s.processed.includes('b1')) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    expect(s.processed.sort()).toEqual(['a1', 'b1']);
    expect(s.journal.pendingIds()).toEqual(['a2']);
    leading = true;
    s.scheduler.resume();
    await s.scheduler.idle();
    expect(s.processed).toContain('a2');
    await s.journal.close();
  });

  it('processes one key in order, and other keys meanwhile', async () => {
    const s = await setup();
    await s.submit('a1', { key: 'a', evaluates: false, gate: true });
    await s.submit('a2', { key: 'a', evaluates: false });
    await s.submit('b1', { key: 'b', evaluates: false });
    const open = await s.waitGate('a1');
    while (!s.processed.includes('b1')) await new Promise((r) => setTimeout(r, 5));
    expect(s.processed).toEqual(['b1']);
    open();
    await s.scheduler.idle();
    expect(s.processed).toEqual(['b1', 'a1', 'a2']);
    await s.journal.close();
  });

  it('supersedes a waiting evaluation by a later one of the same key, and aborts a running one for another head', async () => {
    const s = await setup();
    await s.submit('h1', { key: 'pr', evaluates: true, head: 'h1', gate: true });
    const open = await s.waitGate('h1');
    await s.submit('h1-label', { key: 'pr', evaluates: true, head: 'h1' });
    await s.submit('h2', { key: 'pr', evaluates: true, head: 'h2' });
    open();
    await s.scheduler.idle();
    expect(s.processed).toEqual(['h1', 'h2']); // h1-label never ran
    expect(s.outcomes()).toEqual({ h1: 'superseded', 'h1-label': 'superseded', h2: 'evaluated' });
    await s.journal.close();
  });
});
