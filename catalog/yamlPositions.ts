import type { Document, LineCounter, Node, Scalar } from 'yaml';
import { yaml } from './yamlLib.ts';

export type Position = [line: number, column: number];

/** A JSON pointer segment (RFC 6901): `~` and `/` escaped. Most keys hold neither, and are returned as they are without two regex replaces. */
export const escapePointer = (segment: string): string =>
  segment.indexOf('~') < 0 && segment.indexOf('/') < 0 ? segment : segment.replace(/~/g, '~0').replace(/\//g, '~1');

const unescapePointer = (segment: string): string => segment.replace(/~1/g, '/').replace(/~0/g, '~');

/** Line and column of an offset. */
export function positionAt(counter: LineCounter, offset: number): Position {
  const { line, col } = counter.linePos(offset);
  return [line, col];
}

/** Where a JSON pointer leads in a document. */
export interface PointerWalk {
  /** The deepest node reached (the named one when `complete`). */
  node: unknown;
  /** The key the node was reached by, when it is a map entry's value. */
  key?: Node;
  /** True when every segment of the pointer resolved. */
  complete: boolean;
  /** Offset where a reader looks for the deepest node reached: its key, else itself. */
  offset: number;
}

/** Follows a JSON pointer through a document as far as it resolves. */
export function walkPointer(doc: Document, pointer: string): PointerWalk {
  let node: unknown = doc.contents;
  let key: Node | undefined;
  let offset: number = (doc.contents as Node | null)?.range?.[0] ?? 0;
  const segments = pointer === '' ? [] : pointer.split('/').slice(1).map(unescapePointer);
  for (const segment of segments) {
    if (yaml().isMap(node)) {
      const pair = node.items.find((p) => yaml().isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) return { node, key, complete: false, offset };
      key = pair.key as Node;
      offset = key.range?.[0] ?? offset;
      node = pair.value;
    } else if (yaml().isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (!item) return { node, key, complete: false, offset };
      key = undefined;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else return { node, key, complete: false, offset };
  }
  return { node, key, complete: true, offset };
}

/**
 * Position of the node a JSON pointer names, or of its nearest existing
 * ancestor. For a map entry, the position of its key (where a reader looks).
 */
export function positionOf(doc: Document, counter: LineCounter, pointer: string): Position {
  return positionAt(counter, walkPointer(doc, pointer).offset);
}

/** Positions of every node of a document, keyed by JSON pointer (for documents validated later). */
export function allPositions(doc: Document, counter: LineCounter): Record<string, Position> {
  const out: Record<string, Position> = {};
  const visit = (node: unknown, pointer: string, start: number | undefined) => {
    if (start !== undefined) out[pointer] = positionAt(counter, start);
    if (yaml().isMap(node)) {
      for (const pair of node.items) {
        if (!yaml().isPair(pair) || !yaml().isScalar(pair.key)) continue;
        visit(pair.value, `${pointer}/${escapePointer(String(pair.key.value))}`, (pair.key as Node).range?.[0]);
      }
    } else if (yaml().isSeq(node)) {
      node.items.forEach((item, i) => visit(item, `${pointer}/${i}`, (item as Node | null)?.range?.[0]));
    }
  };
  visit(doc.contents, '', (doc.contents as Node | null)?.range?.[0] ?? 0);
  return out;
}

/**
 * Offset in the file of character `offset` of a scalar's value. Follows the
 * value through quotes, escapes, folding and block indentation by matching
 * characters; gives up (undefined) where the source and the value disagree.
 */
export function scalarOffset(text: string, scalar: Scalar, offset: number): number | undefined {
  const value = String(scalar.value);
  let i = scalar.range![0];
  if (scalar.type === yaml().Scalar.BLOCK_LITERAL || scalar.type === yaml().Scalar.BLOCK_FOLDED) i = text.indexOf('\n', i) + 1;
  else if (scalar.type === yaml().Scalar.QUOTE_DOUBLE || scalar.type === yaml().Scalar.QUOTE_SINGLE) i++;
  const end = scalar.range![1];
  for (let k = 0; k < offset && k < value.length; k++) {
    const want = value[k];
    while (i < end && text[i] !== want) {
      if (!/[\s\\'"]/.test(text[i])) return undefined;
      i++;
    }
    if (i >= end) return undefined;
    i++;
  }
  while (i < end && /[\s]/.test(text[i]) && offset < value.length && text[i] !== value[offset]) i++;
  return i;
}
