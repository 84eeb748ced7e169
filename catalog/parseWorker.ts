import { parentPort } from 'node:worker_threads';
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

parentPort?.on('message', (req: ParseRequest) => {
  const data = Buffer.from(req.data);
  const results = req.paths.map((path, i) => {
    const content = data.subarray(i === 0 ? 0 : req.ends[i - 1], req.ends[i]);
    return parseBlob({ path, oid: req.oids[i], mode: req.modes[i], content }, req.limits);
  });
  parentPort!.postMessage({ id: req.id, results });
});
