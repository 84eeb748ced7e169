import { isMap, isPair, isScalar, isSeq, type LineCounter, type Node, type Document } from 'yaml';

export type Position = [line: number, column: number];

/** Escapes one JSON pointer segment. */
export const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

const unescapePointer = (segment: string): string => segment.replace(/~1/g, '/').replace(/~0/g, '~');

function at(counter: LineCounter, offset: number): Position {
  const { line, col } = counter.linePos(offset);
  return [line, col];
}

/**
 * Position of the node a JSON pointer names, or of its nearest existing
 * ancestor. For a map entry, the position of its key (where a reader looks).
 */
export function positionOf(doc: Document, counter: LineCounter, pointer: string): Position {
  let node: unknown = doc.contents;
  let best: number = (doc.contents as Node | null)?.range?.[0] ?? 0;
  const segments = pointer === '' ? [] : pointer.split('/').slice(1).map(unescapePointer);
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) break;
      best = (pair.key as Node).range?.[0] ?? best;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (!item) break;
      best = item.range?.[0] ?? best;
      node = item;
    } else break;
  }
  return at(counter, best);
}

/** Positions of every node of a document, keyed by JSON pointer (for documents validated later). */
export function allPositions(doc: Document, counter: LineCounter): Record<string, Position> {
  const out: Record<string, Position> = {};
  const visit = (node: unknown, pointer: string, start: number | undefined) => {
    if (start !== undefined) out[pointer] = at(counter, start);
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        visit(pair.value, `${pointer}/${escapePointer(String(pair.key.value))}`, (pair.key as Node).range?.[0]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, `${pointer}/${i}`, (item as Node | null)?.range?.[0]));
    }
  };
  visit(doc.contents, '', (doc.contents as Node | null)?.range?.[0] ?? 0);
  return out;
}
