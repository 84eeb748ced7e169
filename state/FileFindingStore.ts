import path from 'node:path';
import type { FindingChangeData } from '../core/events.ts';
import { CmdbError } from '../core/errors.ts';
import { applyFindingChange, sortedFindings, type FindingStore, type StoredFinding } from './FindingStore.ts';
import { AppendLog, readJsonLines, writeFileAtomic } from './jsonLines.ts';

export const FINDINGS_FILE = 'findings.jsonl';

export interface FileFindingStoreOptions {
  /** Directory of `findings.jsonl` (the state dir). */
  dir: string;
}

/** One journal line: a change as it took effect and when, or (written by compaction) a finding held. */
type JournalLine = { at: string; change: FindingChangeData } | { held: StoredFinding };

/**
 * FindingStore as a JSON Lines journal of the changes that took effect, each
 * flushed before `apply` resolves (a torn last line left by a crash is cut
 * off). On open the journal is replayed, then compacted: replaced atomically
 * (temp file, fsync, rename) by one `held` line per current finding, so it
 * grows with the changes of one run only. One process writes it (the leader).
 */
export class FileFindingStore implements FindingStore {
  readonly name: string;
  private readonly file: string;
  private readonly log: AppendLog;
  private readonly held = new Map<string, StoredFinding>();
  private opened = false;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(options: FileFindingStoreOptions) {
    this.file = path.join(options.dir, FINDINGS_FILE);
    this.name = `file ${this.file}`;
    this.log = new AppendLog({ file: this.file });
  }

  async open(): Promise<void> {
    if (this.opened) throw new CmdbError(`${this.name} is already open`, { code: 'internal' });
    const { records, intactBytes, size } = await readJsonLines<JournalLine>(this.file);
    for (const line of records) {
      if ('held' in line) this.held.set(line.held.key, line.held);
      else applyFindingChange(this.held, line.change, line.at);
    }
    await this.log.open(intactBytes, size);
    await this.compact();
    this.opened = true;
  }

  apply(changes: readonly FindingChangeData[], at: Date = new Date()): Promise<FindingChangeData[]> {
    const run = this.chain.then(() => this.applyNow(changes, at.toISOString()));
    this.chain = run.catch(() => undefined);
    return run;
  }

  current(): StoredFinding[] {
    return sortedFindings(this.held);
  }

  async close(): Promise<void> {
    await this.chain;
    await this.log.close();
    this.opened = false;
  }

  private async applyNow(changes: readonly FindingChangeData[], at: string): Promise<FindingChangeData[]> {
    if (!this.opened) throw new CmdbError(`${this.name} is not open`, { code: 'state-store' });
    const trial = new Map([...this.held].map(([k, v]) => [k, { ...v }] as const));
    const effective = changes.flatMap((c) => applyFindingChange(trial, c, at) ?? []);
    if (effective.length === 0) return [];
    await this.log.append(effective.map((change): JournalLine => ({ at, change })));
    this.held.clear();
    for (const [k, v] of trial) this.held.set(k, v);
    return effective;
  }

  /** Rewrites the journal as the current findings, one `held` line each. */
  private async compact(): Promise<void> {
    await this.log.exclusive(async () => {
      const lines: JournalLine[] = this.current().map((held) => ({ held }));
      await writeFileAtomic(this.file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
      await this.log.reopen();
    });
  }
}
