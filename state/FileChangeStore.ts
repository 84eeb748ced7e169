import os from 'node:os';
import path from 'node:path';
import { CmdbError } from '../core/errors.ts';
import type { ChangeQuery, ChangeRecord } from './ChangeRecord.ts';
import { AppendLog, readJsonLines } from './jsonLines.ts';
import type { ChangeStore } from './ChangeStore.ts';

/** `CMDB_STATE_DIR`, else the user's state dir (XDG_STATE_HOME or ~/.local/state) + gitops-cmdb. */
export function defaultStateDir(): string {
  if (process.env.CMDB_STATE_DIR) return process.env.CMDB_STATE_DIR;
  const base = process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'gitops-cmdb');
}

export const CHANGES_FILE = 'changes.jsonl';

export interface FileStateStoreOptions {
  /** Directory of the state files (created when missing unless read-only). */
  dir: string;
  /** Only read (e.g. `cmdb changes` next to a running `cmdb serve`): nothing is created or repaired. */
  readOnly?: boolean;
}

/**
 * ChangeStore in a local append-only file (`changes.jsonl` in `dir`), one JSON
 * record a line, flushed before `recordChange` resolves. A line cut short by
 * a crash is dropped on open. One writing process per directory.
 */
export class FileChangeStore implements ChangeStore {
  readonly name: string;
  private readonly options: FileStateStoreOptions;
  private readonly records = new Map<string, ChangeRecord>();
  private log?: AppendLog;
  private opening?: Promise<void>;

  constructor(options: FileStateStoreOptions) {
    this.options = options;
    this.name = `file ${path.join(options.dir, CHANGES_FILE)}`;
  }

  async recordChange(record: ChangeRecord): Promise<'recorded' | 'exists'> {
    await this.ready();
    if (this.options.readOnly) throw new CmdbError(`${this.name} is open read-only`, { code: 'state-store' });
    if (this.records.has(record.id)) return 'exists';
    this.records.set(record.id, record);
    try {
      await this.log!.append([record]);
    } catch (cause) {
      this.records.delete(record.id);
      throw new CmdbError(`cannot write to ${this.name}: ${(cause as Error).message}`, { code: 'state-store', cause });
    }
    return 'recorded';
  }

  async getChange(id: string): Promise<ChangeRecord | undefined> {
    await this.ready();
    return this.records.get(id);
  }

  async changes(query: ChangeQuery = {}): Promise<ChangeRecord[]> {
    await this.ready();
    const since = query.since?.getTime();
    const recordedSince = query.recordedSince?.getTime();
    return [...this.records.values()]
      .filter((r) => (query.repository === undefined || r.repository.toLowerCase() === query.repository.toLowerCase()) && (since === undefined || Date.parse(r.mergedAt) >= since) && (recordedSince === undefined || Date.parse(r.recordedAt) >= recordedSince))
      .sort((a, b) => (a.mergedAt < b.mergedAt ? -1 : a.mergedAt > b.mergedAt ? 1 : a.id < b.id ? -1 : 1));
  }

  async close(): Promise<void> {
    await this.opening?.catch(() => undefined);
    await this.log?.close();
  }

  private ready(): Promise<void> {
    this.opening ??= this.open();
    return this.opening;
  }

  private async open(): Promise<void> {
    const file = path.join(this.options.dir, CHANGES_FILE);
    let lines;
    try {
      lines = await readJsonLines<ChangeRecord>(file);
    } catch (cause) {
      throw new CmdbError(`cannot read ${file}: ${(cause as Error).message}`, { code: 'state-store', cause });
    }
    for (const r of lines.records) if (r && typeof r.id === 'string' && !this.records.has(r.id)) this.records.set(r.id, r);
    if (this.options.readOnly) return;
    this.log = new AppendLog({ file });
    await this.log.open(lines.intactBytes, lines.size);
  }
}
