import { parentPort } from 'node:worker_threads';
import { encodeForTransfer } from './cache/cacheLine.ts';
import { parseBlob, type BlobResult, type ParseLimits } from './parseBlob.ts';

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
 * The results of a batch, with the documents' texts left out, and the same as
 * parse-cache lines (one per blob, in order), which carry the texts: encoded
 * here, so that the main thread neither copies the texts twice nor re-encodes
 * anything to write the cache (`encodeForTransfer` / `withTexts`).
 */
export interface ParseResponse {
  id: number;
  results: BlobResult[];
  lines: string;
}

parentPort?.on('message', (req: ParseRequest) => {
  const data = Buffer.from(req.data);
  const results: BlobResult[] = [];
  const lines: string[] = [];
  for (let i = 0; i < req.paths.length; i++) {
    const content = data.subarray(i === 0 ? 0 : req.ends[i - 1], req.ends[i]);
    const result = parseBlob({ path: req.paths[i], oid: req.oids[i], mode: req.modes[i], content }, req.limits);
    results.push(result);
    lines.push(encodeForTransfer(req.oids[i], result));
  }
  const response: ParseResponse = { id: req.id, results, lines: lines.join('') };
  parentPort!.postMessage(response);
});
