import { performance } from 'node:perf_hooks';
import { CmdbError } from '../core/errors.ts';
import { git, gitExit, spawnGit } from './git.ts';

/** One file of a commit's tree. */
export interface TreeFile {
  path: string;
  oid: string;
}

/** Receives each blob's full content once; called in request order. */
export type BlobHandler = (oid: string, content: Buffer) => void;

export interface NativeReadResult {
  /** Files (blob paths) in the commit. */
  files: number;
  /** Bytes of blob content read through `cat-file --batch` (each distinct blob once). */
  bytes: number;
  /** Wall time of ls-tree + cat-file, in ms. */
  ms: number;
  /** Of which `ls-tree -r` (ms). */
  listMs: number;
}

export interface NativeDiffResult {
  modified: number;
  added: number;
  removed: number;
  /** Any other status letter (type changes...); renames are off. */
  other: number;
  ms: number;
}

/** Every blob of `commit` (`git ls-tree -r -z`), submodules and symlinks included as listed, trees excluded. */
export async function listFiles(repoDir: string, commit: string): Promise<TreeFile[]> {
  const out = (await git(repoDir, ['ls-tree', '-r', '-z', '--full-tree', commit])).toString('utf8');
  const files: TreeFile[] = [];
  // Entries are "<mode> SP <type> SP <oid> TAB <path> NUL"; only blobs are kept.
  for (let at = 0; at < out.length; ) {
    const end = out.indexOf('\0', at);
    const tab = out.indexOf('\t', at);
    const typeAt = out.indexOf(' ', at) + 1;
    if (out.startsWith('blob ', typeAt)) files.push({ path: out.slice(tab + 1, end), oid: out.slice(typeAt + 5, tab) });
    at = end + 1;
  }
  return files;
}

/**
 * Incremental parser of `git cat-file --batch` output: `<oid> SP <type> SP <size> LF <content> LF`
 * per object, or `<oid> SP missing LF`. Counts objects and content bytes; when `onBlob` is
 * given, hands it each complete content (a view, copied only when it spanned chunks).
 */
export class BatchOutputParser {
  objects = 0;
  bytes = 0;
  readonly missing: string[] = [];
  private header: Buffer = Buffer.alloc(0);
  private oid = '';
  private size = 0;
  /** Content bytes + trailing LF still expected for the current object; 0 = reading a header. */
  private remaining = 0;
  private parts: Buffer[] = [];

  constructor(private readonly onBlob?: BlobHandler) {}

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) at = this.remaining > 0 ? this.readBody(chunk, at) : this.readHeader(chunk, at);
  }

  /** True when no object is half-read. */
  get idle(): boolean {
    return this.remaining === 0 && this.header.length === 0;
  }

  private readHeader(chunk: Buffer, at: number): number {
    const lf = chunk.indexOf(0x0a, at);
    if (lf < 0) {
      this.header = Buffer.concat([this.header, chunk.subarray(at)]);
      return chunk.length;
    }
    let line = chunk.toString('latin1', at, lf);
    if (this.header.length > 0) {
      line = this.header.toString('latin1') + line;
      this.header = Buffer.alloc(0);
    }
    const [oid, type, size] = line.split(' ');
    if (type === 'missing' || type === 'ambiguous') {
      this.missing.push(oid);
      return lf + 1;
    }
    if (size === undefined || !/^\d+$/.test(size)) {
      throw new CmdbError(`unexpected cat-file --batch header "${line}"`, { code: 'git' });
    }
    this.oid = oid;
    this.size = Number(size);
    this.remaining = this.size + 1;
    return lf + 1;
  }

  private readBody(chunk: Buffer, at: number): number {
    const take = Math.min(this.remaining, chunk.length - at);
    if (this.onBlob) this.parts.push(chunk.subarray(at, at + take));
    this.remaining -= take;
    if (this.remaining === 0) this.finishObject();
    return at + take;
  }

  private finishObject(): void {
    this.objects += 1;
    this.bytes += this.size;
    if (!this.onBlob) return;
    const whole = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    this.parts = [];
    this.onBlob(this.oid, whole.subarray(0, this.size));
  }
}

/** Reads `oids` through one `git cat-file --batch --buffer`, streaming; returns objects and content bytes read. */
export async function readBlobs(
  repoDir: string,
  oids: readonly string[],
  onBlob?: BlobHandler,
): Promise<{ objects: number; bytes: number }> {
  const args = ['cat-file', '--batch', '--buffer'];
  const child = spawnGit(repoDir, args);
  const parser = new BatchOutputParser(onBlob);
  let failure: unknown;
  child.stdout.on('data', (chunk: Buffer) => {
    if (failure !== undefined) return;
    try {
      parser.push(chunk);
    } catch (error) {
      failure = error;
      child.kill();
    }
  });
  const exited = gitExit(child, args);
  child.stdin.end(oids.length > 0 ? `${oids.join('\n')}\n` : '');
  await exited.catch((error: unknown) => Promise.reject(failure ?? error));
  if (failure !== undefined) throw failure;
  if (!parser.idle) throw new CmdbError('git cat-file --batch output ended mid-object', { code: 'git' });
  if (parser.missing.length > 0) throw new CmdbError(`objects missing: ${parser.missing.slice(0, 5).join(', ')}`, { code: 'git' });
  return { objects: parser.objects, bytes: parser.bytes };
}

/**
 * The native reference: `git ls-tree -r <commit>` then `git cat-file --batch`
 * reading every distinct blob of the commit once, timed in-process.
 */
export async function nativeReadAll(repoDir: string, commit: string): Promise<NativeReadResult> {
  const start = performance.now();
  const files = await listFiles(repoDir, commit);
  const listMs = performance.now() - start;
  // Each blob is delivered as a whole Buffer, as a real reader would need it.
  const { bytes } = await readBlobs(repoDir, [...new Set(files.map((f) => f.oid))], () => {});
  return { files: files.length, bytes, ms: performance.now() - start, listMs };
}

/** Times `git diff --raw -z --no-renames base head` and counts entries by status. */
export async function nativeDiffRaw(repoDir: string, base: string, head: string): Promise<NativeDiffResult> {
  const start = performance.now();
  const out = await git(repoDir, ['diff', '--raw', '-z', '--no-renames', '--no-ext-diff', base, head]);
  const ms = performance.now() - start;
  const result: NativeDiffResult = { modified: 0, added: 0, removed: 0, other: 0, ms };
  // -z: ":<modes> <oids> <status>\0<path>\0" per entry.
  const fields = out.toString('utf8').split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const status = fields[i].slice(fields[i].lastIndexOf(' ') + 1);
    if (status === 'M') result.modified += 1;
    else if (status === 'A') result.added += 1;
    else if (status === 'D') result.removed += 1;
    else result.other += 1;
  }
  return result;
}
