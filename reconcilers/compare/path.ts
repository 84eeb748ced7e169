/**
 * Field paths of the comparison. A path is a list of segments: an object key,
 * or a list item labelled by its merge key (`name=server`) or its index in the
 * expected list. Printed as `spec.template.spec.containers[name=server].image`.
 */
export type Segment = { key: string } | { item: string };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** The readable form of a path; keys that are not identifiers are quoted (`annotations["a.b/c"]`). */
export function formatPath(path: readonly Segment[]): string {
  let out = '';
  for (const segment of path) {
    if ('item' in segment) out += `[${segment.item}]`;
    else if (IDENTIFIER.test(segment.key)) out += out === '' ? segment.key : `.${segment.key}`;
    else out += `[${JSON.stringify(segment.key)}]`;
  }
  return out;
}

/**
 * A path pattern of the data tables: dot-separated keys, `[]` for any list
 * item, `*` for any one key, `**` for any run of segments (none included).
 * `**.containers[].ports` matches `spec.template.spec.containers[name=a].ports`.
 */
export type PathPattern = string;

type PatternToken = { key: string } | { item: true } | { anyKey: true } | { anything: true };

const compiled = new Map<PathPattern, PatternToken[]>();

function tokens(pattern: PathPattern): PatternToken[] {
  let out = compiled.get(pattern);
  if (out) return out;
  out = [];
  for (const part of pattern.split('.')) {
    const name = part.endsWith('[]') ? part.slice(0, -2) : part;
    if (name === '**') out.push({ anything: true });
    else if (name === '*') out.push({ anyKey: true });
    else if (name !== '') out.push({ key: name });
    for (let rest = part.slice(name.length); rest.startsWith('[]'); rest = rest.slice(2)) out.push({ item: true });
  }
  compiled.set(pattern, out);
  return out;
}

/** True when the whole path matches the pattern. */
export function matchesPattern(pattern: PathPattern, path: readonly Segment[]): boolean {
  return matchFrom(tokens(pattern), 0, path, 0);
}

function matchFrom(pattern: PatternToken[], p: number, path: readonly Segment[], s: number): boolean {
  if (p === pattern.length) return s === path.length;
  const token = pattern[p];
  if ('anything' in token) {
    for (let skip = s; skip <= path.length; skip++) if (matchFrom(pattern, p + 1, path, skip)) return true;
    return false;
  }
  if (s === path.length) return false;
  const segment = path[s];
  const ok = 'item' in token ? 'item' in segment : 'key' in segment && ('anyKey' in token || token.key === segment.key);
  return ok && matchFrom(pattern, p + 1, path, s + 1);
}
