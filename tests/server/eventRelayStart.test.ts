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
import { FileEventLog } from '../../state/FileEventLog.ts';

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
