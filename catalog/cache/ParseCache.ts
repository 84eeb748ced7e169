import type { BlobResult } from '../parseBlob.ts';

/**
 * Parsed blobs keyed by blob oid. Blobs are content-addressed, so an entry
 * never goes stale; the namespace (format version, schemas, limits) is part of
 * the implementation's key. Implementations: `DiskParseCache`, `MemoryParseCache`.
 */
export interface ParseCache {
  /** Makes the entries of these oids available to `get` (reads them from storage). */
  preload(oids: readonly string[]): Promise<void>;
  get(oid: string): BlobResult | undefined;
  /** Like `get`, but reads storage (synchronously) when the entry was not preloaded. */
  load(oid: string): BlobResult | undefined;
  set(oid: string, result: BlobResult): void;
  /** `set` for results parsed together; `lines` is their cache lines in order (without newlines) when the parser made them. */
  setAll(results: readonly BlobResult[], lines?: readonly string[]): void;
  /** True when it holds nothing, in memory or in storage (a first read of a big commit will parse it all). */
  empty(): boolean;
  /** Persists what was set; failures to write are reported, never thrown. */
  flush(): Promise<{ written: number; error?: string }>;
}

/** A cache that lives as long as the process (tests, servers). */
export class MemoryParseCache implements ParseCache {
  private readonly entries = new Map<string, BlobResult>();

  constructor(_options: Record<string, never> = {}) {}

  async preload(): Promise<void> {}

  get(oid: string): BlobResult | undefined {
    return this.entries.get(oid);
  }

  load(oid: string): BlobResult | undefined {
    return this.entries.get(oid);
  }

  set(oid: string, result: BlobResult): void {
    this.entries.set(oid, result);
  }

  setAll(results: readonly BlobResult[]): void {
    for (const r of results) this.entries.set(r.blob, r);
  }

  empty(): boolean {
    return this.entries.size === 0;
  }

  async flush(): Promise<{ written: number }> {
    return { written: 0 };
  }
}
