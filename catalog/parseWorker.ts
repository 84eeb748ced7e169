import { parentPort } from 'node:worker_threads';
import { encodeLine } from './cache/cacheLine.ts';
import { parseBlob, type ParseLimits } from './parseBlob.ts';

/** A batch of blobs packed into one transferable buffer. */
export interface ParseRequest {
  id: number;
  paths: string[];
  oids: string[];
  modes: string[];
  /** End offset of each blob's content in `data`. */
  ends: number[];
  data: ArrayBuffer;
  limits: ParseLimits;
}

/**
 * The results of a batch as parse-cache lines (one per blob, in order): one
 * string is all that crosses threads. The main thread writes it to the cache
 * as it is and decodes each result from its line (`decodeRecord`: one
 * JSON.parse of the record, the documents' texts left in the line), which
 * costs less than cloning the result objects and encoding them again.
 */
export interface ParseResponse {
  id: number;
  lines: string;
}

parentPort?.on('message', (req: ParseRequest) => {
  const data = Buffer.from(req.data);
  const lines: string[] = [];
  for (let i = 0; i < req.paths.length; i++) {
    const content = data.subarray(i === 0 ? 0 : req.ends[i - 1], req.ends[i]);
    lines.push(encodeLine(req.oids[i], parseBlob({ path: req.paths[i], oid: req.oids[i], mode: req.modes[i], content }, req.limits)));
  }
  const response: ParseResponse = { id: req.id, lines: lines.join('') };
  parentPort!.postMessage(response);
});
