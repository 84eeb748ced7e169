import type { BlobResult } from '../parseBlob.ts';

/*
 * A parse cache line: `oid TAB result-without-texts TAB text TAB text...`
 * (one text per document; JSON text has no raw tab or newline, so texts are
 * sliced, not parsed, on load). Shared by the disk cache, the parser threads
 * (which encode the lines) and whoever builds entities from results.
 */

export type Bucket = Map<string, BlobResult>;

/** The line each result was decoded from (or encoded to), so writing it back costs no re-encoding (results are never mutated). */
const decodedFrom = new WeakMap<BlobResult, string>();

/**
 * For sending a result to another thread: its cache line (newline included),
 * and the result with the documents' texts emptied in place, since the line
 * carries them (`withTexts` puts them back). Saves copying every text twice.
 */
export function encodeForTransfer(oid: string, result: BlobResult): string {
  const line = encodeLine(oid, result);
  for (const d of result.documents) d.text = '';
  return line;
}

/** Results whose documents' texts are still only in their cache line (`keepTextsInLine`). */
const textsInLine = new WeakMap<BlobResult, string>();

/**
 * The result `encodeForTransfer` emptied, tied to its cache `line` (without
 * its newline): the texts stay in the line until `ensureTexts` is called, so a
 * full read slices none of the 100,000 texts it never looks at, and writing
 * the result to the cache costs no re-encoding.
 */
export function keepTextsInLine(result: BlobResult, line: string): BlobResult {
  decodedFrom.set(result, line);
  textsInLine.set(result, line);
  return result;
}

/** The result with its documents' texts in place (sliced out of its line when `keepTextsInLine` left them there). */
export function ensureTexts<R extends { documents: readonly { text: string }[] }>(result: R): R {
  const line = textsInLine.get(result as unknown as BlobResult);
  if (line !== undefined) {
    textsInLine.delete(result as unknown as BlobResult);
    withTexts(result as unknown as BlobResult, line);
  }
  return result;
}

/**
 * The result `encodeForTransfer` emptied, with its texts sliced back out of
 * `line` (without its newline); the line is remembered, so writing the result
 * to the cache costs no re-encoding.
 */
export function withTexts(result: BlobResult, line: string): BlobResult {
  let stop = line.length;
  for (let k = result.documents.length - 1; k >= 0; k--) {
    const tab = line.lastIndexOf('\t', stop - 1);
    result.documents[k].text = line.slice(tab + 1, stop);
    stop = tab;
  }
  decodedFrom.set(result, line);
  return result;
}

/** One cache line for a blob's result (newline included). */
export function encodeLine(oid: string, result: BlobResult): string {
  const known = decodedFrom.get(result);
  if (known !== undefined && known.startsWith(oid) && known.charCodeAt(oid.length) === 9) return `${known}\n`;
  // The texts leave the JSON by being undefined for the call (JSON.stringify omits them):
  // half the cost of copying every document without its text.
  const texts = result.documents.map((d) => d.text);
  const documents = result.documents as Array<{ text?: string }>;
  for (const d of documents) d.text = undefined;
  let json: string;
  try {
    json = JSON.stringify(result);
  } finally {
    texts.forEach((text, i) => (documents[i].text = text));
  }
  return [oid, json, ...texts].join('\t') + '\n';
}

/** Adds the result a cache line (without its newline) holds; a malformed line is skipped. */
export function decodeLine(line: string, bucket: Bucket): void {
  const [oid, json, ...texts] = line.split('\t');
  try {
    const result = JSON.parse(json) as BlobResult;
    if (result.documents.length !== texts.length) return;
    result.documents.forEach((d, i) => (d.text = texts[i]));
    decodedFrom.set(result, line);
    bucket.set(oid, result);
  } catch {
    /* skip */
  }
}
