import path from 'node:path';
import { builtinValidator } from '../schema/index.ts';
import { SnapshotAssembler } from './assemble.ts';
import { CACHE_FORMAT, DiskParseCache } from './cache/DiskParseCache.ts';
import { MemoryParseCache, type ParseCache } from './cache/ParseCache.ts';
import { CONFIG_FILE, DEFAULT_CONFIG, fileMatcher, parseConfig, type CatalogConfig } from './config.ts';
import type { FileChange, GitReader, TreeEntry } from './git/GitReader.ts';
import { parseBlob, SUBMODULE_MODE, type BlobResult, type FileInput, type ParseLimits } from './parseBlob.ts';
import { releaseParserThreads, sinkFor, startParserThreads, WORKER_THRESHOLD, type OnResults } from './parsePool.ts';
import { SnapshotTableCache, type StoredTable } from './cache/SnapshotTableCache.ts';
import { deriveTable } from './table/deriveTable.ts';
import { TableSnapshot, type RecordSource } from './table/TableSnapshot.ts';
import type { Snapshot, Violation } from './types.ts';

/** What the reader keeps about a snapshot it produced, to derive the next one from it. */
interface SnapshotState {
  config: CatalogConfig;
  /** The snapshot, when it has a table this reader can derive from. */
  snapshot: TableSnapshot;
  /** False when the next commit must be assembled in full (duplicates, unresolved references, repeated relations). */
  incremental: boolean;
}

/** Where a snapshot defines each ref (from its rows: no entity is built). */
function definedIn(snapshot: Snapshot): (ref: string) => string | undefined {
  const { rows } = snapshot;
  return (ref) => {
    const id = rows.ids.get(ref);
    return id === undefined ? undefined : rows.fileAt(id);
  };
}

/** Counts of the last read, for logs and benchmarks. */
export interface ReadStats {
  files: number;
  parsed: number;
  fromCache: number;
}

export interface CatalogReaderOptions {
  git: GitReader;
  /** Where parsed blobs are kept; default: a DiskParseCache in the user's cache dir. `false`: memory only. */
  cache?: ParseCache | false;
  cacheDir?: string;
}

/** Namespace of the parse cache: everything a blob's parse result depends on besides its content. */
const cacheNamespace = (limits: ParseLimits) => `${builtinValidator().fingerprint}\0${limits.maxFileBytes}\0${limits.maxAliasCount}`;

/**
 * Reads the catalog of a config repo at a commit. A snapshot derived from a
 * previous one re-reads and re-parses only the blobs that changed; parsed
 * blobs are cached by oid (on disk by default) across runs.
 */
export class CatalogReader {
  readonly git: GitReader;
  lastRead: ReadStats = { files: 0, parsed: 0, fromCache: 0 };
  private readonly states = new WeakMap<Snapshot, SnapshotState>();
  private readonly caches = new Map<string, ParseCache>();
  private readonly options: CatalogReaderOptions;
  private tables?: SnapshotTableCache;

  constructor(options: CatalogReaderOptions) {
    this.git = options.git;
    this.options = options;
  }

  /** The catalog at a revision: its stored table when the cache has one, else read in full (parsing only blobs the cache lacks). */
  async read(rev: string): Promise<Snapshot> {
    const commit = await this.git.resolve(rev);
    const stored = await this.tableCache()?.load(commit);
    if (stored) return this.fromStored(stored);
    return this.build(commit, await this.listEntries(commit));
  }

  /** Every file of the commit, sorted by path. */
  private listEntries(commit: string): Promise<TreeEntry[]> {
    return this.git.listFiles(commit);
  }

  private fromStored({ table, config, incremental, resolved }: StoredTable): Snapshot {
    const records = this.recordSource(config.limits);
    const ofCommit = new Map((resolved ?? []).map((r) => [r.blob, r]));
    const snapshot = new TableSnapshot(table, ofCommit.size === 0 ? records : (blob, path) => ofCommit.get(blob) ?? records(blob, path));
    this.states.set(snapshot, { config, snapshot, incremental });
    this.lastRead = { files: table.paths.length, parsed: 0, fromCache: table.paths.length };
    return snapshot;
  }

  /** The catalog at a revision, derived from `base` by the files that changed between them. */
  async readFrom(base: Snapshot, rev: string): Promise<Snapshot> {
    const commit = await this.git.resolve(rev);
    const state = this.states.get(base);
    if (!state) return this.read(commit);
    if (commit === base.commit) return base;
    const changes = await this.git.diffFiles(base.commit, commit);
    if (changes.some((c) => c.path === CONFIG_FILE) || !state.incremental) return this.build(commit, await this.listEntries(commit), base);
    const matches = fileMatcher(state.config);
    const selected = (c: FileChange) => c.entry !== undefined && c.entry.mode !== SUBMODULE_MODE && matches(c.path);
    const changed = changes.filter(selected).map((c) => c.entry!);
    // Deleted, or replaced by something not read (a submodule): gone from the catalog.
    const removed = changes.filter((c) => !selected(c) && base.files.has(c.path)).map((c) => c.path);
    const results = new Array<BlobResult>(changed.length);
    await this.parseEach(changed, state.config.limits, (i, result) => (results[i] = result));
    await this.flush(state.config.limits);
    const inputs: FileInput[] = changed.map((e, i) => ({ path: e.path, result: results[i] }));
    const derived = deriveTable(state.snapshot, commit, inputs, removed, { external: state.config.external });
    if (!derived) return this.build(commit, await this.listEntries(commit), base);
    this.lastRead = { files: derived.snapshot.files.size, parsed: this.lastRead.parsed, fromCache: derived.snapshot.files.size - this.lastRead.parsed };
    this.states.set(derived.snapshot, { config: state.config, snapshot: derived.snapshot, incremental: derived.incremental });
    return derived.snapshot;
  }

  /** Writes what was parsed to the parse cache (failures cost a re-parse later, never an error). */
  private async flush(limits: ParseLimits): Promise<void> {
    await this.cacheFor(limits).flush();
  }

  /** Config of a snapshot this reader produced. */
  configOf(snapshot: Snapshot): CatalogConfig {
    return this.states.get(snapshot)?.config ?? DEFAULT_CONFIG;
  }

  /**
   * Reads a commit in full and assembles its table. When the read is the
   * head of a change from `base`, an entity `base` defines keeps its
   * definition there over a second one the change adds. The table is stored
   * for the next run (with the results whose CIClass kinds were resolved)
   * unless it depends on more than the commit (a base decided a duplicate).
   */
  private async build(commit: string, entries: readonly TreeEntry[], base?: Snapshot): Promise<Snapshot> {
    // A big commit and nothing parsed yet: the parser threads start now, while cmdb.yaml is read and the
    // tree filtered, rather than when the first blobs are ready for them.
    if (entries.length >= WORKER_THRESHOLD && this.cacheFor(DEFAULT_CONFIG.limits).empty()) startParserThreads();
    const { config, violations: configViolations } = await this.readConfig(entries.find((e) => e.path === CONFIG_FILE));
    const matches = fileMatcher(config);
    const selected = entries.filter((e) => e.mode !== SUBMODULE_MODE && matches(e.path));
    // Each result goes into the snapshot as it is parsed: none is kept past its batch.
    const assembler = new SnapshotAssembler(selected.map((e) => e.path));
    await this.parseEach(selected, config.limits, (i, result) => assembler.add(i, result));
    const definedAt = base && definedIn(base);
    const records = this.recordSource(config.limits);
    const { snapshot, incremental, preferred, resolved } = assembler.finish(commit, { configViolations, external: config.external, definedAt, records });
    this.states.set(snapshot, { config, snapshot, incremental });
    // The table first: a `cmdb cache prune` in between then keeps the blobs it refers to.
    if (!preferred) await this.tableCache()?.save({ table: snapshot.table, config, incremental, ...(resolved.size > 0 ? { resolved: [...resolved.values()] } : {}) });
    await this.flush(config.limits);
    return snapshot;
  }

  /**
   * Parse results for table snapshots: from the parse cache, else (an entry
   * lost from the cache) re-parsed from the blob when git can read it synchronously.
   */
  private recordSource(limits: ParseLimits): RecordSource {
    const cache = this.cacheFor(limits);
    const reparsed = new Map<string, BlobResult>();
    return (blob, path) => {
      const hit = cache.load(blob) ?? reparsed.get(blob);
      if (hit) return hit;
      const content = this.git.readBlobSync?.(blob);
      if (!content) return undefined;
      const result = parseBlob({ path, oid: blob, mode: '100644', content }, limits);
      reparsed.set(blob, result);
      return result;
    };
  }

  /** Where tables are stored; none when the parse cache is memory-only. */
  private tableCache(): SnapshotTableCache | undefined {
    const given = this.options.cache;
    if (given === false || (given && !(given instanceof DiskParseCache))) return undefined;
    const dir = given ? path.dirname(given.dir) : this.options.cacheDir;
    return (this.tables ??= new SnapshotTableCache({ dir, namespace: `${CACHE_FORMAT}\0${builtinValidator().fingerprint}` }));
  }

  private async readConfig(entry: TreeEntry | undefined): Promise<{ config: CatalogConfig; violations: Violation[] }> {
    if (!entry) return { config: DEFAULT_CONFIG, violations: [] };
    let text = '';
    await this.git.readBlobs([entry.oid], (_, content) => (text = content.toString('utf8')));
    return parseConfig(text);
  }

  private cacheFor(limits: ParseLimits): ParseCache {
    const namespace = cacheNamespace(limits);
    let cache = this.caches.get(namespace);
    if (!cache) {
      const { cache: given, cacheDir } = this.options;
      cache = given === false ? new MemoryParseCache() : (given ?? new DiskParseCache({ dir: cacheDir, namespace }));
      this.caches.set(namespace, cache);
    }
    return cache;
  }

  /**
   * Calls `each` with the parse result of every entry (named by its index in
   * `selected`), in no set order, parsing only blobs the cache lacks (written
   * to disk by the caller: `flush`). Results are not kept here.
   */
  private async parseEach(selected: readonly TreeEntry[], limits: ParseLimits, each: (index: number, result: BlobResult) => void): Promise<void> {
    const cache = this.cacheFor(limits);
    /** The first entry of each blob to parse, and the entries of a blob at more than one path beyond it. */
    const missing = new Map<string, number>();
    const more = new Map<string, number[]>();
    // Into the cache as each batch arrives (a disk cache writes them while the rest is parsed), then to `each`.
    const onResults: OnResults = (batch, lines) => {
      cache.setAll(batch, lines);
      for (const r of batch) {
        each(missing.get(r.blob)!, r);
        for (const i of more.get(r.blob) ?? []) each(i, r);
      }
    };
    const source = this.git.threadBlobSource?.();
    // Nothing cached and a big commit: every blob is missing, and parser threads that read blobs
    // themselves get each batch as soon as the loop below has listed it, not after the whole tree.
    const early = source && selected.length >= WORKER_THRESHOLD && cache.empty() ? sinkFor(selected.length, limits, onResults, source) : undefined;
    const streamed = early?.addUnread ? early : undefined;
    if (!streamed) await cache.preload(selected.map((e) => e.oid));
    // No result arrives while this loop runs (it does not wait): a blob is either a hit or still missing
    // (and nothing is a hit when the cache was empty).
    for (let i = 0; i < selected.length; i++) {
      const e = selected[i];
      const hit = streamed ? undefined : cache.get(e.oid);
      if (hit) each(i, hit);
      else if (!missing.has(e.oid)) {
        missing.set(e.oid, i);
        streamed?.addUnread!({ path: e.path, oid: e.oid, mode: e.mode });
      } else more.set(e.oid, [...(more.get(e.oid) ?? []), i]);
    }
    if (missing.size === 0) releaseParserThreads();
    if (missing.size > 0) {
      const sink = early ?? sinkFor(missing.size, limits, onResults, source);
      if (sink !== streamed) {
        // Each blob by its tree entry (the threads read it), else read here and handed over.
        if (sink.addUnread) for (const [oid, i] of missing) sink.addUnread({ path: selected[i].path, oid, mode: selected[i].mode });
        else {
          await this.git.readBlobs([...missing.keys()], (oid, content) => {
            const e = selected[missing.get(oid)!];
            sink.add({ path: e.path, oid, mode: e.mode, content });
          });
        }
      }
      await sink.finish();
    }
    this.lastRead = { files: selected.length, parsed: missing.size, fromCache: selected.length - missing.size };
  }
}
