import type { ChangeQuery, ChangeRecord } from './ChangeRecord.ts';

/**
 * Runtime state that is not in Git and must survive restarts: change records
 * (and, later, incidents). Implementations: `FileChangeStore` (an append-only
 * local file, the default). Records are immutable once written.
 */
export interface ChangeStore {
  /** Where the state lives, for logs (`file /var/lib/cmdb/changes.jsonl`). */
  readonly name: string;
  /**
   * Keeps a change record durably (written and flushed before resolving).
   * A record with the same `id` already kept is left as it is: `exists`.
   */
  recordChange(record: ChangeRecord): Promise<'recorded' | 'exists'>;
  /** The record with this id, if any. */
  getChange(id: string): Promise<ChangeRecord | undefined>;
  /** Records matching the query, oldest merge first. */
  changes(query?: ChangeQuery): Promise<ChangeRecord[]>;
  close(): Promise<void>;
}
