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

/** A commit, as change records keep it. */
export interface CommitInfo {
  /** Full SHA. */
  oid: string;
  /** The first line of its message. */
  subject: string;
  /** `Name <email>` of the author. */
  author: string;
  /** Committer date, RFC 3339 in UTC (`2026-01-01T00:00:00Z`). */
  committedAt: string;
}

/**
 * Read-only access to the objects of one repository.
 *
 * Implementations: `NativeGitReader` (the `git` binary, fast) and
 * `IsomorphicGitReader` (pure JS, portable). Both give identical answers for
 * full object ids and branch or tag names; the contract suite pins them.
 */
export interface ListOptions {
  /** Suffixes such as `.md` (without wildcards). */
  endingWith?: readonly string[];
}

/** The entries `listFiles(commit, options)` returns out of a full listing (the reference rule for every reader). */
export function listed(entries: readonly TreeEntry[], options: ListOptions = {}): TreeEntry[] {
  if (!options.endingWith) return [...entries];
  const suffixes = options.endingWith.map((s) => s.toLowerCase());
  return entries.filter((e) => {
    const path = e.path.toLowerCase();
    return suffixes.some((s) => path.endsWith(s));
  });
}

/** A full commit oid (SHA-1 or SHA-256), as opposed to a name that could move, such as a branch: what may be kept by it. */
export const isCommitOid = (rev: string): boolean => /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(rev);

/**
 * Keeps the newest few diffs between two commit oids (a commit never changes,
 * so neither does their diff): a check asks for base..head from the catalog
 * and the runbooks, and asks early so that git answers while the base is read.
 */
export class DiffMemo {
  private readonly diffs = new Map<string, Promise<FileChange[]>>();

  get(base: string, head: string, compute: () => Promise<FileChange[]>): Promise<FileChange[]> {
    const key = `${base}..${head}`;
    let diff = this.diffs.get(key);
    if (!diff) {
      diff = compute();
      if (isCommitOid(base) && isCommitOid(head)) {
        this.diffs.set(key, diff);
        diff.catch(() => this.diffs.delete(key));
        while (this.diffs.size > 16) this.diffs.delete(this.diffs.keys().next().value!);
      }
    }
    return diff.then((changes) => [...changes]);
  }
}

export interface GitReader {
  readonly name: string;
  /** Commit oid of a revision; throws CmdbError `ref-not-found` when it does not name a commit. */
  resolve(rev: string): Promise<string>;
  /**
   * Every blob, link and submodule of the commit's tree, recursively, sorted
   * by path; with `endingWith`, only those whose path ends with one of the
   * suffixes, compared ignoring ASCII case (`listed` applies the rule).
   */
  listFiles(commit: string, options?: ListOptions): Promise<TreeEntry[]>;
  /** Paths whose entry differs between two commits, sorted by path (renames are a delete and an add). */
  diffFiles(base: string, head: string): Promise<FileChange[]>;
  /** Reads blobs, calling `onBlob` once per oid (any order). */
  readBlobs(oids: readonly string[], onBlob: (oid: string, content: Buffer) => void): Promise<void>;
  /**
   * Where parser threads can read the blobs themselves (native git: each runs
   * a `git cat-file` of its own in `dir`), so that no blob passes through the
   * calling thread; absent when only this reader can read them.
   */
  threadBlobSource?(): { dir: string };
  /**
   * One blob, read synchronously, where the implementation can (native git);
   * undefined when it cannot be read. Used to rebuild a parse-cache entry that
   * went missing while a snapshot table is read.
   */
  readBlobSync?(oid: string): Buffer | undefined;
  /**
   * The commits reachable from `head` and not from `base` (`git rev-list
   * base..head`; every commit of `head` without a base), parents before
   * children. Optional so that wrappers need not have it; both readers do.
   */
  commitsBetween?(base: string | undefined, head: string): Promise<CommitInfo[]>;
  close(): Promise<void>;
}
