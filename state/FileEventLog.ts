import fs from 'node:fs/promises';
import path from 'node:path';
import type { CmdbEvent } from '../core/events.ts';
import { CmdbError } from '../core/errors.ts';
import type { EventLog, LoggedEvent } from './EventLog.ts';
import { AppendLog, readJsonLines, readJsonLinesAfter, removeAtomicTemps, writeFileAtomic, type ReadPosition } from './jsonLines.ts';
import { tailLog } from './tailLog.ts';

export const EVENT_LOG_FILE = 'events.jsonl';

/** Past this size `events.jsonl` is compacted (default of `maxBytes`): ~200,000 events of ~300 bytes. */
export const EVENT_LOG_MAX_BYTES = 64 * 1024 * 1024;

export interface FileEventLogOptions {
  /** Directory of `events.jsonl` (the state dir). */
  dir: string;
  /** How often `tail` looks for lines other processes appended, in ms (default 500). */
  pollMs?: number;
  /** The writer compacts the file past this many bytes to its newest events, half of this (default EVENT_LOG_MAX_BYTES). */
  maxBytes?: number;
  /**
   * Told when a compaction fails (a full disk, say): the log goes on whole
   * and growing, and compaction is tried again after an append at least
   * COMPACTION_RETRY_MS later.
   */
  onCompactionError?: (error: Error) => void;
}

/** How long after a failed compaction the next is tried. */
export const COMPACTION_RETRY_MS = 60_000;

/**
 * EventLog as an append-only JSON Lines file, one `{seq, event}` per line,
 * each append flushed before it resolves (a torn last line left by a crash is
 * cut off on open). One process appends (the leader); any number read it,
 * tailing by sequence number: each read after the first reads only the bytes
 * appended since the one before (a follower polls every 500 ms). The
 * writer compacts it past `maxBytes`, on open and after an append: the file is
 * replaced (atomically) by its newest events, half of `maxBytes`, the last one
 * always among them, so numbering goes on. A reader finding the file replaced
 * reads it again from its start and skips what it has seen; events dropped
 * before a reader got to them are gone for it (a follower reads every 0.5 s,
 * ~100,000 events behind the writer at the default size).
 */
export class FileEventLog implements EventLog {
  readonly name: string;
  private readonly file: string;
  private readonly log: AppendLog;
  private readonly appended = new EventTarget();
  private last = 0;
  private opened = false;
  private chain: Promise<unknown> = Promise.resolve();
  /** Bytes of the file as this writer knows it (intact lines). */
  private size = 0;
  private compacting?: Promise<void>;
  /** No compaction before this time (one failed). */
  private compactAfter = 0;
  /** Where the last read ended and the last event it held (events up to `seq` lie before `position`). */
  private cursor: { seq: number; position: ReadPosition } | undefined;

  constructor(private readonly options: FileEventLogOptions) {
    this.file = path.join(options.dir, EVENT_LOG_FILE);
    this.name = `file ${this.file}`;
    this.log = new AppendLog({ file: this.file });
  }

  async open(): Promise<number> {
    await fs.mkdir(this.options.dir, { recursive: true });
    // What a compaction cut short by a crash left: the log itself is whole.
    await removeAtomicTemps(this.file);
    const { records, intactBytes, size } = await readJsonLines<LoggedEvent>(this.file);
    this.last = records.at(-1)?.seq ?? 0;
    await this.log.open(intactBytes, size);
    this.size = intactBytes;
    this.opened = true;
    if (this.size > this.maxBytes) await this.compact().catch(() => undefined);
    return this.last;
  }

  private get maxBytes(): number {
    return this.options.maxBytes ?? EVENT_LOG_MAX_BYTES;
  }

  /**
   * Replaces the file by its newest events (half of maxBytes, at least the
   * last one); appends wait meanwhile. A failure before the rename leaves the
   * file as it was (and no temp file); one after it (reopening) makes the next
   * append open the file again. Either is told to onCompactionError, and puts
   * the next try COMPACTION_RETRY_MS later.
   */
  private compact(): Promise<void> {
    this.compacting ??= this.log
      .exclusive(async () => {
        const kept = await newestLines(this.file, Math.floor(this.maxBytes / 2));
        await writeFileAtomic(this.file, kept);
        this.size = Buffer.byteLength(kept);
        await this.log.reopen();
      })
      .catch((error: unknown) => {
        this.compactAfter = Date.now() + COMPACTION_RETRY_MS;
        this.options.onCompactionError?.(error as Error);
        throw error;
      })
      .finally(() => (this.compacting = undefined));
    return this.compacting;
  }

  append(event: CmdbEvent): Promise<number> {
    if (!this.opened) return Promise.reject(new CmdbError(`${this.name} is not open`, { code: 'state-store' }));
    // Numbers are taken in call order; the writes keep that order (AppendLog writes in queue order).
    const seq = ++this.last;
    const record: LoggedEvent = { seq, event };
    const write = this.log.append([record]).then(async () => {
      this.size += Buffer.byteLength(JSON.stringify(record)) + 1;
      this.appended.dispatchEvent(new Event('append'));
      // Not waited for (appends made meanwhile wait for it); a failed one is tried again a minute later.
      if (this.size > this.maxBytes && Date.now() >= this.compactAfter) void this.compact().catch(() => undefined);
      return seq;
    });
    this.chain = write.catch(() => undefined);
    return write;
  }

  async read(after: number, limit = Infinity): Promise<LoggedEvent[]> {
    // A tail asks for what follows the last event it read: only the bytes appended since are read.
    const cursor = this.cursor && this.cursor.seq <= after ? this.cursor : undefined;
    const { records, position } = await readJsonLinesAfter<LoggedEvent>(this.file, cursor?.position);
    const last = records.at(-1);
    if (position && (last || !cursor)) {
      const seq = last?.seq ?? 0;
      if (!this.cursor || seq >= this.cursor.seq) this.cursor = { seq, position };
    }
    const out: LoggedEvent[] = [];
    for (const r of records) {
      if (r.seq <= after) continue;
      out.push(r);
      if (out.length >= limit) break;
    }
    return out;
  }

  tail(after: number, signal: AbortSignal): AsyncIterable<LoggedEvent> {
    return tailLog({ read: (a) => this.read(a), appended: this.appended, after, signal, pollMs: this.options.pollMs ?? 500 });
  }

  lastSeq(): number {
    return this.last;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.compacting?.catch(() => undefined);
    await this.log.close();
    this.opened = false;
  }
}

/**
 * The lines after the first newline in the file's last `bytes` bytes (all of
 * it when it is no longer), or its last line when that leaves none; the
 * file's end is intact (the writer cut a torn one on open).
 */
async function newestLines(file: string, bytes: number): Promise<string> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const readTail = async (length: number) => {
      const data = Buffer.alloc(length);
      const { bytesRead } = await handle.read(data, 0, length, size - length);
      return data.subarray(0, bytesRead);
    };
    const tail = await readTail(Math.min(size, bytes));
    if (tail.length === size) return tail.toString('utf8');
    // The window starts inside a line (or at one's start): the lines after the first newline in it.
    const newline = tail.indexOf(0x0a);
    if (newline >= 0 && newline + 1 < tail.length) return tail.toString('utf8', newline + 1);
    // No line starts inside the window (one line longer than it): the last line, read whole.
    const whole = await readTail(size);
    return whole.toString('utf8', whole.lastIndexOf(0x0a, whole.length - 2) + 1);
  } finally {
    await handle.close();
  }
}
