/**
 * The relay's start of a term: the other parts start on the same
 * `started-leading` and may publish before the log is open for appending.
 * Those events are appended all the same, first and in order.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { InMemoryEventBus } from '../../core/InMemoryEventBus.ts';
import { EventRelayPart } from '../../server/EventRelayPart.ts';
import { SingleReplica } from '../../server/leader/SingleReplica.ts';
import { LeadershipPart } from '../../server/LeadershipPart.ts';
import { ServerMetrics } from '../../server/metrics.ts';
import { EVENT_LOG_FILE, FileEventLog } from '../../state/FileEventLog.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

it('appends what was published between started-leading and the log being open, in order, before what follows', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-relay-'));
  dirs.push(dir);
  const log = pino({ level: 'silent' });
  const events = new InMemoryEventBus();
  const leadership = new LeadershipPart({ create: (onEvent) => new SingleReplica({ identity: 'a', onEvent }), log, metrics: new ServerMetrics() });
  // Built first, as the runtime builds it: its started-leading listener runs beside the part below.
  const relay = new EventRelayPart({ eventLog: new FileEventLog({ dir }), events, leadership, log });
  // A part publishing at once when this replica starts leading (the reconcilers reporting a finding).
  leadership.subscribe((event) => {
    if (event.type === 'started-leading') for (const id of ['early-1', 'early-2']) events.publish('deliveryProcessed', { id, event: 'x', outcome: 'done', seconds: 0 });
  });
  await relay.start();
  leadership.start();
  await new Promise((r) => setTimeout(r, 50));
  events.publish('deliveryProcessed', { id: 'later', event: 'x', outcome: 'done', seconds: 0 });
  await events.settled();
  await leadership.stop();
  await relay.stop();

  const reader = new FileEventLog({ dir });
  const ids = (await reader.read(0)).map((e) => (e.event.data as { id: string }).id);
  expect(ids).toEqual(['early-1', 'early-2', 'later']);
});

it('following, relays what the leader appends, and warns naming the numbers when the file was compacted past what it had read', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-relay-'));
  dirs.push(dir);
  const warnings: Array<{ msg: string; missed?: { from: number; to: number } }> = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
  const events = new InMemoryEventBus();
  const relayed: string[] = [];
  events.subscribe('deliveryProcessed', (e) => void relayed.push(e.data.id));
  // Another replica leads: this one never does.
  const follower = { identity: 'b', isLeader: () => false, leader: () => 'a', start: () => undefined, stop: async () => undefined };
  const leadership = new LeadershipPart({ create: () => follower, log, metrics: new ServerMetrics() });
  const relay = new EventRelayPart({ eventLog: new FileEventLog({ dir, pollMs: 10 }), events, leadership, log });
  const file = path.join(dir, EVENT_LOG_FILE);
  const line = (seq: number) => `${JSON.stringify({ seq, event: { type: 'deliveryProcessed', at: '2026-12-03T10:00:00.000Z', data: { id: `e${seq}`, event: 'x', outcome: 'done', seconds: 0 } } })}\n`;
  fs.writeFileSync(file, line(1));
  await relay.start();
  leadership.start();
  fs.appendFileSync(file, line(2) + line(3));
  await expect.poll(() => relayed).toEqual(['e2', 'e3']);
  expect(warnings).toEqual([]);
  // The leader appended 4 to 12 and compacted the file to its newest events before this replica read again.
  fs.writeFileSync(`${file}.tmp`, line(10) + line(11) + line(12));
  fs.renameSync(`${file}.tmp`, file);
  await expect.poll(() => relayed).toEqual(['e2', 'e3', 'e10', 'e11', 'e12']);
  expect(warnings.map((w) => [w.msg, w.missed])).toEqual([['event log: events not relayed (compacted before this replica read them, or never appended)', { from: 4, to: 9 }]]);
  await leadership.stop();
  await relay.stop();
});
