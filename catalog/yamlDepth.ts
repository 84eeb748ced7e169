import type { CST } from 'yaml';
import { yaml } from './yamlLib.ts';
import type { Position } from './yamlPositions.ts';

/**
 * Most collections a YAML document may nest (a map in a list in a map... counts
 * one per level). Entities are shallow; the limit keeps the recursive steps
 * after parsing (composing, converting, validating) far from the JavaScript
 * stack's end, so a hostile or broken file is one violation, never a crash.
 */
export const MAX_YAML_DEPTH = 100;

type Item = { key?: CST.Token | null; value?: CST.Token | null };
const COLLECTIONS = new Set(['block-map', 'block-seq', 'flow-collection']);

/**
 * Offset of the first collection nested deeper than `limit` in a parsed
 * (not yet composed) YAML stream, or undefined. Walks the CST with an explicit
 * stack: the CST parser does not recurse, so any depth can be measured.
 */
export function tooDeepAt(tokens: readonly CST.Token[], limit: number = MAX_YAML_DEPTH): number | undefined {
  const stack: Array<[CST.Token, number]> = [];
  for (let i = tokens.length - 1; i >= 0; i--) stack.push([tokens[i], 0]);
  while (stack.length > 0) {
    const [token, depth] = stack.pop()!;
    if (token.type === 'document') {
      if (token.value) stack.push([token.value, depth]);
      continue;
    }
    if (!COLLECTIONS.has(token.type)) continue;
    if (depth + 1 > limit) return token.offset;
    const items = (token as { items: Item[] }).items;
    for (let k = items.length - 1; k >= 0; k--) {
      const { key, value } = items[k];
      if (value) stack.push([value, depth + 1]);
      if (key) stack.push([key, depth + 1]);
    }
  }
  return undefined;
}

/** The message of a document nested deeper than MAX_YAML_DEPTH. */
export const TOO_DEEP_MESSAGE = `nests YAML collections more than ${MAX_YAML_DEPTH} levels deep (the limit); flatten the structure`;

/** Line and column of the first collection of `text` nested deeper than MAX_YAML_DEPTH, or undefined (for a text not parsed otherwise). */
export function tooDeepIn(text: string): Position | undefined {
  const counter = new (yaml().LineCounter)();
  const offset = tooDeepAt(Array.from(new (yaml().Parser)(counter.addNewLine).parse(text)));
  if (offset === undefined) return undefined;
  const { line, col } = counter.linePos(offset);
  return [line, col];
}
