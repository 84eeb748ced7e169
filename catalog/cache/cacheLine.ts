import type { BlobResult } from '../parseBlob.ts';

/*
 * A parse cache line: `oid TAB result-without-texts TAB text TAB text...`
 * (one text per document; JSON text has no raw tab or newline, so texts are
 * sliced, not parsed, on load). Shared by the disk cache, the parser threads
 * (which encode the lines) and whoever builds entities from results.
 */

/**
 * On a result whose documents' texts are still only in its cache line: the
 * line. A symbol property, not a WeakMap: setting one on 100,000 results costs
 * 5 ms where two WeakMaps cost 70-115 ms (measured), and WeakMap entries are extra work for the GC.
 * Deleted once the texts are back, so the result is a plain value again.
 */
const LINE = Symbol('cmdb.cacheLine');
type WithLine = { [LINE]?: string };

/**
 * A result whose documents' texts are empty, tied to its cache `line` (without
 * its newline): the texts stay in the line until `ensureTexts` is called, so a
 * full read slices none of the 100,000 texts it never looks at, and encoding
 * the result again costs nothing.
 */
function keepTextsInLine(result: BlobResult, line: string): BlobResult {
  (result as WithLine)[LINE] = line;
  return result;
}

/** The result with its documents' texts in place (sliced out of its line when `keepTextsInLine` left them there). */
export function ensureTexts<R extends { documents: readonly { text: string }[] }>(result: R): R {
  const line = (result as WithLine)[LINE];
  if (line !== undefined) {
    delete (result as WithLine)[LINE];
    withTexts(result as unknown as BlobResult, line);
  }
  return result;
}

/** A result whose documents' texts are empty, with its texts sliced back out of `line` (without its newline). */
function withTexts(result: BlobResult, line: string): BlobResult {
  let stop = line.length;
  for (let k = result.documents.length - 1; k >= 0; k--) {
    const tab = line.lastIndexOf('\t', stop - 1);
    result.documents[k].text = line.slice(tab + 1, stop);
    stop = tab;
  }
  return result;
}

/*
 * What a line leaves out of a result's JSON, because the line has it already:
 * the blob oid (the line starts with it) and, in each relation, the end that
 * is the document itself (its ref is the record's). Each is written as 0 and
 * put back on decode: the records' JSON of 100,000 files is then ~20% shorter
 * (the lines 11%), and the relations of a record share its ref string instead
 * of a new one each (measured: BENCHMARKS.md, "cmdb check").
 */
const ELIDED = 0;

/** Replaces what the line makes redundant by ELIDED, calls `encode`, and puts it back (the result is the caller's). */
function withElisions<T>(result: BlobResult, encode: () => T): T {
  const blob = result.blob;
  for (const d of result.documents) {
    for (const tuple of d.relations as unknown[][]) {
      if (tuple[1] === d.ref) tuple[1] = ELIDED;
      else if (tuple[2] === d.ref) tuple[2] = ELIDED;
    }
  }
  (result as { blob: unknown }).blob = ELIDED;
  try {
    return encode();
  } finally {
    result.blob = blob;
    restoreSelf(result);
  }
}

/** Puts each record's ref back where its relations have ELIDED. */
function restoreSelf(result: BlobResult): void {
  for (const d of result.documents) {
    for (const tuple of d.relations) {
      if ((tuple[1] as unknown) === ELIDED) tuple[1] = d.ref;
      else if ((tuple[2] as unknown) === ELIDED) tuple[2] = d.ref;
    }
  }
}

/** One cache line for a blob's result (without its newline). */
export function encodeLine(oid: string, result: BlobResult): string {
  const known = (result as WithLine)[LINE];
  if (known !== undefined && known.startsWith(oid) && known.charCodeAt(oid.length) === 9) return known;
  // The texts leave the JSON by being undefined for the call (JSON.stringify omits them):
  // half the cost of copying every document without its text.
  const texts = result.documents.map((d) => d.text);
  const documents = result.documents as Array<{ text?: string }>;
  for (const d of documents) d.text = undefined;
  let json: string;
  try {
    json = withElisions(result, () => JSON.stringify(result));
  } finally {
    texts.forEach((text, i) => (documents[i].text = text));
  }
  return [oid, json, ...texts].join('\t');
}

/**
 * The result a cache line (without its newline) holds, its texts left in the
 * line (`ensureTexts` slices them out when an entity is built). Throws on a
 * line that is not one (the caller made it).
 */
export function decodeRecord(line: string): BlobResult {
  const first = line.indexOf('\t');
  const second = line.indexOf('\t', first + 1);
  const result = JSON.parse(line.slice(first + 1, second < 0 ? line.length : second)) as BlobResult;
  result.blob = line.slice(0, first);
  for (const d of result.documents) d.text = '';
  restoreSelf(result);
  return keepTextsInLine(result, line);
}

/**
 * `decodeRecord` for a line read from storage: undefined unless it is the
 * line of `oid` with one text per document (a torn or foreign line is a miss).
 */
export function decodeStoredRecord(oid: string, line: string): BlobResult | undefined {
  if (!line.startsWith(oid) || line.charCodeAt(oid.length) !== 9) return undefined;
  let tabs = 0;
  for (let at = line.indexOf('\t'); at >= 0; at = line.indexOf('\t', at + 1)) tabs++;
  try {
    const result = decodeRecord(line);
    return result.documents.length === tabs - 1 ? result : undefined;
  } catch {
    return undefined;
  }
}
