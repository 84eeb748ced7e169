/** A file (or link) in a commit's tree. */
export interface TreeEntry {
  path: string;
  oid: string;
  /** Git file mode: `100644`, `100755`, `120000` (symlink), `160000` (submodule). */
  mode: string;
}

export type FileChangeStatus = 'added' | 'modified' | 'deleted';

/** A path whose blob differs between two commits. */
export interface FileChange {
  path: string;
  status: FileChangeStatus;
  /** The entry at head; absent when deleted. */
  entry?: TreeEntry;
}

/**
 * Read-only access to the objects of one repository.
 *
 * Implementations: `NativeGitReader` (the `git` binary, fast) and
 * `IsomorphicGitReader` (pure JS, portable). Both give identical answers for
 * full object ids and branch or tag names; the contract suite pins them.
 */
export interface GitReader {
  readonly name: string;
  /** Commit oid of a revision; throws CmdbError `ref-not-found` when it does not name a commit. */
  resolve(rev: string): Promise<string>;
  /** Every blob, link and submodule of the commit's tree, recursively, sorted by path. */
  listFiles(commit: string): Promise<TreeEntry[]>;
  /** Paths whose entry differs between two commits, sorted by path (renames are a delete and an add). */
  diffFiles(base: string, head: string): Promise<FileChange[]>;
  /** Reads blobs, calling `onBlob` once per oid (any order). */
  readBlobs(oids: readonly string[], onBlob: (oid: string, content: Buffer) => void): Promise<void>;
  /**
   * One blob, read synchronously, where the implementation can (native git);
   * undefined when it cannot be read. Used to rebuild a parse-cache entry that
   * went missing while a snapshot table is read.
   */
  readBlobSync?(oid: string): Buffer | undefined;
  close(): Promise<void>;
}
