import fs from 'node:fs/promises';
import path from 'node:path';
import type { CmdbEvent } from '../core/events.ts';
import { CmdbError } from '../core/errors.ts';
import type { EventLog, LoggedEvent } from './EventLog.ts';
import { AppendLog, readJsonLines, readJsonLinesAfter, type ReadPosition } from './jsonLines.ts';
import { tailLog } from './tailLog.ts';

export const EVENT_LOG_FILE = 'events.jsonl';

export interface FileEventLogOptions {
  /** Directory of `events.jsonl` (the state dir). */
  dir: string;
  /** How often `tail` looks for lines other processes appended, in ms (default 500). */
  pollMs?: number;
}

/**
 * EventLog as an append-only JSON Lines file, one `{seq, event}` per line,
 * each append flushed before it resolves (a torn last line left by a crash is
 * cut off on open). One process appends (the leader); any number read it,
 * tailing by sequence number: each read after the first reads only the bytes
 * appended since the one before (a follower polls every 500 ms). Not
 * compacted yet: a long-lived deployment shortens it by hand while stopped
 * (docs/architecture.md, "Events across replicas"); a
 * replaced or truncated file is read again from its start.
 */
export class FileEventLog implements EventLog {
  readonly name: string;
  private readonly file: string;
  private readonly log: AppendLog;
  private readonly appended = new EventTarget();
  private last = 0;
  private opened = false;
  private chain: Promise<unknown> = Promise.resolve();
  /** Where the last read ended and the last event it held (events up to `seq` lie before `position`). */
  private cursor: { seq: number; position: ReadPosition } | undefined;

  constructor(private readonly options: FileEventLogOptions) {
    this.file = path.join(options.dir, EVENT_LOG_FILE);
    this.name = `file ${this.file}`;
    this.log = new AppendLog({ file: this.file });
  }

  async open(): Promise<number> {
    await fs.mkdir(this.options.dir, { recursive: true });
    const { records, intactBytes, size } = await readJsonLines<LoggedEvent>(this.file);
    this.last = records.at(-1)?.seq ?? 0;
    await this.log.open(intactBytes, size);
    this.opened = true;
    return this.last;
  }

  append(event: CmdbEvent): Promise<number> {
    if (!this.opened) return Promise.reject(new CmdbError(`${this.name} is not open`, { code: 'state-store' }));
    // Numbers are taken in call order; the writes keep that order (AppendLog writes in queue order).
    const seq = ++this.last;
    const write = this.log.append([{ seq, event }]).then(() => {
      this.appended.dispatchEvent(new Event('append'));
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
    await this.log.close();
    this.opened = false;
  }
}
