import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import v8 from 'node:v8';
import type { CatalogConfig } from '../config.ts';
import type { BlobResult } from '../parseBlob.ts';
import type { SnapshotTable } from '../table/SnapshotTable.ts';
import { defaultCacheDir } from './DiskParseCache.ts';

/** Bumped whenever SnapshotTable's columns or their meaning change. */
export const TABLE_FORMAT = 'tables-v4';

/** What is kept per commit: the catalog's table and the cmdb.yaml it was read with. */
export interface StoredTable {
  table: SnapshotTable;
  config: CatalogConfig;
  /** Whether the next commit may be derived from this one (see SnapshotState). */
  incremental: boolean;
  /**
   * The parse results of the files whose documents of CIClass-declared kinds
   * were resolved for this commit (with their texts): the parse cache holds
   * them unresolved, as the blob alone gives them.
   */
  resolved?: BlobResult[];
}

/**
 * Snapshot tables on disk, one file per commit (a commit's catalog never
 * changes), so that a warm run reads a 100,000-entity catalog as a handful of
 * arrays. Keeps the most recently written `keep` files. Unreadable or foreign
 * files are misses; write failures are reported, never thrown.
 */
export class SnapshotTableCache {
  readonly dir: string;
  private readonly keep: number;

  /** `namespace` names everything a table depends on besides the commit (schemas). */
  constructor(options: { dir?: string; namespace: string; keep?: number }) {
    const key = createHash('sha256').update(`${TABLE_FORMAT}\0${options.namespace}`).digest('hex').slice(0, 16);
    this.dir = path.join(options.dir ?? defaultCacheDir(), `${TABLE_FORMAT}-${key}`);
    this.keep = options.keep ?? 8;
  }

  private file(commit: string): string {
    return path.join(this.dir, `${commit}.bin`);
  }

  async load(commit: string): Promise<StoredTable | undefined> {
    try {
      const stored = v8.deserialize(await fs.readFile(this.file(commit))) as StoredTable;
      return stored.table?.commit === commit && Array.isArray(stored.table.refs) ? stored : undefined;
    } catch {
      return undefined;
    }
  }

  async save(stored: StoredTable): Promise<{ error?: string }> {
    const file = this.file(stored.table.commit);
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await fs.mkdir(this.dir, { recursive: true });
      await fs.writeFile(tmp, v8.serialize(stored));
      await fs.rename(tmp, file);
      await this.prune();
      return {};
    } catch (e) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      return { error: `cannot write the snapshot cache in ${this.dir}: ${(e as Error).message}` };
    }
  }

  /** Removes all but the `keep` newest tables. */
  private async prune(): Promise<void> {
    const names = (await fs.readdir(this.dir)).filter((n) => n.endsWith('.bin'));
    if (names.length <= this.keep) return;
    const stats = await Promise.all(names.map(async (n) => ({ n, t: (await fs.stat(path.join(this.dir, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
    stats.sort((a, b) => b.t - a.t);
    await Promise.all(stats.slice(this.keep).map(({ n }) => fs.rm(path.join(this.dir, n), { force: true })));
  }
}
