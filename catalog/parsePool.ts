import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { decodeRecord } from './cache/cacheLine.ts';
import { CmdbError } from '../core/errors.ts';
import { parseBlob, type BlobInput, type BlobResult, type ParseLimits } from './parseBlob.ts';
import type { ParseRequest, ParseResponse } from './parseWorker.ts';

/**
 * Parses blobs as they arrive and hands each batch of results to its
 * `OnResults` (results are not kept here: a caller that folds them into what
 * it builds lets them die young); `finish` resolves once all are handed over.
 */
export interface BlobSink {
  add(input: BlobInput): void;
  /**
   * Present on parser threads that read blobs themselves (a sink made with a
   * `threadBlobSource`): a blob to read and parse, given by its tree entry.
   */
  addUnread?(entry: BlobEntry): void;
  finish(): Promise<void>;
}

/** A blob as the tree lists it, its content not read yet. */
export type BlobEntry = Omit<BlobInput, 'content'>;

/** Below this many blobs, parsing in-process beats starting workers. */
export const WORKER_THRESHOLD = 3000;
const BATCH_SIZE = 256;
/** Young generation of a worker: parsing makes much short-lived garbage (32 MB measured faster than 64 MB). */
const YOUNG_GENERATION_MB = 32;

/** Called with each batch of results as it is parsed (to write the parse cache and assemble while parsing goes on). */
export type OnResults = (results: readonly BlobResult[], lines?: readonly string[]) => void;

/** Parses in the calling thread. */
export function inlineSink(limits: ParseLimits, onResults: OnResults): BlobSink {
  const results: BlobResult[] = [];
  return {
    add: (input) => results.push(parseBlob(input, limits)),
    finish: async () => {
      onResults(results.splice(0));
    },
  };
}

/** The worker script: beside this module in the bundle (dist/), else a bootstrap that loads the TypeScript through tsx. */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./parseWorkerEntry.js', import.meta.url) : new URL('./parseWorker.js', import.meta.url);
}

const defaultThreads = () => Math.max(1, Math.min(os.availableParallelism(), 4));
const newWorker = () => new Worker(workerUrl(), { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });

/** Threads started ahead by `startParserThreads`, not yet taken by a sink (unref'd: they never keep the process alive). */
let spare: Worker[] = [];

/**
 * Starts the parser threads the next parse will use, while the caller is
 * still listing what to parse: a thread takes ~80 ms to load its code and
 * warm up, which then overlaps the listing. The next `workerSink` takes them;
 * unused ones are unref'd and cost only their start. No-op when threads are
 * off (`CMDB_PARSE_THREADS=0`) or already started.
 */
export function startParserThreads(): void {
  const threads = parserThreads() ?? defaultThreads();
  if (threads === 0 || spare.length > 0) return;
  spare = Array.from({ length: threads }, () => {
    const worker = newWorker();
    worker.unref();
    return worker;
  });
}

/** Ends the threads `startParserThreads` started when the parse turned out not to need them. */
export function releaseParserThreads(): void {
  for (const worker of spare.splice(0)) void worker.terminate();
}

/** `count` parser threads: the spare ones first, then new ones. */
function takeWorkers(count: number): Worker[] {
  const taken = spare.splice(0, count);
  for (const worker of taken) worker.ref();
  while (taken.length < count) taken.push(newWorker());
  return taken;
}

/**
 * Parses on worker threads (one per core, at most `workers`), in batches.
 * With `source` the threads also read the blobs given to `addUnread`, from
 * the repository there (each with its own `git cat-file`): no blob then
 * passes through this thread (a cold read of 100,000 files measured ~5%
 * faster and ~0.8 s of CPU less, BENCHMARKS.md).
 */
export function workerSink(limits: ParseLimits, workers: number, onResults: OnResults, source?: { dir: string }): BlobSink {
  const pool = takeWorkers(workers);
  const load = pool.map(() => 0);
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  const done: Array<Promise<void>> = [];
  let failure: Error | undefined;
  let nextId = 0;
  let batch: BlobInput[] = [];
  let batchBytes = 0;

  for (const [i, worker] of pool.entries()) {
    worker.on('message', (msg: ParseResponse) => {
      load[i]--;
      const waiting = pending.get(msg.id);
      pending.delete(msg.id);
      if ('error' in msg) {
        waiting?.reject(new CmdbError(msg.error.message, { code: msg.error.code }));
        return;
      }
      // Each result completed from (and tied to) the cache line the thread encoded it to.
      const lines = msg.lines === '' ? [] : msg.lines.split('\n');
      try {
        onResults(lines.map(decodeRecord), lines);
        waiting?.resolve();
      } catch (e) {
        waiting?.reject(e as Error);
      }
    });
    worker.on('error', (e) => {
      failure ??= new CmdbError(`parser worker failed: ${e.message}`, { code: 'internal', cause: e });
      for (const p of pending.values()) p.reject(failure);
      pending.clear();
    });
  }

  /** Posts a request to the least loaded thread. */
  const post = (req: ParseRequest) => {
    const target = load.indexOf(Math.min(...load));
    load[target]++;
    const result = new Promise<void>((resolve, reject) => (failure ? reject(failure) : pending.set(req.id, { resolve, reject })));
    result.catch(() => undefined);
    done.push(result);
    pool[target].postMessage(req, 'data' in req ? [req.data] : []);
  };
  const fields = (entries: readonly BlobEntry[]) => ({
    id: nextId++,
    paths: entries.map((b) => b.path),
    oids: entries.map((b) => b.oid),
    modes: entries.map((b) => b.mode),
    limits,
  });

  const send = () => {
    if (batch.length === 0) return;
    const data = new Uint8Array(batchBytes);
    const ends: number[] = [];
    let offset = 0;
    for (const b of batch) {
      data.set(b.content, offset);
      ends.push((offset += b.content.length));
    }
    post({ ...fields(batch), ends, data: data.buffer });
    batch = [];
    batchBytes = 0;
  };

  let unread: BlobEntry[] = [];
  const sendUnread = () => {
    if (unread.length === 0 || !source) return;
    post({ ...fields(unread), dir: source.dir });
    unread = [];
  };

  return {
    add(input) {
      batch.push(input);
      batchBytes += input.content.length;
      if (batch.length >= BATCH_SIZE) send();
    },
    addUnread: source
      ? (entry) => {
          unread.push(entry);
          if (unread.length >= BATCH_SIZE) sendUnread();
        }
      : undefined,
    async finish() {
      send();
      sendUnread();
      try {
        await Promise.all(done);
      } finally {
        await Promise.all(pool.map((w) => w.terminate()));
      }
    },
  };
}

/** The sink for an expected number of blobs (threads read them themselves from `source` when given). */
export function sinkFor(count: number, limits: ParseLimits, onResults: OnResults, source?: { dir: string }): BlobSink {
  const threads = parserThreads();
  if (count < WORKER_THRESHOLD || threads === 0) {
    releaseParserThreads();
    return inlineSink(limits, onResults);
  }
  return workerSink(limits, threads ?? defaultThreads(), onResults, source);
}

/** `CMDB_PARSE_THREADS`: parser worker threads (0 parses in the calling thread); undefined when unset or not a count. */
function parserThreads(): number | undefined {
  const text = process.env.CMDB_PARSE_THREADS;
  return text !== undefined && /^\d{1,2}$/.test(text) ? Number(text) : undefined;
}
