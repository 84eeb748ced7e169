import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CmdbError } from '../../core/errors.ts';
import { DiffMemo, listed, type CommitInfo, type FileChange, type GitReader, type ListOptions, type TreeEntry } from './GitReader.ts';

/** A git command that ran and exited non-zero. */
class GitFailure extends CmdbError {
  constructor(
    args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args[0]} failed${exitCode === null ? '' : ` (exit ${exitCode})`}${stderr ? `: ${stderr}` : ''}`, { code: 'git' });
  }
}

/** Runs git and returns stdout; rejects with a GitFailure carrying the exit code and stderr, or a CmdbError when git cannot run. */
function runGit(cwd: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (cause) => reject(new CmdbError(`cannot run git: ${cause.message}`, { code: 'git', cause })));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new GitFailure(args, code, Buffer.concat(err).toString().trim()));
    });
  });
}

/**
 * True when a `git` binary can be run: an executable `git` in a directory of
 * PATH, found as spawn finds it but without starting one (`git --version`
 * cost every command a few milliseconds of start-up). Elsewhere than on
 * POSIX systems (PATHEXT, ...), by running `git --version`.
 */
export async function nativeGitAvailable(): Promise<boolean> {
  if (process.platform === 'win32') return runGit(process.cwd(), ['--version']).then(() => true, () => false);
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && isExecutableFile(path.join(dir, 'git')));
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Seconds since the epoch as RFC 3339 in UTC, without fractions. */
export const isoSeconds = (seconds: number): string => new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

/** The tree with nothing in it (SHA-1 repositories). */
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Parses `git ls-tree -r -z` output. */
function parseLsTree(out: Buffer): TreeEntry[] {
  // Each record is `mode SP type SP oid TAB path NUL`; sliced in place (splitting every record
  // into parts cost ~40 ms more for 100,000 files).
  const text = out.toString('utf8');
  const entries: TreeEntry[] = [];
  for (let at = 0; at < text.length; ) {
    let end = text.indexOf('\0', at);
    if (end < 0) end = text.length;
    const type = text.indexOf(' ', at);
    const tab = text.indexOf('\t', type);
    if (type > at && tab > type && tab < end) entries.push({ path: text.slice(tab + 1, end), oid: text.slice(text.indexOf(' ', type + 1) + 1, tab), mode: text.slice(at, type) });
    at = end + 1;
  }
  return entries;
}

const STATUS: Record<string, FileChange['status']> = { A: 'added', M: 'modified', D: 'deleted', T: 'modified' };

/** Parses `git diff-tree -r -z --no-renames` raw output. */
function parseDiffTree(out: Buffer): FileChange[] {
  const parts = out.toString('utf8').split('\0');
  const changes: FileChange[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const meta = parts[i];
    if (!meta.startsWith(':')) break;
    const [, newMode, , newOid, status] = meta.slice(1).split(' ');
    const path = parts[i + 1];
    const kind = STATUS[status[0]] ?? 'modified';
    changes.push(kind === 'deleted' ? { path, status: kind } : { path, status: kind, entry: { path, oid: newOid, mode: newMode } });
  }
  return changes.sort(byPath);
}

/** GitReader backed by the native `git` binary (`cat-file --batch` for blobs). */
export class NativeGitReader implements GitReader {
  readonly name = 'native git';
  private readonly dir: string;

  constructor(options: { dir: string }) {
    this.dir = options.dir;
  }

  /** Commit oids this reader resolved: resolving one of them again needs no git. */
  private readonly commits = new Set<string>();

  async resolve(rev: string): Promise<string> {
    if (this.commits.has(rev)) return rev;
    try {
      const out = await runGit(this.dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
      const oid = out.toString().trim();
      if (this.commits.size < 1000) this.commits.add(oid);
      return oid;
    } catch (cause) {
      // `--verify --quiet` exits 1 when the revision names no commit: silently, or with an `error:` line when it names
      // another object (a tree, a blob) or too short an oid. Anything else (a `fatal:` line, another exit code) is git
      // failing (a broken git on PATH, a damaged repository), which is not the user's revision's fault.
      if (cause instanceof GitFailure && cause.exitCode === 1 && !/^fatal:/m.test(cause.stderr)) {
        const why = (cause.stderr.split('\n').find((l) => l.startsWith('error: ')) ?? '').replace(/^error: /, '').replace(`${rev}^{commit}: `, '');
        throw new CmdbError(`revision "${rev}" does not name a commit in ${this.dir}${why ? ` (${why})` : ''}`, { code: 'ref-not-found', cause });
      }
      throw new CmdbError(`cannot resolve revision "${rev}" in ${this.dir}: ${(cause as Error).message}`, { code: 'git', cause });
    }
  }

  async listFiles(commit: string, options: ListOptions = {}): Promise<TreeEntry[]> {
    if (options.endingWith) {
      const some = await this.listEndingWith(commit, options.endingWith);
      if (some) return some;
    }
    const entries = parseLsTree(await runGit(this.dir, ['ls-tree', '-r', '-z', '--full-tree', commit])).sort(byPath);
    return listed(entries, options);
  }

  /**
   * Files ending with the suffixes, as the additions of a diff from the empty
   * tree limited by `:(icase)*suffix` pathspecs: git walks the tree and
   * prints only those (26 ms for the Markdown files of a 100,000-file commit,
   * against ~130 ms to list and parse every file). Undefined when git cannot
   * (a SHA-256 repository has another empty tree): the caller lists everything.
   */
  private async listEndingWith(commit: string, suffixes: readonly string[]): Promise<TreeEntry[] | undefined> {
    if (suffixes.some((s) => /[*?[\]\\:]/.test(s) || s === '')) return undefined;
    let out: Buffer;
    try {
      out = await runGit(this.dir, ['diff-tree', '-r', '-z', '--no-renames', EMPTY_TREE, commit, '--', ...suffixes.map((s) => `:(icase)*${s}`)]);
    } catch {
      return undefined;
    }
    const entries = parseDiffTree(out).flatMap((c) => (c.entry ? [c.entry] : []));
    // The pathspec's `*` also matches a leading part of a directory name: the rule decides.
    return listed(entries, { endingWith: suffixes });
  }

  /** A spawn from a process holding a 100,000-entity catalog costs tens of milliseconds of fork: each diff is asked once. */
  private readonly diffs = new DiffMemo();

  diffFiles(base: string, head: string): Promise<FileChange[]> {
    return this.diffs.get(base, head, async () => parseDiffTree(await runGit(this.dir, ['diff-tree', '-r', '-z', '--no-renames', base, head])));
  }

  async commitsBetween(base: string | undefined, head: string): Promise<CommitInfo[]> {
    const range = base === undefined ? [head] : [head, `^${base}`];
    const out = await runGit(this.dir, ['log', '-z', '--topo-order', '--reverse', '--format=%H%x00%s%x00%an <%ae>%x00%ct', ...range, '--']);
    const fields = out.toString('utf8').split('\0');
    const commits: CommitInfo[] = [];
    for (let i = 0; i + 3 < fields.length; i += 4)
      commits.push({ oid: fields[i].replace(/^\n/, ''), subject: fields[i + 1], author: fields[i + 2], committedAt: isoSeconds(Number(fields[i + 3])) });
    return commits;
  }

  readBlobSync(oid: string): Buffer | undefined {
    try {
      return execFileSync('git', ['cat-file', 'blob', oid], { cwd: this.dir, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 30 });
    } catch {
      return undefined;
    }
  }

  /** Parser threads read this repository's blobs themselves, each with a `git cat-file` of its own (CatFileSession). */
  threadBlobSource(): { dir: string } {
    return { dir: this.dir };
  }

  async readBlobs(oids: readonly string[], onBlob: (oid: string, content: Buffer) => void): Promise<void> {
    const session = new CatFileSession(this.dir);
    try {
      await session.read(oids, onBlob);
    } finally {
      session.close();
    }
  }

  async close(): Promise<void> {}
}

/**
 * One `git cat-file --batch` kept open for several reads (`readBlobs` uses
 * one per call; a parser thread one for all its batches: one process, not one
 * per batch). Reads are answered in the order they were asked; a failure
 * (git missing, an object missing, `onBlob` throwing, git exiting) fails every
 * read not yet answered, and the next read starts a new process.
 */
export class CatFileSession {
  private child: ChildProcess | undefined;
  private readonly waiting: Array<{ asked: number; returned: number; onBlob: (oid: string, content: Buffer) => void; resolve: () => void; reject: (error: Error) => void }> = [];

  constructor(private readonly dir: string) {}

  /** Calls `onBlob` with each blob of `oids`, in that order (a view only valid during the call); resolves after the last. */
  read(oids: readonly string[], onBlob: (oid: string, content: Buffer) => void): Promise<void> {
    if (oids.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiting.push({ asked: oids.length, returned: 0, onBlob, resolve, reject });
      this.process().stdin!.write(`${oids.join('\n')}\n`);
    });
  }

  /** Ends git (it exits when its input ends). */
  close(): void {
    this.child?.stdin?.end();
    this.child = undefined;
  }

  private process(): ChildProcess {
    if (this.child) return this.child;
    const child = spawn('git', ['cat-file', '--batch'], { cwd: this.dir, stdio: ['pipe', 'pipe', 'ignore'] });
    this.child = child;
    const parser = new BatchParser((oid, content) => {
      const read = this.waiting[0];
      read.onBlob(oid, content);
      if (++read.returned === read.asked) {
        this.waiting.shift();
        read.resolve();
      }
    });
    const fail = (error: Error) => {
      if (this.child === child) this.child = undefined;
      child.kill();
      for (const read of this.waiting.splice(0)) read.reject(error);
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      try {
        parser.push(chunk);
      } catch (e) {
        fail(e as Error);
      }
    });
    child.on('error', (cause) => fail(new CmdbError(`cannot run git: ${cause.message}`, { code: 'git', cause })));
    child.on('close', () => {
      const asked = this.waiting.reduce((n, r) => n + r.asked, 0);
      const returned = this.waiting.reduce((n, r) => n + r.returned, 0);
      fail(new CmdbError(`git cat-file returned ${returned} of ${asked} blobs`, { code: 'git' }));
    });
    child.stdin!.on('error', () => undefined);
    return child;
  }
}

/**
 * Incremental parser of `git cat-file --batch` output: `<oid> <type> <size>\n<content>\n`.
 * `onBlob` receives a view that is only valid during the call.
 */
class BatchParser {
  private chunks: Buffer[] = [];
  private length = 0;
  /** Bytes needed before parsing is worth retrying. */
  private need = 0;

  constructor(private readonly onBlob: (oid: string, content: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    if (this.length < this.need) return;
    const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length);
    const pos = this.parse(buf);
    const rest = buf.subarray(pos);
    this.chunks = rest.length ? [rest] : [];
    this.length = rest.length;
  }

  /** Emits every complete object in buf; returns the offset of the first incomplete one. */
  private parse(buf: Buffer): number {
    let pos = 0;
    this.need = 0;
    for (;;) {
      const nl = buf.indexOf(10, pos);
      if (nl < 0) return pos;
      const header = buf.toString('latin1', pos, nl);
      if (header.endsWith(' missing')) throw new CmdbError(`git object ${header.split(' ')[0]} is missing`, { code: 'git' });
      const size = Number(header.slice(header.lastIndexOf(' ') + 1));
      const end = nl + 1 + size;
      if (buf.length < end + 1) {
        this.need = end + 1 - pos;
        return pos;
      }
      this.onBlob(header.slice(0, header.indexOf(' ')), buf.subarray(nl + 1, end));
      pos = end + 1;
    }
  }
}
