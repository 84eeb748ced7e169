import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CmdbEvent } from '../../core/events.ts';
import type { EventLog, LoggedEvent } from '../../state/EventLog.ts';
import { EVENT_LOG_FILE, FileEventLog } from '../../state/FileEventLog.ts';
import { InMemoryEventLog } from '../../state/InMemoryEventLog.ts';
import { AppendLog, writeFileAtomic } from '../../state/jsonLines.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-events-'));
  dirs.push(d);
  return d;
};

const moved = (commit: string): CmdbEvent => ({ type: 'catalogMoved', at: '2026-03-03T10:00:00.000Z', data: { commit, entities: 3, violations: 0, mode: 'rebuild', seconds: 0.1 } });
const recorded = (n: number): CmdbEvent => ({ type: 'changeRecorded', at: '2026-03-03T10:00:01.000Z', data: { id: `acme/config#${n}`, repository: 'acme/config', number: n, mergeCommit: 'abc', decision: 'pass' } });

/** Collects `count` events from a tail, then stops it. */
async function take(log: EventLog, after: number, count: number): Promise<LoggedEvent[]> {
  const abort = new AbortController();
  const out: LoggedEvent[] = [];
  for await (const e of log.tail(after, abort.signal)) {
    out.push(e);
    if (out.length === count) abort.abort();
  }
  return out;
}

interface Subject {
  name: string;
  /** A new, empty log. */
  open(): EventLog;
}

const subjects: Subject[] = [
  { name: 'FileEventLog', open: () => new FileEventLog({ dir: tmp(), pollMs: 20 }) },
  { name: 'InMemoryEventLog', open: () => new InMemoryEventLog() },
];

describe.each(subjects)('EventLog contract: $name', (subject) => {
  it('numbers events 1, 2, 3 in append order and reads them back after a sequence number', async () => {
    const log = subject.open();
    expect(await log.open()).toBe(0);
    const seqs = await Promise.all([log.append(moved('a')), log.append(recorded(1)), log.append(moved('b'))]);
    expect(seqs).toEqual([1, 2, 3]);
    expect(log.lastSeq()).toBe(3);
    expect(await log.read(0)).toEqual([
      { seq: 1, event: moved('a') },
      { seq: 2, event: recorded(1) },
      { seq: 3, event: moved('b') },
    ]);
    expect((await log.read(1, 1)).map((e) => e.seq)).toEqual([2]);
    expect(await log.read(3)).toEqual([]);
    await log.close();
  });

  it('tails what is there, then what is appended later', async () => {
    const log = subject.open();
    await log.open();
    await log.append(moved('a'));
    await log.append(moved('b'));
    const tailing = take(log, 1, 3);
    await new Promise((r) => setTimeout(r, 30));
    await log.append(recorded(7));
    await log.append(moved('c'));
    const got = await tailing;
    expect(got.map((e) => [e.seq, e.event.type])).toEqual([
      [2, 'catalogMoved'],
      [3, 'changeRecorded'],
      [4, 'catalogMoved'],
    ]);
    await log.close();
  });

  it('ends a tail when its signal aborts, with nothing to read', async () => {
    const log = subject.open();
    await log.open();
    const abort = new AbortController();
    const seen: number[] = [];
    const done = (async () => {
      for await (const e of log.tail(0, abort.signal)) seen.push(e.seq);
    })();
    setTimeout(() => abort.abort(), 20);
    await done;
    expect(seen).toEqual([]);
    await log.close();
  });
});

describe('FileEventLog', () => {
  it('keeps numbering after a restart and cuts off a torn last line', async () => {
    const dir = tmp();
    const first = new FileEventLog({ dir });
    await first.open();
    await first.append(moved('a'));
    await first.append(moved('b'));
    await first.close();
    fs.appendFileSync(path.join(dir, EVENT_LOG_FILE), '{"seq":3,"event":{"ty');
    const second = new FileEventLog({ dir });
    expect(await second.open()).toBe(2);
    expect(await second.append(recorded(4))).toBe(3);
    expect((await second.read(0)).map((e) => e.seq)).toEqual([1, 2, 3]);
    await second.close();
  });

  it('lets a reader in another instance (a follower replica) tail what the writer appends', async () => {
    const dir = tmp();
    const leader = new FileEventLog({ dir });
    await leader.open();
    await leader.append(moved('a'));
    const follower = new FileEventLog({ dir, pollMs: 20 });
    const tailing = take(follower, 0, 2);
    await new Promise((r) => setTimeout(r, 30));
    await leader.append(recorded(9));
    expect((await tailing).map((e) => e.event)).toEqual([moved('a'), recorded(9)]);
    await leader.close();
  });

  /** A leader that appended events 1 to 3, and a follower (another instance) that read them. */
  async function readThree() {
    const dir = tmp();
    const leader = new FileEventLog({ dir });
    await leader.open();
    for (const c of ['a', 'b', 'c']) await leader.append(moved(c));
    const follower = new FileEventLog({ dir });
    expect((await follower.read(0)).map((e) => e.seq)).toEqual([1, 2, 3]);
    return { dir, file: path.join(dir, EVENT_LOG_FILE), leader, follower };
  }

  it('reads, after a first read, only what was appended since (a torn line is read again once complete)', async () => {
    const { dir, file, leader, follower } = await readThree();
    // The second line overwritten in place: a reader that read the file again from its start would stop there.
    const text = fs.readFileSync(file, 'utf8');
    const second = text.indexOf('\n') + 1;
    const third = text.indexOf('\n', second);
    fs.writeFileSync(file, `${text.slice(0, second)}${'x'.repeat(third - second)}${text.slice(third)}`);
    expect((await new FileEventLog({ dir }).read(0)).map((e) => e.seq), 'a reader from the start').toEqual([1]);
    await leader.append(recorded(4));
    expect((await follower.read(3)).map((e) => e.seq)).toEqual([4]);
    // Half a line appended (a write under way), then its end: read once complete, and once.
    fs.appendFileSync(file, '{"seq":5,"event":');
    expect(await follower.read(4)).toEqual([]);
    fs.appendFileSync(file, `${JSON.stringify(moved('e'))}}\n`);
    expect(await follower.read(4)).toEqual([{ seq: 5, event: moved('e') }]);
    expect(await follower.read(5)).toEqual([]);
    // Asked for events before the last read: read from the start again (here, stopped by the overwritten line).
    expect(await follower.read(0)).toEqual([{ seq: 1, event: moved('a') }]);
    await leader.close();
  });

  it('reads a replaced or truncated file again from its start', async () => {
    const { file, leader, follower } = await readThree();
    await leader.close();
    // Rotated by hand: a new file (another inode) that holds events 3 to 5.
    const lines = [3, 4, 5].map((seq) => `${JSON.stringify({ seq, event: moved(String(seq)) })}\n`);
    fs.writeFileSync(`${file}.new`, lines.join(''));
    fs.renameSync(`${file}.new`, file);
    expect((await follower.read(3)).map((e) => e.seq)).toEqual([4, 5]);
    // Truncated in place to its first line: shorter than where the last read ended.
    fs.truncateSync(file, Buffer.byteLength(lines[0]));
    fs.appendFileSync(file, `${JSON.stringify({ seq: 6, event: moved('6') })}\n`);
    expect((await follower.read(5)).map((e) => e.seq)).toEqual([6]);
    // Rewritten in place and grown past where the last read ended: no longer at a line's end, read from the start.
    const longer = [7, 8, 9, 10].map((seq) => `${JSON.stringify({ seq, event: moved(`a longer commit name ${seq}`) })}\n`);
    fs.writeFileSync(file, longer.join(''));
    expect((await follower.read(6)).map((e) => e.seq)).toEqual([7, 8, 9, 10]);
  });

  it('compacts past maxBytes to its newest events: numbering goes on, a follower reading along misses none and sees none twice', async () => {
    const dir = tmp();
    const file = path.join(dir, EVENT_LOG_FILE);
    const maxBytes = 4000;
    const leader = new FileEventLog({ dir, maxBytes });
    const follower = new FileEventLog({ dir });
    await leader.open();
    const seen: number[] = [];
    let sizes = 0;
    for (let n = 1; n <= 300; n++) {
      // Several appends in flight at once, some of them while a compaction runs.
      if (n % 3 === 0) {
        const [one, two] = await Promise.all([leader.append(recorded(n)), leader.append(moved(`c${n}`))]);
        expect(two).toBe(one + 1);
      } else await leader.append(recorded(n));
      // Compaction keeps ~12 of these events: a follower reading every ~7 events misses none.
      if (n % 5 === 0) for (const e of await follower.read(seen.at(-1) ?? 0)) seen.push(e.seq);
      sizes = Math.max(sizes, fs.statSync(file).size);
    }
    await leader.close();
    for (const e of await follower.read(seen.at(-1) ?? 0)) seen.push(e.seq);
    const last = leader.lastSeq();
    expect(last).toBe(400);
    expect(seen).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    // Compacted (several times): bounded, its newest events, the last one last.
    expect(sizes).toBeLessThan(maxBytes + 1000);
    const kept = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).seq as number);
    expect(kept.length).toBeGreaterThan(3);
    expect(kept.length).toBeLessThan(last / 4);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => last - kept.length + 1 + i));
    expect(fs.readdirSync(dir)).toEqual([EVENT_LOG_FILE]);
    // A new writer numbers on from the compacted file.
    const next = new FileEventLog({ dir, maxBytes });
    expect(await next.open()).toBe(last);
    expect(await next.append(moved('after'))).toBe(last + 1);
    await next.close();
  });

  it('compacts an oversized file on open, keeping at least its last event (one longer than half of maxBytes)', async () => {
    const dir = tmp();
    const file = path.join(dir, EVENT_LOG_FILE);
    const big = (seq: number) => `${JSON.stringify({ seq, event: moved('x'.repeat(3000)) })}\n`;
    fs.writeFileSync(file, [1, 2, 3, 4].map(big).join(''));
    // Left by a compaction a crash cut short: removed on open.
    fs.writeFileSync(`${file}.4242.tmp`, big(1));
    const log = new FileEventLog({ dir, maxBytes: 4000 });
    expect(await log.open()).toBe(4);
    expect(fs.readFileSync(file, 'utf8')).toBe(big(4));
    expect(fs.readdirSync(dir)).toEqual([EVENT_LOG_FILE]);
    expect(await log.append(recorded(5))).toBe(5);
    await log.close();
    expect((await new FileEventLog({ dir }).read(0)).map((e) => e.seq)).toEqual([4, 5]);
  });

  it('a compaction that fails (on open, or after an append) is told, leaves the log whole and growing, and is tried again only a minute later', async () => {
    const dir = tmp();
    const file = path.join(dir, EVENT_LOG_FILE);
    const big = (seq: number) => `${JSON.stringify({ seq, event: moved('x'.repeat(3000)) })}\n`;
    fs.writeFileSync(file, [1, 2, 3].map(big).join(''));
    // The compaction's temp file cannot be written (a directory stands where it goes).
    fs.mkdirSync(`${file}.${process.pid}.tmp`);
    const errors: Error[] = [];
    const log = new FileEventLog({ dir, maxBytes: 4000, onCompactionError: (e) => errors.push(e) });
    expect(await log.open()).toBe(3);
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['EISDIR']);
    for (let n = 4; n <= 8; n++) expect(await log.append(recorded(n))).toBe(n);
    await log.close();
    expect(errors).toHaveLength(1);
    expect((await new FileEventLog({ dir }).read(0)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Once it can be written, the next writer compacts.
    fs.rmdirSync(`${file}.${process.pid}.tmp`);
    const next = new FileEventLog({ dir, maxBytes: 4000, onCompactionError: (e) => errors.push(e) });
    expect(await next.open()).toBe(8);
    await next.close();
    expect(errors).toHaveLength(1);
    expect((await new FileEventLog({ dir }).read(0)).map((e) => e.seq)).toEqual([4, 5, 6, 7, 8]);

    // After an append: a log below maxBytes when opened, pushed past it while the temp file cannot be written.
    const small = tmp();
    const afterErrors: Error[] = [];
    const growing = new FileEventLog({ dir: small, maxBytes: 2000, onCompactionError: (e) => afterErrors.push(e) });
    await growing.open();
    fs.mkdirSync(path.join(small, `${EVENT_LOG_FILE}.${process.pid}.tmp`));
    for (let n = 1; n <= 30; n++) await growing.append(recorded(n));
    await growing.close();
    expect(afterErrors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['EISDIR']);
    expect((await new FileEventLog({ dir: small }).read(0)).map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('AppendLog: a reopen that fails leaves the next write to open the file, but nothing is written after close', async () => {
    const dir = tmp();
    const file = path.join(dir, 'log.jsonl');
    const log = new AppendLog({ file });
    await log.open(0, 0);
    await log.append([{ n: 1 }]);
    fs.rmSync(dir, { recursive: true });
    await expect(log.reopen()).rejects.toMatchObject({ code: 'ENOENT' });
    fs.mkdirSync(dir);
    await log.append([{ n: 2 }]);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"n":2}\n');
    // The same after close: refused, and the file not opened again.
    fs.rmSync(dir, { recursive: true });
    await expect(log.reopen()).rejects.toMatchObject({ code: 'ENOENT' });
    await log.close();
    fs.mkdirSync(dir);
    await expect(log.append([{ n: 3 }])).rejects.toThrow(/is not open/);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('writeFileAtomic leaves no temp file when it fails, and the file as it was', async () => {
    const dir = tmp();
    const target = path.join(dir, 'target');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'inside'), 'x');
    await expect(writeFileAtomic(target, 'text')).rejects.toThrow();
    expect(fs.readdirSync(dir)).toEqual(['target']);
  });

  it('reads a file replaced by one that got the same inode (rewritten in place, a line ending where the last read ended) again from its start', async () => {
    const { file, leader, follower } = await readThree();
    await leader.close();
    // Events 11 to 13 in lines as long as those of 1 to 3 (as a compaction could leave them, on the inode just freed), then 14.
    const line = (seq: number, c: string) => `${JSON.stringify({ seq, event: moved(c) })}\n`;
    const before = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, line(11, '') + line(12, '') + line(13, '') + line(14, 'w'));
    expect(fs.readFileSync(file, 'utf8').slice(0, Buffer.byteLength(before)).endsWith('\n')).toBe(true);
    expect((await follower.read(3)).map((e) => e.seq)).toEqual([11, 12, 13, 14]);
  });

  it('refuses to append before open', async () => {
    const log = new FileEventLog({ dir: tmp() });
    await expect(log.append(moved('a'))).rejects.toThrow(/is not open/);
  });
});
