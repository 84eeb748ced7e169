import { describe, expect, it } from 'vitest';
import { isMap, LineCounter, parseDocument, type Scalar } from 'yaml';
import { scalarOffset } from '../../policies/positions.ts';

/** Line and column, in `text`, of character `offset` of the value of top-level key `key`. */
function locate(text: string, key: string, offset: number): [number, number] | undefined {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  const pair = isMap(doc.contents) ? doc.contents.items.find((p) => String((p.key as Scalar).value) === key) : undefined;
  const at = scalarOffset(text, pair!.value as Scalar, offset);
  if (at === undefined) return undefined;
  const { line, col } = counter.linePos(at);
  return [line, col];
}

describe('positions inside CEL strings', () => {
  it.each([
    // case, YAML, value offset, [line, column]
    ['plain', 'x: a && foo\n', 5, [1, 9]],
    ['double-quoted', 'x: "a && foo"\n', 5, [1, 10]],
    ['single-quoted with an escaped quote', "x: 'a == ''b'' && foo'\n", 12, [1, 19]],
    ['double-quoted with an escape', 'x: "a == \\"b\\" && foo"\n', 12, [1, 19]],
    ['folded over lines', 'x: >-\n  a &&\n  foo\n', 5, [3, 3]],
    ['literal with a comment on the header', 'x: | # note\n  a\n  && foo\n', 5, [3, 6]],
    ['plain over lines', 'x: a &&\n  foo\n', 5, [2, 3]],
    ['at the end of the value', 'x: "a &&"\n', 4, [1, 9]],
  ] as const)('%s', (_name, text, offset, expected) => {
    expect(locate(text, 'x', offset)).toEqual(expected);
  });
});
