import { parentPort } from 'node:worker_threads';
import { encodeLine } from './cache/cacheLine.ts';
import { parseBlob, type ParseLimits } from './parseBlob.ts';
import { CmdbError, type CmdbErrorCode } from '../core/errors.ts';
import { CatFileSession } from './git/NativeGitReader.ts';

/**
 * A batch of blobs: packed into one transferable buffer, or (`dir`) to be
 * read by the thread itself from the repository there with native git.
 */
export type ParseRequest = {
  id: number;
  paths: string[];
  oids: string[];
  modes: string[];
  limits: ParseLimits;
} & (
  | {
      /** End offset of each blob's content in `data`. */
      ends: number[];
      data: ArrayBuffer;
    }
  | { dir: string }
);

/**
 * The results of a batch as parse-cache lines (one per blob, in order,
 * joined by newlines): one string is all that crosses threads. The main
 * thread writes the lines to the cache as they are and decodes each result
 * from its line (`decodeRecord`: one JSON.parse of the record, the documents'
 * texts left in the line), which costs less than cloning the result objects
 * and encoding them again. One string, not an array of lines: the main thread
 * keeps every line, and slices of one string are not copied by its garbage
 * collector as 100,000 strings of their own are (measured, BENCHMARKS.md).
 */
export type ParseResponse = { id: number; lines: string } | { id: number; error: { message: string; code: CmdbErrorCode } };

/** One `git cat-file` per repository this thread reads from (it ends with the thread). */
const sessions = new Map<string, CatFileSession>();

async function contents(req: ParseRequest): Promise<Buffer[]> {
  if ('dir' in req) {
    let session = sessions.get(req.dir);
    if (!session) sessions.set(req.dir, (session = new CatFileSession(req.dir)));
    const blobs: Buffer[] = [];
    await session.read(req.oids, (_, content) => blobs.push(Buffer.from(content))); // a copy: the view ends with the call
    return blobs;
  }
  const data = Buffer.from(req.data);
  return req.ends.map((end, i) => data.subarray(i === 0 ? 0 : req.ends[i - 1], end));
}

parentPort?.on('message', (req: ParseRequest) => {
  contents(req).then(
    (blobs) => {
      const lines: string[] = [];
      for (let i = 0; i < req.paths.length; i++) {
        lines.push(encodeLine(req.oids[i], parseBlob({ path: req.paths[i], oid: req.oids[i], mode: req.modes[i], content: blobs[i] }, req.limits)));
      }
      parentPort!.postMessage({ id: req.id, lines: lines.join('\n') } satisfies ParseResponse);
    },
    (error: unknown) => {
      const code = error instanceof CmdbError ? error.code : 'git';
      parentPort!.postMessage({ id: req.id, error: { message: (error as Error).message, code } } satisfies ParseResponse);
    },
  );
});
