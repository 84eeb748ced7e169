import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal values give equal text; cycles print as "[Circular]". */
export function stableStringify(value: unknown, path: Set<unknown> = new Set()): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (path.has(value)) return '"[Circular]"';
  path.add(value);
  const text = Array.isArray(value)
    ? `[${value.map((v) => stableStringify(v, path)).join(',')}]`
    : `{${Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k], path)}`)
        .join(',')}}`;
  path.delete(value);
  return text;
}

/** First 16 hex digits of the SHA-256 of `text`. */
export const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);
