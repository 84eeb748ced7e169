import fs from 'node:fs/promises';
import path from 'node:path';
import { CmdbError } from '../core/errors.ts';
import type { Incident, IncidentTransaction, Notification, Problem, Signal } from './IncidentRecords.ts';
import { applyIncidentTransaction, emptyIncidentState, LoadedIncidentStore, type IncidentStoreState } from './IncidentStore.ts';
import { acquireIncidentLock, type IncidentLock } from './IncidentStoreLock.ts';
import { AppendLog, writeFileAtomic } from './jsonLines.ts';

export const INCIDENTS_FILE = 'incidents.jsonl';

/**
 * Ids of delivered notifications and of applied commands kept by compaction
 * (the last ones of each). An id older than that is forgotten: a notification
 * re-queued or a command re-applied that long after would count again.
 */
export const KEPT_IDS = 10_000;

export interface FileIncidentStoreOptions {
  /** The state dir (`cmdb serve --state-dir`); created when missing unless read-only. */
  dir: string;
  /**
   * Only read what is there (the CLI next to a running `cmdb serve`): the
   * journal is replayed, a torn last line ignored, nothing written, no lock
   * taken; `commit` is refused.
   */
  readOnly?: boolean;
  /** Ids of each set kept by compaction (default KEPT_IDS). */
  keptIds?: number;
}

/** The state as compaction writes it. */
export interface IncidentSnapshot {
  signals: Signal[];
  incidents: Incident[];
  problems: Problem[];
  outbox: Notification[];
  delivered: string[];
  commands: string[];
}

/** One journal line: a transaction as committed, or (first line after compaction) the whole state. */
type JournalLine = { tx: IncidentTransaction } | { snapshot: IncidentSnapshot };

/**
 * IncidentStore as a JSON Lines journal (`incidents.jsonl` in the state dir):
 * one line per transaction, written and fsynced before `commit` resolves, so
 * a transaction is kept whole or (a torn last line, cut off on open) not at
 * all. On open the journal is replayed and compacted: replaced atomically
 * (temp file, fsync, rename) by one snapshot line of the current state.
 *
 * One writer per state dir, marked by `incidents.lock` (IncidentStoreLock.ts).
 * A write that fails leaves the store refusing further commits (the journal's
 * end is unknown): reopen it.
 */
export class FileIncidentStore extends LoadedIncidentStore {
  readonly name: string;
  private readonly file: string;
  private readonly options: FileIncidentStoreOptions;
  private log?: AppendLog;
  private lock?: IncidentLock;
  private opened = false;
  private failed?: unknown;

  constructor(options: FileIncidentStoreOptions) {
    super();
    this.options = options;
    this.file = path.join(options.dir, INCIDENTS_FILE);
    this.name = `file ${this.file}`;
  }

  async open(): Promise<void> {
    if (this.opened) throw new CmdbError(`${this.name} is already open`, { code: 'internal' });
    if (!this.options.readOnly) this.lock = await acquireIncidentLock(this.options.dir);
    try {
      const { records, intactBytes, size } = await this.readJournal();
      records.forEach((line, i) => this.replay(this.state, line, i + 1));
      if (!this.options.readOnly) {
        this.log = new AppendLog({ file: this.file });
        await this.log.open(intactBytes, size);
        await this.compact();
      }
    } catch (e) {
      await this.log?.close();
      await this.lock?.release();
      throw e instanceof CmdbError ? e : new CmdbError(`cannot open ${this.name}: ${(e as Error).message}`, { code: 'state-store', cause: e });
    }
    this.opened = true;
  }

  async close(): Promise<void> {
    await this.settled();
    await this.log?.close();
    this.log = undefined;
    await this.lock?.release();
    this.lock = undefined;
    this.opened = false;
  }

  protected async commitNow(tx: IncidentTransaction): Promise<void> {
    if (!this.opened) throw new CmdbError(`${this.name} is not open`, { code: 'state-store' });
    if (this.options.readOnly || !this.log) throw new CmdbError(`${this.name} is open read-only`, { code: 'state-store' });
    if (this.failed) throw new CmdbError(`${this.name} failed a write earlier; reopen it`, { code: 'state-store', cause: this.failed });
    const text = JSON.stringify({ tx } satisfies JournalLine);
    try {
      await this.log.append([JSON.parse(text)]);
    } catch (cause) {
      this.failed = cause;
      throw new CmdbError(`cannot write to ${this.name}: ${(cause as Error).message}`, { code: 'state-store', cause });
    }
    applyIncidentTransaction(this.state, (JSON.parse(text) as { tx: IncidentTransaction }).tx);
  }

  /**
   * A writer is the journal's only writer (the lock): nothing to read again.
   * A read-only instance (beside a running `cmdb serve`) replays the journal
   * as it is now.
   */
  protected async loadAgain(): Promise<IncidentStoreState | undefined> {
    if (!this.options.readOnly) return undefined;
    const state = emptyIncidentState();
    (await this.readJournal()).records.forEach((line, i) => this.replay(state, line, i + 1));
    return state;
  }

  private replay(state: IncidentStoreState, line: JournalLine, lineNumber: number): void {
    if (line && typeof line === 'object' && 'tx' in line && line.tx && typeof line.tx === 'object') return applyIncidentTransaction(state, line.tx);
    if (line && typeof line === 'object' && 'snapshot' in line && line.snapshot && typeof line.snapshot === 'object') return restore(state, line.snapshot);
    throw new CmdbError('not a transaction or snapshot of the incident journal', { code: 'state-store', file: this.file, line: lineNumber, column: 1 });
  }

  /**
   * The journal's lines, from one read of the file (a reader beside the
   * writer must not mix two versions of it). A crash tears at most the last
   * line (no newline after it): it is left out. An unreadable line with a
   * newline after it is damage, not a crash: refused with its line number
   * rather than cut off with everything after it.
   */
  private async readJournal(): Promise<{ records: JournalLine[]; intactBytes: number; size: number }> {
    let data: Buffer;
    try {
      data = await fs.readFile(this.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], intactBytes: 0, size: 0 };
      throw e;
    }
    const records: JournalLine[] = [];
    let start = 0;
    for (let end = data.indexOf(0x0a); end >= 0; start = end + 1, end = data.indexOf(0x0a, start)) {
      try {
        records.push(JSON.parse(data.toString('utf8', start, end)) as JournalLine);
      } catch {
        throw new CmdbError('not a JSON line: the incident journal is damaged (move it away to start empty, or repair the line)', { code: 'state-store', file: this.file, line: records.length + 1, column: 1 });
      }
    }
    return { records, intactBytes: start, size: data.length };
  }

  /** Rewrites the journal as one snapshot line of the current state (the id sets bounded). */
  private async compact(): Promise<void> {
    const log = this.log!;
    await log.exclusive(async () => {
      const snapshot = snapshotOf(this.state, this.options.keptIds ?? KEPT_IDS);
      await writeFileAtomic(this.file, `${JSON.stringify({ snapshot } satisfies JournalLine)}\n`);
      await log.reopen();
      restore(this.state, snapshot); // what is held is what a reopen would hold (the bounded id sets)
    });
  }
}

/** The state as one snapshot, keeping the last `kept` delivered and command ids. */
export function snapshotOf(state: IncidentStoreState, kept: number): IncidentSnapshot {
  const last = (ids: Set<string>) => [...ids].slice(Math.max(0, ids.size - kept));
  return {
    signals: [...state.signals.values()],
    incidents: [...state.incidents.values()],
    problems: [...state.problems.values()],
    outbox: [...state.outbox.values()],
    delivered: last(state.delivered),
    commands: last(state.commands),
  };
}

/** Replaces `state` by a snapshot. */
function restore(state: IncidentStoreState, s: IncidentSnapshot): void {
  state.signals = new Map((s.signals ?? []).map((x) => [x.fingerprint, x]));
  state.incidents = new Map((s.incidents ?? []).map((x) => [x.id, x]));
  state.problems = new Map((s.problems ?? []).map((x) => [x.id, x]));
  state.outbox = new Map((s.outbox ?? []).map((x) => [x.id, x]));
  state.delivered = new Set(s.delivered ?? []);
  state.commands = new Set(s.commands ?? []);
}
