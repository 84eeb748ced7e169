import { escapePointer } from './yamlPositions.ts';

/*
 * The JSON pointers of spec fields and their list items (`/spec/owner`,
 * `/spec/dependsOn/3`), made once per field and index: every document of a
 * parse stores and looks up the same few dozen as position keys, and a
 * pointer built afresh each time is a new string to join, flatten and hash
 * for every lookup (measured: ~5% of a parser thread on the benchmark repo).
 */

/** Fields (as written) whose pointers are remembered; others are built each time (a bound against odd input). */
const MAX_FIELDS = 1024;
/** List items per field whose pointers are remembered. */
const MAX_ITEMS = 256;

const fields = new Map<string, { pointer: string; items: string[] }>();

function fieldEntry(key: string): { pointer: string; items: string[] } | undefined {
  let entry = fields.get(key);
  if (entry === undefined && fields.size < MAX_FIELDS) fields.set(key, (entry = { pointer: `/spec/${escapePointer(key)}`, items: [] }));
  return entry;
}

/** `/spec/<key>` (the key escaped as a pointer segment). */
export function specPointer(key: string): string {
  return fieldEntry(key)?.pointer ?? `/spec/${escapePointer(key)}`;
}

/** `/spec/<key>/<index>`. */
export function specItemPointer(key: string, index: number): string {
  const entry = fieldEntry(key);
  if (entry === undefined || index >= MAX_ITEMS) return `${specPointer(key)}/${index}`;
  return (entry.items[index] ??= `${entry.pointer}/${index}`);
}
