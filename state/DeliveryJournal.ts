import fs from 'node:fs/promises';
import path from 'node:path';
import { AppendLog, readJsonLines, writeFileAtomic } from './jsonLines.ts';

/** A webhook delivery as received: the event name, the parsed payload. */
export interface Delivery {
  /** `X-GitHub-Delivery`. */
  id: string;
  /** `X-GitHub-Event`. */
  event: string;
  receivedAt: string;
  payload: unknown;
}

/** How a delivery ended: `superseded` when a newer delivery for the same pull request made it moot. */
export type DeliveryOutcome = 'evaluated' | 'superseded' | 'ignored' | 'recorded' | 'failed';

type JournalLine =
  | ({ op: 'received' } & Delivery)
  | { op: 'done'; id: string; outcome: DeliveryOutcome; at: string; detail?: string }
  | { op: 'seen'; id: string };

export const JOURNAL_FILE = 'deliveries.jsonl';

export interface DeliveryJournalOptions {
  /** Directory of the journal file. */
  dir: string;
  /** Ids of finished deliveries remembered for de-duplication (default 50,000). */
  remember?: number;
  /** Rewrite the journal after this many deliveries finished since the last rewrite (default 2,000). */
  compactAfter?: number;
}

/**
 * The durable queue of deliveries: an append-only JSON Lines file where a
 * delivery is `received` (with its payload) before it is acknowledged, and
 * `done` once processed; both flushed to disk. On open, deliveries received
 * and not done are handed back in the order received. Ids of deliveries
 * pending or processed are remembered to drop duplicates (not of failed
 * ones, so a redelivery retries them). Compaction rewrites the file with
 * pending deliveries and the remembered ids only.
 */
export class DeliveryJournal {
  private readonly options: Required<DeliveryJournalOptions>;
  private readonly log: AppendLog;
  private readonly pending = new Map<string, Delivery>();
  /** Ids finished, oldest first. */
  private readonly finished = new Set<string>();
  /** Ids being written: a concurrent duplicate waits for the first write. */
  private readonly writing = new Map<string, Promise<void>>();
  private finishedSinceCompaction = 0;
  private compacting?: Promise<void>;

  constructor(options: DeliveryJournalOptions) {
    this.options = { remember: 50_000, compactAfter: 2_000, ...options };
    this.log = new AppendLog({ file: path.join(options.dir, JOURNAL_FILE) });
  }

  /** Reads the journal (dropping a torn last line) and returns the deliveries still to process, oldest first. */
  async open(): Promise<Delivery[]> {
    await fs.mkdir(this.options.dir, { recursive: true });
    const { records, intactBytes, size } = await readJsonLines<JournalLine>(this.log.file);
    for (const line of records) this.apply(line);
    await this.log.open(intactBytes, size);
    await this.compact();
    return [...this.pending.values()];
  }

  /** Durably queues a delivery; `duplicate` (nothing written) when its id was seen before. */
  async add(delivery: Delivery): Promise<'queued' | 'duplicate'> {
    const inFlight = this.writing.get(delivery.id);
    if (inFlight) {
      await inFlight;
      return 'duplicate';
    }
    if (this.pending.has(delivery.id) || this.finished.has(delivery.id)) return 'duplicate';
    const write = this.log.append([{ op: 'received', ...delivery }]);
    this.writing.set(delivery.id, write);
    try {
      await write;
    } finally {
      this.writing.delete(delivery.id);
    }
    this.pending.set(delivery.id, delivery);
    return 'queued';
  }

  /** Durably marks a delivery processed. */
  async done(id: string, outcome: DeliveryOutcome, detail?: string): Promise<void> {
    await this.log.append([{ op: 'done', id, outcome, at: new Date().toISOString(), ...(detail ? { detail } : {}) }]);
    this.apply({ op: 'done', id, outcome, at: '' });
    if (++this.finishedSinceCompaction >= this.options.compactAfter) this.compacting ??= this.compact().finally(() => (this.compacting = undefined));
  }

  /** Ids of the deliveries received and not done, oldest first. */
  pendingIds(): string[] {
    return [...this.pending.keys()];
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  async close(): Promise<void> {
    await this.compacting;
    await this.log.close();
  }

  private apply(line: JournalLine): void {
    if (line.op === 'received') {
      if (!this.finished.has(line.id)) this.pending.set(line.id, { id: line.id, event: line.event, receivedAt: line.receivedAt, payload: line.payload });
      return;
    }
    this.pending.delete(line.id);
    this.finished.delete(line.id);
    // A failed delivery is not remembered: GitHub's "Redeliver" (same id) gets it processed again.
    if (line.op === 'seen' || line.outcome !== 'failed') this.finished.add(line.id);
  }

  /** Rewrites the journal as the remembered ids and the pending deliveries. */
  private async compact(): Promise<void> {
    this.finishedSinceCompaction = 0;
    await this.log.exclusive(async () => {
      const forget = this.finished.size - this.options.remember;
      if (forget > 0) {
        let n = 0;
        for (const id of this.finished) {
          if (n++ >= forget) break;
          this.finished.delete(id);
        }
      }
      const lines: JournalLine[] = [...[...this.finished].map((id) => ({ op: 'seen' as const, id })), ...[...this.pending.values()].map((d) => ({ op: 'received' as const, ...d }))];
      await writeFileAtomic(this.log.file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
      await this.log.reopen();
    });
  }
}
