/**
 * A follower's poll of the event log (`FileEventLog`, the shared
 * `events.jsonl` the leader appends to): with 100,000 events in the file,
 * the time of a `read(after)` that follows the follower's last read (nothing
 * new, then 10 new events), against a read of the whole file (what each poll
 * cost before reads became incremental), in the same run. A follower polls
 * every 500 ms. `npm run bench -- --only eventlog`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CmdbEvent } from '../core/events.ts';
import { EVENT_LOG_FILE, FileEventLog } from '../state/FileEventLog.ts';
import { readJsonLines } from '../state/jsonLines.ts';
import { formatBytes, formatMs, markdownHeader, markdownRow, summarize, type Summary } from './stats.ts';

const EVENTS = 100_000;
const ROUNDS = 30;

export interface EventLogFigures {
  events: number;
  bytes: number;
  /** Reading the whole file (the reference), ms. */
  whole: Summary;
  /** A poll that finds nothing new, ms. */
  idle: Summary;
  /** A poll that finds 10 new events, ms. */
  tenNew: Summary;
}

const moved = (i: number): CmdbEvent => ({ type: 'catalogMoved', at: '2026-12-03T12:00:00.000Z', data: { commit: i.toString(16).padStart(40, '0'), entities: 100_000, violations: 0, mode: 'incremental', seconds: 0.2 } });

export async function benchEventLog(): Promise<EventLogFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-bench-events-'));
  try {
    const file = path.join(dir, EVENT_LOG_FILE);
    fs.writeFileSync(file, Array.from({ length: EVENTS }, (_, i) => `${JSON.stringify({ seq: i + 1, event: moved(i) })}\n`).join(''));
    const leader = new FileEventLog({ dir });
    let last = await leader.open();
    const follower = new FileEventLog({ dir });
    await follower.read(0);
    let seen = last;
    const whole: number[] = [];
    const idle: number[] = [];
    const tenNew: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      let t = performance.now();
      const none = await follower.read(seen);
      idle.push(performance.now() - t);
      if (none.length !== 0) throw new Error('an idle poll found events');
      for (let i = 0; i < 10; i++) last = await leader.append(moved(EVENTS + r * 10 + i));
      t = performance.now();
      const fresh = await follower.read(seen);
      tenNew.push(performance.now() - t);
      if (fresh.length !== 10) throw new Error(`a poll found ${fresh.length} of 10 new events`);
      seen = last;
      // The reference last in the round: the garbage of a 20 MB read is not counted in the next poll.
      t = performance.now();
      await readJsonLines(file);
      whole.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 20));
    }
    await leader.close();
    return { events: EVENTS, bytes: fs.statSync(file).size, whole: summarize(whole), idle: summarize(idle), tenNew: summarize(tenNew) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function eventLogMarkdown(f: EventLogFigures): string {
  return [
    '### Event log: a follower\'s poll',
    '',
    `${f.events.toLocaleString('en')} events in \`events.jsonl\` (${formatBytes(f.bytes)}), ${ROUNDS} rounds; medians (p99).`,
    '',
    markdownHeader(['whole file read (ref)', 'poll, nothing new', 'ratio', 'poll, 10 new events', 'ratio']),
    markdownRow([
      `${formatMs(f.whole.p50)} (${formatMs(f.whole.p99)})`,
      `${formatMs(f.idle.p50)} (${formatMs(f.idle.p99)})`,
      `${(f.idle.p50 / f.whole.p50).toFixed(4)}x`,
      `${formatMs(f.tenNew.p50)} (${formatMs(f.tenNew.p99)})`,
      `${(f.tenNew.p50 / f.whole.p50).toFixed(4)}x`,
    ]),
  ].join('\n');
}
