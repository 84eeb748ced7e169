import fs from 'node:fs/promises';
import path from 'node:path';

/** The parsed lines of a JSON Lines file and the byte length of its intact prefix (a torn last line is not counted). */
export interface JsonLines<T> {
  records: T[];
  /** Bytes up to and including the last complete, parseable line. */
  intactBytes: number;
  /** Size of the file; larger than intactBytes when its end is torn. */
  size: number;
}

/** Reads a JSON Lines file; a missing file is empty. Stops at the first line that is incomplete or not JSON (a write cut short by a crash). */
export async function readJsonLines<T>(file: string): Promise<JsonLines<T>> {
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], intactBytes: 0, size: 0 };
    throw e;
  }
  return parseJsonLines<T>(data);
}

/**
 * Where a file was read up to: its identity (device, inode and the start of
 * its first line: a file replaced by another may get the inode just freed)
 * and a byte offset at the start of a line.
 */
export interface ReadPosition {
  dev: number;
  ino: number;
  head: string;
  offset: number;
}

/** How much of a file's first line names it in a ReadPosition. */
const HEAD_BYTES = 128;

/**
 * The lines of a JSON Lines file after `from` (the position a previous read
 * ended at), and the position this read ends at: the end of its last intact
 * line. From the start when `from` is another file (replaced, rotated,
 * compacted: another inode or another first line), lies past the end
 * (truncated), or no longer follows a line's end (rewritten in place). A
 * missing file is empty.
 */
export async function readJsonLinesAfter<T>(file: string, from: ReadPosition | undefined): Promise<{ records: T[]; position: ReadPosition | undefined }> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], position: undefined };
    throw e;
  }
  try {
    const { dev, ino, size } = await handle.stat();
    const first = Buffer.alloc(Math.min(size, HEAD_BYTES));
    const { bytesRead: headBytes } = await handle.read(first, 0, first.length, 0);
    const newline = first.subarray(0, headBytes).indexOf(0x0a);
    const head = first.toString('latin1', 0, newline < 0 ? headBytes : newline);
    // (A position at offset 0 was taken before the first line was complete: its head names nothing yet.)
    let offset = from && from.dev === dev && from.ino === ino && (from.offset === 0 || from.head === head) && from.offset <= size ? from.offset : 0;
    // A line ended just before `offset`, or the file was rewritten in place (truncated and grown past it): from the start.
    if (offset > 0) {
      const before = Buffer.alloc(1);
      const { bytesRead } = await handle.read(before, 0, 1, offset - 1);
      if (bytesRead !== 1 || before[0] !== 0x0a) offset = 0;
    }
    const data = Buffer.allocUnsafe(size - offset);
    let read = 0;
    while (read < data.length) {
      const { bytesRead } = await handle.read(data, read, data.length - read, offset + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    const { records, intactBytes } = parseJsonLines<T>(data.subarray(0, read));
    return { records, position: { dev, ino, head, offset: offset + intactBytes } };
  } finally {
    await handle.close();
  }
}

function parseJsonLines<T>(data: Buffer): JsonLines<T> {
  const records: T[] = [];
  let start = 0;
  while (start < data.length) {
    const end = data.indexOf(0x0a, start);
    if (end < 0) break;
    try {
      records.push(JSON.parse(data.toString('utf8', start, end)) as T);
    } catch {
      break;
    }
    start = end + 1;
  }
  return { records, intactBytes: start, size: data.length };
}

/** Flushes a directory entry (after a create or rename), where the platform allows it. */
export async function syncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    /* not supported on every platform; the data itself is flushed */
  } finally {
    await handle?.close();
  }
}

/** The temp file writeFileAtomic writes before renaming it over `file`. */
const atomicTemp = (file: string, pid: number | string = process.pid): string => `${file}.${pid}.tmp`;

/** Replaces `file` atomically with `text`: a temp file, flushed, renamed over it. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = atomicTemp(file);
  try {
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (error) {
    // A full disk, say: the file is as it was, and its would-be replacement takes no space.
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDir(path.dirname(file));
}

/** Removes what a writeFileAtomic of `file` cut short by a crash left (its temp files, of any process); `file` itself is whole. */
export async function removeAtomicTemps(file: string): Promise<void> {
  const [prefix, suffix] = atomicTemp(path.basename(file), '\0').split('\0');
  for (const name of await fs.readdir(path.dirname(file))) {
    if (name.startsWith(prefix) && name.endsWith(suffix)) await fs.rm(path.join(path.dirname(file), name), { force: true }).catch(() => undefined);
  }
}

/**
 * An append-only JSON Lines file: each `append` is written and fsynced before
 * it resolves; appends that arrive while a write is in flight are written and
 * fsynced together (group commit). A torn end left by a crash is cut off on open.
 */
export class AppendLog {
  private handle?: fs.FileHandle;
  private queue: Array<{ text: string; done: (e?: unknown) => void }> = [];
  private flushing?: Promise<void>;
  private writing?: Promise<void>;
  /** Set while `exclusive` runs: appends wait. */
  private gate?: Promise<void>;
  /** The handle was closed to reopen the file, and opening it again failed: the next write opens it. */
  private lost = false;
  /** Set by close(): nothing is written (or reopened) after it. */
  private closed = false;

  constructor(private readonly options: { file: string }) {}

  get file(): string {
    return this.options.file;
  }

  /** Opens for appending after cutting off a torn end at `intactBytes` (from readJsonLines). */
  async open(intactBytes: number, size: number): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    if (size > intactBytes) await fs.truncate(this.file, intactBytes);
    this.handle = await fs.open(this.file, 'a');
    this.closed = false;
  }

  /** Resolves once the records are written and flushed to disk. */
  append(records: readonly unknown[]): Promise<void> {
    const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    return new Promise((resolve, reject) => {
      this.queue.push({ text, done: (e) => (e ? reject(e) : resolve()) });
      this.flushing ??= this.flush();
    });
  }

  /** Runs `fn` with no append being written meanwhile (compaction); appends made meanwhile wait. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.gate) await this.gate;
    let release!: () => void;
    this.gate = new Promise((resolve) => (release = resolve));
    try {
      if (this.writing) await this.writing;
      return await fn();
    } finally {
      this.gate = undefined;
      release();
    }
  }

  /** Reopens after the file was replaced (compaction); when that fails, the next write tries again. */
  async reopen(): Promise<void> {
    if (this.closed) return;
    const old = this.handle;
    this.handle = undefined;
    this.lost = true;
    await old?.close().catch(() => undefined);
    this.handle = await fs.open(this.file, 'a');
    this.lost = false;
  }

  async close(): Promise<void> {
    while (this.flushing || this.gate) await (this.flushing ?? this.gate);
    this.closed = true;
    this.lost = false;
    await this.handle?.close();
    this.handle = undefined;
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      if (this.gate) {
        await this.gate;
        continue;
      }
      const batch = this.queue;
      this.queue = [];
      this.writing = this.write(batch);
      await this.writing;
      this.writing = undefined;
    }
    this.flushing = undefined;
  }

  private async write(batch: Array<{ text: string; done: (e?: unknown) => void }>): Promise<void> {
    try {
      if (!this.handle && this.lost && !this.closed) {
        this.handle = await fs.open(this.file, 'a');
        this.lost = false;
      }
      if (!this.handle) throw new Error(`${this.file} is not open`);
      // FileHandle.write may write part of the buffer (a full disk): write the rest, so no
      // later append lands after a torn line.
      const data = Buffer.from(batch.map((b) => b.text).join(''), 'utf8');
      for (let offset = 0; offset < data.length; ) {
        const { bytesWritten } = await this.handle.write(data, offset, data.length - offset);
        if (bytesWritten === 0) throw new Error(`${this.file}: nothing could be written`);
        offset += bytesWritten;
      }
      await this.handle.datasync();
      for (const b of batch) b.done();
    } catch (e) {
      for (const b of batch) b.done(e);
    }
  }
}
