import { FAILSAFE_SCHEMA, loadAll, Type } from 'js-yaml';
import type { Position } from './yamlPositions.ts';

/*
 * The fast parse path: a line scanner that understands a strict subset of
 * block YAML gives positions and, for documents without block scalars, the
 * values too (plain scalars resolved by the same implicit types as below);
 * a document with a block scalar (`|`, `>`) takes its value from js-yaml
 * (with a schema that resolves scalars exactly like the `yaml` library's
 * YAML 1.2 core schema), verified against the scan. Anything outside the
 * subset, a repeated key, or any disagreement returns undefined and the
 * caller parses with `yaml`.
 */

/** One implicit scalar type (js-yaml keeps one type per tag, so each tag's variants share one regex). */
const scalarType = (tag: string, test: RegExp, construct: (s: string) => unknown): Type =>
  new Type(`tag:yaml.org,2002:${tag}`, { kind: 'scalar', resolve: (s: string | null) => s !== null && test.test(s), construct });

const INF_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

/**
 * yaml's core schema (yaml/dist/schema/core/*.js and common/null.js), same
 * regexes and conversions: null, bool, int (0o, decimal, 0x), float
 * (.inf/.nan, exponent, plain). No merge keys, timestamps or binary.
 */
const CORE_IMPLICIT: Type[] = [
  scalarType('null', /^(?:~|[Nn]ull|NULL)?$/, () => null),
  scalarType('bool', /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T'),
  scalarType('int', /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$/, (s) =>
    s[1] === 'o' ? parseInt(s.substring(2), 8) : s[1] === 'x' ? parseInt(s.substring(2), 16) : parseInt(s, 10),
  ),
  scalarType(
    'float',
    /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/,
    (s) => (!INF_NAN.test(s) ? parseFloat(s) : s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY),
  ),
];
export const CORE_SCHEMA_LIKE_YAML = FAILSAFE_SCHEMA.extend({ implicit: CORE_IMPLICIT });

/** Plain scalars the core schema could resolve to null, a bool or a number, by their first character. */
const MAYBE_NOT_STRING = /^[-+.0-9~nNtTfF]/;

/** A plain scalar's value, resolved as js-yaml resolves it with CORE_SCHEMA_LIKE_YAML (the first implicit type that accepts it). */
function resolvePlain(plain: string): unknown {
  if (plain === '') return null;
  // Most scalars (names, refs, words) start where no implicit type can: one class test instead of four regexes.
  if (!MAYBE_NOT_STRING.test(plain)) return plain;
  for (const type of CORE_IMPLICIT) if (type.resolve(plain)) return type.construct(plain);
  return plain;
}

/** A node as the scanner saw it: a block or flow map, a sequence, or a scalar. */
export type ScanNode = ScanMap | ScanSeq | ScanScalar;
export interface ScanMap {
  k: 'map';
  keys: string[];
  /** Position of each key. */
  pos: Position[];
  values: ScanNode[];
}
export interface ScanSeq {
  k: 'seq';
  items: ScanNode[];
  /** Position of each item (where its node starts). */
  pos: Position[];
}
export interface ScanScalar {
  k: 'scalar';
  /** Source text of a plain scalar ('' for an empty value). */
  plain?: string;
  /** Value of a quoted scalar. */
  quoted?: string;
  /** A block scalar (`|`, `>`): its value is a string, not checked further. */
  block?: true;
}

/** One document as the scanner saw it. */
export interface ScanDocument {
  /** Where the document's content starts (its first key), as `yaml` reports it. */
  start: Position;
  /** The content; undefined for an empty document. */
  root?: ScanNode;
}

/** Thrown inside the scanner when a line is outside the subset; never escapes this module. */
const BAIL = new Error('outside the fast subset');
const bail = (): never => {
  throw BAIL;
};

/**
 * Characters that rule the fast path out: control characters, tabs, lone CRs,
 * BOMs, Unicode line separators, directives, and the anchor, alias and tag
 * indicators wherever a node could start (after whitespace, line start or
 * flow punctuation; comments included, to keep it a plain scan), so anchors,
 * aliases (alias bombs) and tags always take the slow path. The scanner also
 * refuses every indicator at the start of a node.
 */
const GUARD = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\t\u2028\u2029\ufeff]|\r(?!\n)|^%|(?:^|[\s[\]{},:?-])[&*!]/m;
/** Every character GUARD can match starts with one of these: a text without any needs no GUARD (one class scan instead of its alternatives at every offset). */
const GUARD_FIRST = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\t\u2028\u2029\ufeff\r%&*!]/;

/** A plain block-map key followed by `:` and a space or the end of the line. */
const KEY = /([A-Za-z_$][\w$./-]*(?: [\w$./-]+)*):(?: |$)/y;
/** Plain keys that a YAML 1.2 core schema resolves to something other than their text. */
const NON_STRING_KEY = /^(?:[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|__proto__)$/;
/** NON_STRING_KEY, tested only on keys starting with one of its first letters (n N t T f F _): most key lines make no regex call for it. */
const isNonStringKey = (key: string): boolean => {
  const c = key.charCodeAt(0) | 32; // ASCII lower case; '_' becomes 127
  return (c === 110 || c === 116 || c === 102 || c === 127) && NON_STRING_KEY.test(key);
};

interface Cursor {
  lines: string[];
  /** Next line to read. */
  i: number;
  /** End of the current document (exclusive). */
  end: number;
  /** Block collections open around the current line. */
  depth: number;
}

/**
 * Most block collections the scanner nests before it leaves the text to the
 * `yaml` path, which reports documents deeper than MAX_YAML_DEPTH. Far below
 * what a JavaScript stack holds, so neither the scanner nor js-yaml recurses deeper.
 */
export const SCANNER_MAX_DEPTH = 64;

/** Opens a block collection: bails when that nests deeper than the scanner goes. */
function enter(cur: Cursor): void {
  if (++cur.depth > SCANNER_MAX_DEPTH) bail();
}

const isBlankOrComment = (s: string): boolean => {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 32) continue;
    return c === 35; // '#'
  }
  return true;
};

const indentOf = (s: string): number => {
  let k = 0;
  while (s.charCodeAt(k) === 32) k++;
  return k;
};

/** Index of the next line with content, from `cur.i`, or `cur.end`. */
function nextContent(cur: Cursor): number {
  let j = cur.i;
  while (j < cur.end && isBlankOrComment(cur.lines[j])) j++;
  return j;
}

/** After a complete value at `k`: only spaces, or spaces then a comment. */
function checkTail(s: string, k: number): void {
  if (k === s.length) return;
  if (s.charCodeAt(k) !== 32) bail();
  while (k < s.length && s.charCodeAt(k) === 32) k++;
  if (k < s.length && s.charCodeAt(k) !== 35) bail();
}

/** `- ` or a lone `-` at column `n`. */
const isSeqItem = (s: string, n: number): boolean => s.charCodeAt(n) === 45 && (s.length === n + 1 || s.charCodeAt(n + 1) === 32);

/** Characters no plain scalar may start with (YAML indicators). */
const PLAIN_FIRST_BAD = new Set([...',[]{}#&*!|>\'"%@`']);

/** True when a plain scalar may start at `k` (in block or flow context). */
function plainStartOk(s: string, k: number): boolean {
  const c = s[k];
  if (c === undefined || PLAIN_FIRST_BAD.has(c)) return false;
  if (c === '-' || c === '?' || c === ':') {
    const next = s[k + 1];
    return next !== undefined && next !== ' ' && next !== ',' && next !== '[' && next !== ']' && next !== '{' && next !== '}';
  }
  return true;
}

/** A double-quoted scalar without escapes, from the quote at `q`; returns its end (after the closing quote). */
function doubleQuoted(s: string, q: number): { value: string; end: number } {
  for (let k = q + 1; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 92) bail(); // backslash: escapes are left to the slow path
    if (c === 34) return { value: s.slice(q + 1, k), end: k + 1 };
  }
  return bail();
}

/** A single-quoted scalar on one line, from the quote at `q`. */
function singleQuoted(s: string, q: number): { value: string; end: number } {
  for (let k = q + 1; k < s.length; k++) {
    if (s.charCodeAt(k) !== 39) continue;
    if (s.charCodeAt(k + 1) === 39) {
      k++;
      continue;
    }
    return { value: s.slice(q + 1, k).replace(/''/g, "'"), end: k + 1 };
  }
  return bail();
}

/** A plain scalar in a flow collection, from `k` to the next `,` or closer. */
function flowPlain(s: string, k: number, closer: string): { raw: string; end: number } {
  if (!plainStartOk(s, k)) bail();
  let e = k;
  for (; e < s.length; e++) {
    const c = s[e];
    if (c === ',' || c === closer) break;
    if (c === '[' || c === ']' || c === '{' || c === '}' || c === '#' || c === '"' || c === "'") bail();
    if (c === ':' && (e + 1 === s.length || s[e + 1] === ' ' || s[e + 1] === ',' || s[e + 1] === closer)) bail();
  }
  if (e === s.length) bail();
  const raw = s.slice(k, e).trimEnd();
  if (raw.endsWith(':') || raw.endsWith('?')) bail();
  return { raw, end: e };
}

const skipSpaces = (s: string, k: number): number => {
  while (s.charCodeAt(k) === 32) k++;
  return k;
};

/** A scalar item of a flow collection at `k`. */
function flowScalar(s: string, k: number, closer: string): { node: ScanScalar; end: number } {
  const c = s[k];
  if (c === '"' || c === "'") {
    const { value, end } = c === '"' ? doubleQuoted(s, k) : singleQuoted(s, k);
    return { node: { k: 'scalar', quoted: value }, end: skipSpaces(s, end) };
  }
  const { raw, end } = flowPlain(s, k, closer);
  return { node: { k: 'scalar', plain: raw }, end };
}

/** A one-line flow sequence of scalars from the `[` at `q`; returns the node and the offset after `]`. */
function flowSeq(s: string, q: number, line: number): { node: ScanSeq; end: number } {
  const node: ScanSeq = { k: 'seq', items: [], pos: [] };
  let k = skipSpaces(s, q + 1);
  if (s[k] === ']') return { node, end: k + 1 };
  for (;;) {
    node.pos.push([line, k + 1]);
    const item = flowScalar(s, k, ']');
    node.items.push(item.node);
    k = item.end;
    if (s[k] === ']') return { node, end: k + 1 };
    if (s[k] !== ',') bail();
    k = skipSpaces(s, k + 1);
    if (s[k] === ']' || k >= s.length) bail(); // trailing comma, or continued on the next line
  }
}

/** A one-line flow map `{key: scalar, ...}` from the `{` at `q`. */
function flowMap(s: string, q: number, line: number): { node: ScanMap; end: number } {
  const node: ScanMap = { k: 'map', keys: [], pos: [], values: [] };
  let k = skipSpaces(s, q + 1);
  if (s[k] === '}') return { node, end: k + 1 };
  for (;;) {
    KEY.lastIndex = k;
    const m = KEY.exec(s);
    if (!m || m[0].endsWith(':')) bail(); // `key:` must be followed by a space and a value here
    const key = m![1];
    if (isNonStringKey(key)) bail();
    node.keys.push(key);
    node.pos.push([line, k + 1]);
    k = skipSpaces(s, k + m![0].length);
    const value = flowScalar(s, k, '}');
    node.values.push(value.node);
    k = value.end;
    if (s[k] === '}') return { node, end: k + 1 };
    if (s[k] !== ',') bail();
    k = skipSpaces(s, k + 1);
    if (s[k] === '}' || k >= s.length) bail();
  }
}

/**
 * Skips a block scalar's content: the lines after the header that are empty or
 * indented more than `n`. Leading whitespace-only lines, and lines less
 * indented than the first content line, are left to the slow path.
 */
function skipBlockScalar(cur: Cursor, n: number): void {
  let contentIndent = -1;
  for (; cur.i < cur.end; cur.i++) {
    const s = cur.lines[cur.i];
    const ind = indentOf(s);
    if (ind === s.length) {
      if (s.length > 0 && contentIndent < 0) bail();
      continue;
    }
    if (ind <= n) return;
    if (contentIndent < 0) contentIndent = ind;
    else if (ind < contentIndent) bail();
  }
}

/**
 * The value of a map entry (or seq item) that starts at `q` of line `cur.i - 1`.
 * `n` is the indentation of the map (or sequence) it belongs to.
 */
function parseValue(cur: Cursor, s: string, q: number, n: number, inSeq: boolean): ScanNode {
  const line = cur.i; // 1-based number of the line holding the value
  if (q >= s.length || s.charCodeAt(q) === 35) {
    const j = nextContent(cur);
    if (j < cur.end) {
      const next = cur.lines[j];
      const ind = indentOf(next);
      if (ind > n) {
        cur.i = j;
        return parseBlockNode(cur, ind);
      }
      if (ind === n && !inSeq && isSeqItem(next, n)) {
        cur.i = j;
        return parseSeq(cur, n);
      }
    }
    if (inSeq) bail(); // an empty item: its position is not worth the trouble
    return { k: 'scalar', plain: '' };
  }
  const c = s[q];
  if (c === '|' || c === '>') {
    // Keep chomping (`|+`, `>+`) goes to the slow path: trailing blank and space-only lines change its value.
    if (!/^[|>]-?(?: +#.*)? *$/.test(s.slice(q))) bail();
    skipBlockScalar(cur, n);
    return { k: 'scalar', block: true };
  }
  if (c === '"' || c === "'") {
    const { value, end } = c === '"' ? doubleQuoted(s, q) : singleQuoted(s, q);
    checkTail(s, end);
    return { k: 'scalar', quoted: value };
  }
  if (c === '[') {
    const { node, end } = flowSeq(s, q, line);
    checkTail(s, end);
    return node;
  }
  if (c === '{') {
    const { node, end } = flowMap(s, q, line);
    checkTail(s, end);
    return node;
  }
  if (!plainStartOk(s, q)) bail();
  const hash = s.indexOf(' #', q);
  const raw = (hash < 0 ? s.slice(q) : s.slice(q, hash)).trimEnd();
  if (raw.includes(': ') || raw.endsWith(':')) bail();
  return { k: 'scalar', plain: raw };
}

/** A block map whose first key is at column `n` of line `cur.i`. */
function parseMap(cur: Cursor, n: number): ScanMap {
  const node: ScanMap = { k: 'map', keys: [], pos: [], values: [] };
  enter(cur);
  for (;;) {
    const li = cur.i;
    const s = cur.lines[li];
    KEY.lastIndex = n;
    const m = KEY.exec(s);
    if (!m) return bail();
    const key = m[1];
    if (isNonStringKey(key) || key.length > 1000) bail();
    node.keys.push(key);
    node.pos.push([li + 1, n + 1]);
    cur.i = li + 1;
    node.values.push(parseValue(cur, s, skipSpaces(s, n + m[0].length), n, false));
    const j = nextContent(cur);
    if (j >= cur.end || indentOf(cur.lines[j]) < n) return leave(cur, node);
    if (indentOf(cur.lines[j]) > n) bail(); // a continuation line or odd indentation
    cur.i = j;
  }
}

/** Closes a block collection. */
function leave<T>(cur: Cursor, node: T): T {
  cur.depth--;
  return node;
}

/** A block sequence whose items' `-` are at column `n`, from line `cur.i`. */
function parseSeq(cur: Cursor, n: number): ScanSeq {
  const node: ScanSeq = { k: 'seq', items: [], pos: [] };
  enter(cur);
  for (;;) {
    const li = cur.i;
    const s = cur.lines[li];
    if (!isSeqItem(s, n)) bail();
    const q = skipSpaces(s, n + 1);
    cur.i = li + 1;
    if (q < s.length && s.charCodeAt(q) !== 35) {
      if (isSeqItem(s, q)) bail(); // `- - x`
      KEY.lastIndex = q;
      if (KEY.test(s)) {
        cur.i = li;
        node.pos.push([li + 1, q + 1]);
        node.items.push(parseMap(cur, q));
      } else {
        node.pos.push([li + 1, q + 1]);
        node.items.push(parseValue(cur, s, q, n, true));
      }
    } else {
      const j = nextContent(cur);
      node.pos.push(j < cur.end ? [j + 1, indentOf(cur.lines[j]) + 1] : [li + 1, q + 1]);
      node.items.push(parseValue(cur, s, q, n, true));
    }
    const j = nextContent(cur);
    if (j >= cur.end) return leave(cur, node);
    const next = cur.lines[j];
    const ind = indentOf(next);
    if (ind < n) return leave(cur, node);
    if (ind > n) bail();
    if (!isSeqItem(next, n)) return leave(cur, node);
    cur.i = j;
  }
}

/** The block node whose first line is `cur.i`, indented by `n`. */
function parseBlockNode(cur: Cursor, n: number): ScanNode {
  const s = cur.lines[cur.i];
  if (isSeqItem(s, n)) return parseSeq(cur, n);
  return parseMap(cur, n);
}

/** `---` or `...` at column 1, followed by nothing but spaces and a comment. */
function markerLine(s: string, marker: '---' | '...'): boolean {
  if (!s.startsWith(marker) || (s.length > 3 && s.charCodeAt(3) !== 32)) return false;
  checkTail(s, 3);
  return true;
}

/** Splits the lines into documents as `yaml` does; each range is [first line, end line). */
function splitDocuments(lines: string[]): Array<[number, number]> {
  const docs: Array<[number, number]> = [];
  let start = 0;
  let explicit = false;
  let ended = -1; // line of a `...` in the current document
  let content = false;
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i];
    const c = s.charCodeAt(0);
    if (c === 45 && markerLine(s, '---')) {
      if (explicit || content) docs.push([start, ended >= 0 ? ended : i]);
      start = i + 1;
      explicit = true;
      ended = -1;
      content = false;
    } else if (c === 46 && markerLine(s, '...')) {
      if (ended >= 0 || !(explicit || content)) bail();
      ended = i;
    } else if (c === 37) bail(); // a directive
    else if (!isBlankOrComment(s)) {
      if (ended >= 0) bail(); // content after `...` starts a document without `---`
      content = true;
    }
  }
  if (explicit || content) docs.push([start, ended >= 0 ? ended : lines.length]);
  return docs;
}

/** Scans every document of a text; undefined when any line is outside the subset. */
export function scanDocuments(text: string): ScanDocument[] | undefined {
  if (GUARD_FIRST.test(text) && GUARD.test(text)) return undefined;
  const lines = text.split('\n');
  if (text.includes('\r')) for (let i = 0; i < lines.length; i++) if (lines[i].endsWith('\r')) lines[i] = lines[i].slice(0, -1);
  try {
    return splitDocuments(lines).map(([first, end]) => {
      const cur: Cursor = { lines, i: first, end, depth: 0 };
      const j = nextContent(cur);
      if (j >= end) return { start: [end + 1, 1] as Position }; // never read: empty documents hold no entity
      cur.i = j;
      const n = indentOf(lines[j]);
      if (!isSeqItem(lines[j], n)) {
        KEY.lastIndex = n;
        if (!KEY.test(lines[j])) bail(); // top-level scalars and flow collections: slow path
      }
      const root = parseBlockNode(cur, n);
      if (nextContent(cur) < end) bail();
      return { start: [j + 1, n + 1] as Position, root };
    });
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  }
}

const NOT_STRING =
  /^(?:~|[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/;

/** True when yaml's core schema keeps this plain scalar a string (a second check of the js-yaml schema). */
const resolvesToString = (plain: string): boolean => !MAYBE_NOT_STRING.test(plain) || !NOT_STRING.test(plain);

/** True when the scanned node has the shape and texts of the js-yaml value. */
export function matches(node: ScanNode, value: unknown): boolean {
  switch (node.k) {
    case 'map': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
      const keys = Object.keys(value);
      if (keys.length !== node.keys.length) return false;
      for (let i = 0; i < keys.length; i++) {
        if (keys[i] !== node.keys[i]) return false;
        if (!matches(node.values[i], (value as Record<string, unknown>)[keys[i]])) return false;
      }
      return true;
    }
    case 'seq': {
      if (!Array.isArray(value) || value.length !== node.items.length) return false;
      for (let i = 0; i < value.length; i++) if (!matches(node.items[i], value[i])) return false;
      return true;
    }
    default: {
      if (value !== null && typeof value === 'object') return false;
      if (node.block) return typeof value === 'string';
      if (node.quoted !== undefined) return value === node.quoted;
      if (node.plain === '') return value === null;
      return typeof value === 'string' ? value === node.plain && resolvesToString(node.plain) : true;
    }
  }
}

/** Thrown by `valueOf` at a block scalar: the document's value comes from js-yaml. */
const NEEDS_JS_YAML = new Error('a block scalar');

/**
 * The value of a scanned node: maps keep their keys in order, quoted scalars
 * their text, plain scalars resolve by the core schema's implicit types.
 * Throws NEEDS_JS_YAML at a block scalar and BAIL at a repeated key (js-yaml
 * and `yaml` refuse those; `yaml` says where).
 */
function valueOf(node: ScanNode): unknown {
  switch (node.k) {
    case 'map': {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < node.keys.length; i++) {
        const key = node.keys[i];
        if (Object.prototype.hasOwnProperty.call(out, key)) throw BAIL;
        out[key] = valueOf(node.values[i]);
      }
      return out;
    }
    case 'seq':
      return node.items.map(valueOf);
    default:
      if (node.block) throw NEEDS_JS_YAML;
      return node.quoted !== undefined ? node.quoted : resolvePlain(node.plain!);
  }
}

/**
 * Every document's value and scan: from the scan alone when no document has
 * a block scalar (js-yaml would only confirm it: measured, the scan's values
 * equal js-yaml's on every file of the benchmark repo and the examples, see
 * tests/catalog/fastParse.test.ts), else from js-yaml when both agree;
 * undefined otherwise.
 */
export function fastDocuments(text: string): Array<{ value: unknown; scan: ScanDocument }> | undefined {
  const scans = scanDocuments(text);
  if (!scans) return undefined;
  try {
    return scans.map((scan) => ({ value: scan.root ? valueOf(scan.root) : null, scan }));
  } catch (e) {
    if (e === BAIL) return undefined;
    if (e !== NEEDS_JS_YAML) throw e;
  }
  let values: unknown[];
  try {
    values = loadAll(text, null, { schema: CORE_SCHEMA_LIKE_YAML }) as unknown[];
  } catch {
    return undefined;
  }
  if (values.length !== scans.length) return undefined;
  const out: Array<{ value: unknown; scan: ScanDocument }> = [];
  for (let i = 0; i < values.length; i++) {
    const scan = scans[i];
    const value = values[i];
    if (scan.root ? !matches(scan.root, value) : value !== null) return undefined;
    out.push({ value, scan });
  }
  return out;
}
