import type { Json } from '../types.ts';

/**
 * `ignore` pointers: RFC 6901 JSON pointers into the expected object
 * (`/spec/replicas`, `/metadata/annotations/example.com~1owner`; `~1` is `/`,
 * `~0` is `~`), applied to the expected side before comparison: what they
 * name is never compared. Inside a list a segment is, besides an index,
 * `field=value` (every item whose `field` is `value`, e.g.
 * `/spec/template/spec/containers/name=server/image`) or `*` (every item; in
 * an object, every key). A segment is only read as a selector where the
 * expected value is a list, so an object key containing `=` still works.
 */
export type PointerParse = { ok: true; segments: string[] } | { ok: false; message: string };

export function parsePointer(pointer: string): PointerParse {
  if (pointer === '') return { ok: false, message: 'an empty pointer would ignore the whole object' };
  if (!pointer.startsWith('/')) return { ok: false, message: `"${pointer}" must start with "/" (an RFC 6901 JSON pointer, e.g. /spec/replicas)` };
  const raw = pointer.slice(1).split('/');
  const bad = raw.find((s) => /~[^01]|~$/.test(s));
  if (bad !== undefined) return { ok: false, message: `"${pointer}" has "~" not followed by 0 or 1 (write ~0 for "~", ~1 for "/")` };
  return { ok: true, segments: raw.map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')) };
}

const isObject = (v: Json | undefined): v is { [key: string]: Json } => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Which items of a list a segment selects. */
function selects(segment: string, item: Json, index: number): boolean {
  if (segment === '*') return true;
  if (/^\d+$/.test(segment)) return Number(segment) === index;
  const eq = segment.indexOf('=');
  if (eq <= 0 || !isObject(item)) return false;
  const value = item[segment.slice(0, eq)];
  return value !== undefined && value !== null && typeof value !== 'object' && String(value) === segment.slice(eq + 1);
}

/** The value with what the segments name removed (a new value; the input is not changed). */
export function removeAt(value: Json, segments: readonly string[]): Json {
  if (segments.length === 0) return value;
  const [head, ...rest] = segments;
  if (Array.isArray(value)) {
    const out: Json[] = [];
    value.forEach((item, i) => {
      if (!selects(head, item, i)) out.push(item);
      else if (rest.length > 0) out.push(removeAt(item, rest));
    });
    return out;
  }
  if (!isObject(value)) return value;
  const out: { [key: string]: Json } = {};
  for (const [key, child] of Object.entries(value)) {
    const hit = head === '*' || key === head;
    if (!hit) out[key] = child;
    else if (rest.length > 0) out[key] = removeAt(child, rest);
  }
  return out;
}

/** Applies every pointer that parses (bindings are validated where they are built). */
export function removePointers(value: Json, pointers: readonly string[]): Json {
  let out = value;
  for (const pointer of pointers) {
    const parsed = parsePointer(pointer);
    if (parsed.ok) out = removeAt(out, parsed.segments);
  }
  return out;
}
