import { isUtf8 } from 'node:buffer';
import type { Document, LineCounter, Node } from 'yaml';
import { yaml } from './yamlLib.ts';
import { builtinValidator, expressionIssues, type EntityValidator, type SchemaIssue } from '../schema/index.ts';
import { DEFAULT_NAMESPACE, isValidName, stringifyRef } from './refs.ts';
import { readReferences, toDocRecord, type DocRecord, type ParsedDocument } from './entity.ts';
import { fastDocuments, type ScanDocument, type ScanMap, type ScanNode } from './fastYaml.ts';
import { specItemPointer, specPointer } from './specPointers.ts';
import type { Violation } from './types.ts';
import { allPositions, positionAt, positionOf, scalarOffset, walkPointer, type Position } from './yamlPositions.ts';
import { TOO_DEEP_MESSAGE, tooDeepAt } from './yamlDepth.ts';

export const SYMLINK_MODE = '120000';
export const SUBMODULE_MODE = '160000';

/** What one blob of the config repo yields, independent of anything else in the repo. */
export interface BlobResult {
  file: string;
  blob: string;
  /** Documents of built-in kinds, schema-valid, reduced to records; entities are built from them. */
  documents: DocRecord[];
  /** Documents of kinds only a CIClass can declare: validated once every class is known. */
  pending: ParsedDocument[];
  violations: Violation[];
  /**
   * Refs of documents that define an entity but fail its schema (present only
   * when there are some): references to them are not reported as dangling,
   * the entity's own problem is.
   */
  invalid?: string[];
}

/** One selected file of a commit and what its blob yielded. */
export interface FileInput {
  path: string;
  result: BlobResult;
}

export interface BlobInput {
  path: string;
  oid: string;
  mode: string;
  content: Buffer;
}

export interface ParseLimits {
  /** Files larger than this are refused unread. */
  maxFileBytes: number;
  /** Most aliases a document may expand (alias bombs). */
  maxAliasCount: number;
}

export const DEFAULT_LIMITS: ParseLimits = { maxFileBytes: 1024 * 1024, maxAliasCount: 100 };

export interface ParseOptions {
  /**
   * Try the fast path (js-yaml plus a verified line scan) before the `yaml`
   * parser; both give the same result. Default: true unless the environment
   * variable CMDB_PARSE_SLOW is `1`.
   */
  fast?: boolean;
}

const FAST_BY_DEFAULT = process.env.CMDB_PARSE_SLOW !== '1';

/** apiVersions whose documents are entities; documents of other apiVersions are not ours and are skipped. */
const isOurApiVersion = (v: unknown): boolean => typeof v === 'string' && (v.startsWith('cmdb/') || v.startsWith('backstage.io/'));

const CI_CLASS = 'CIClass';

/** Backstage kinds that organise a Backstage catalog rather than describe something: skipped with a warning. */
const UNMODELLED_BACKSTAGE_KINDS = new Set(['location', 'template']);

const isUnmodelledKind = (record: Record<string, unknown>): boolean =>
  String(record.apiVersion).startsWith('backstage.io/') && typeof record.kind === 'string' && UNMODELLED_BACKSTAGE_KINDS.has(record.kind.toLowerCase());

const fileViolation = (file: string, message: string, line = 1, column = 1): Violation => ({
  rule: 'file',
  severity: 'error',
  message,
  file,
  line,
  column,
});

/** Line and column of a byte offset in a buffer. */
function lineColumnAt(content: Buffer, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) if (content[i] === 10) (line++, (lineStart = i + 1));
  return [line, offset - lineStart + 1];
}

/** Length of the UTF-8 sequence a lead byte starts, or 0 when it cannot start one. */
const sequenceLength = (c: number): number => (c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0);

/** Offset of the first byte that is not part of valid UTF-8, or -1. */
function firstInvalidUtf8(content: Buffer): number {
  if (isUtf8(content)) return -1;
  for (let i = 0; i < content.length; ) {
    const n = sequenceLength(content[i]);
    if (n === 0) return i;
    for (let k = 1; k < n; k++) if (i + k >= content.length || (content[i + k] & 0xc0) !== 0x80) return i;
    i += n;
  }
  return 0;
}

/** Refuses what is not a text YAML file we may read; returns the text otherwise. */
function decode(input: BlobInput, limits: ParseLimits): { text: string } | { violation: Violation } {
  const { path, content, mode } = input;
  if (mode === SYMLINK_MODE) return { violation: fileViolation(path, 'is a symbolic link; symlinks are not followed, commit the file itself') };
  if (content.length > limits.maxFileBytes)
    return { violation: fileViolation(path, `is ${content.length} bytes, over the ${limits.maxFileBytes}-byte limit (limits.maxFileBytes in cmdb.yaml)`) };
  const nul = content.indexOf(0);
  if (nul >= 0) return { violation: fileViolation(path, 'is a binary file (contains NUL bytes), not YAML', ...lineColumnAt(content, nul)) };
  const bad = firstInvalidUtf8(content);
  if (bad >= 0) return { violation: fileViolation(path, 'is not valid UTF-8; save it as UTF-8', ...lineColumnAt(content, bad)) };
  return { text: content.toString('utf8') };
}

/** Converts a YAML document to a plain value, or a violation (syntax errors, alias bombs). */
function toValue(doc: Document, counter: LineCounter, file: string, limits: ParseLimits): { value: unknown } | { violation: Violation } {
  const error = doc.errors[0];
  if (error) {
    const [line, column] = error.linePos ? [error.linePos[0].line, error.linePos[0].col] : positionAt(counter, error.pos[0]);
    return { violation: { rule: 'yaml', severity: 'error', message: error.message.split('\n')[0], file, line, column } };
  }
  try {
    return { value: doc.toJS({ maxAliasCount: limits.maxAliasCount }) };
  } catch (e) {
    const [line, column] = positionAt(counter, (doc.contents?.range?.[0] as number | undefined) ?? 0);
    const reason = /alias/i.test((e as Error).message)
      ? `expands too many YAML aliases (over ${limits.maxAliasCount}); this looks like an alias bomb`
      : (e as Error).message;
    return { violation: { rule: 'yaml', severity: 'error', message: reason, file, line, column } };
  }
}

const issueToViolation = (issue: SchemaIssue, file: string, [line, column]: Position): Violation => ({
  rule: issue.rule ?? 'schema',
  severity: 'error',
  message: issue.message,
  file,
  line,
  column,
});

/**
 * Parses one blob: every YAML document with an apiVersion of ours becomes an
 * entity (schema-validated), or a pending document when its kind is not built
 * in. Never throws on bad input: every problem is a violation with a position.
 * Most files take the fast path (see `fastRecords`); the rest, and every file
 * with a problem, the `yaml` parser; the result is the same either way.
 */
export function parseBlob(
  input: BlobInput,
  limits: ParseLimits = DEFAULT_LIMITS,
  validator: EntityValidator = builtinValidator(),
  options: ParseOptions = {},
): BlobResult {
  const result: BlobResult = { file: input.path, blob: input.oid, documents: [], pending: [], violations: [] };
  const decoded = decode(input, limits);
  if ('violation' in decoded) {
    result.violations.push(decoded.violation);
    return result;
  }
  if (options.fast ?? FAST_BY_DEFAULT) {
    const documents = fastRecords(decoded.text, validator);
    if (documents) {
      result.documents = documents;
      return result;
    }
  }
  const counter = new (yaml().LineCounter)();
  const tokens = Array.from(new (yaml().Parser)(counter.addNewLine).parse(decoded.text));
  const deep = tooDeepAt(tokens);
  if (deep !== undefined) {
    result.violations.push({ rule: 'yaml', severity: 'error', message: TOO_DEEP_MESSAGE, file: input.path, ...lineColumn(positionAt(counter, deep)) });
    return result;
  }
  const docs = Array.from(new (yaml().Composer)({ prettyErrors: false }).compose(tokens)) as Document[];
  docs.forEach((doc, index) => parseDocumentInto(result, { doc, index, counter, text: decoded.text }, limits, validator));
  return result;
}

const lineColumn = ([line, column]: Position): { line: number; column: number } => ({ line, column });

/** One document of a text parsed by `yaml`, with what places its nodes. */
interface SourceDocument {
  doc: Document;
  index: number;
  counter: LineCounter;
  text: string;
}

/** Where an issue is: its node (a map entry's key), or the character `offset` of a string value. */
function issuePosition({ doc, counter, text }: SourceDocument, issue: SchemaIssue): Position {
  if (issue.offset !== undefined) {
    const walk = walkPointer(doc, issue.pointer);
    if (walk.complete && yaml().isScalar(walk.node) && walk.node.range) return positionAt(counter, scalarOffset(text, walk.node, issue.offset) ?? walk.node.range[0]);
  }
  return positionOf(doc, counter, issue.pointer);
}

/**
 * The problems of a document of a known kind that its schema rejected, besides
 * the schema's: its CEL expressions and its references are still checked (in
 * one run), except where the schema already reported a problem.
 */
function rejectedProblems(source: SourceDocument, record: Record<string, unknown>, kind: string, generic: boolean, issues: SchemaIssue[], file: string): Violation[] {
  const reported = new Set(issues.map((i) => i.pointer));
  const violations = expressionIssues(kind, record)
    .filter((i) => !reported.has(i.pointer))
    .map((i) => issueToViolation(i, file, issuePosition(source, i)));
  const doc: ParsedDocument = { index: source.index, value: record, positions: entityPositions(source.doc, source.counter) };
  const references = readReferences(doc, kind, { generic });
  const named = typeof (record.metadata as { name?: unknown } | undefined)?.name === 'string';
  for (const [message, line, column] of references.refErrors) {
    violations.push({ rule: 'reference', severity: 'error', message, ...(named ? { ref: references.ref } : {}), file, line, column });
  }
  return violations;
}

function parseDocumentInto(result: BlobResult, source: SourceDocument, limits: ParseLimits, validator: EntityValidator): void {
  const { doc, index, counter } = source;
  const file = result.file;
  const converted = toValue(doc, counter, file, limits);
  if ('violation' in converted) {
    result.violations.push(converted.violation);
    return;
  }
  const value = converted.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  const record = value as Record<string, unknown>;
  if (!isOurApiVersion(record.apiVersion)) return;
  const start = positionOf(doc, counter, '');
  if (isUnmodelledKind(record)) {
    result.violations.push({ rule: 'skipped-kind', severity: 'warning', message: `kind ${String(record.kind)} organises a Backstage catalog; gitops-cmdb does not model it and skips the document`, file, line: start[0], column: start[1] });
    return;
  }
  const kind = typeof record.kind === 'string' ? validator.resolveKind(String(record.apiVersion), record.kind) : undefined;
  if (kind === undefined && typeof record.kind === 'string' && typeof record.metadata === 'object') {
    result.pending.push({ index, value: record, positions: allPositions(doc, counter) });
    return;
  }
  const generic = kind !== undefined && validator.isGeneric(String(record.apiVersion), kind);
  const issues = validator.validate(record);
  if (issues.length > 0) {
    for (const issue of issues) result.violations.push(issueToViolation(issue, file, issuePosition(source, issue)));
    if (kind !== undefined) result.violations.push(...rejectedProblems(source, record, kind, generic, issues, file));
    addInvalid(result, record, kind);
    return;
  }
  // A CIClass keeps the position of every node: its schema's problems are found once every class is known.
  const positions = kind === CI_CLASS ? allPositions(doc, counter) : entityPositions(doc, counter);
  result.documents.push(toDocRecord({ index, value: record, positions }, kind!, { generic }));
}

/** The fast path's result, or undefined when the blob needs the slow path (benchmarks and tests count these). */
export function parseBlobFast(input: BlobInput, limits: ParseLimits = DEFAULT_LIMITS, validator: EntityValidator = builtinValidator()): BlobResult | undefined {
  const decoded = decode(input, limits);
  if ('violation' in decoded) return undefined;
  const documents = fastRecords(decoded.text, validator);
  return documents && { file: input.path, blob: input.oid, documents, pending: [], violations: [] };
}

/**
 * The fast path, when it applies: the records of a text whose every document
 * is either not an entity of ours or a schema-valid entity of a built-in kind,
 * read with js-yaml and a verified line scan. Undefined whenever the slow path
 * must decide (syntax outside the fast subset, errors, pending kinds, schema
 * violations).
 */
function fastRecords(text: string, validator: EntityValidator): DocRecord[] | undefined {
  const docs = fastDocuments(text);
  if (!docs) return undefined;
  const records: DocRecord[] = [];
  for (let index = 0; index < docs.length; index++) {
    const { value, scan } = docs[index];
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const record = value as Record<string, unknown>;
    if (!isOurApiVersion(record.apiVersion)) continue;
    if (isUnmodelledKind(record)) return undefined; // the slow path warns
    const kind = typeof record.kind === 'string' ? validator.resolveKind(String(record.apiVersion), record.kind) : undefined;
    if (kind === undefined || kind === CI_CLASS) return undefined; // a CIClass needs every position: the slow path
    if (validator.validate(record).length > 0) return undefined;
    records.push(toDocRecord({ index, value: record, positions: scannedPositions(scan) }, kind, { generic: validator.isGeneric(String(record.apiVersion), kind) }));
  }
  return records;
}

/** The value of `key` in a scanned map, with its key's position. */
function scannedEntry(node: ScanNode | undefined, key: string): { value: ScanNode; pos: Position } | undefined {
  if (node?.k !== 'map') return undefined;
  const i = node.keys.indexOf(key);
  return i < 0 ? undefined : { value: node.values[i], pos: node.pos[i] };
}

/** What `entityPositions` gives, from a scanned document. */
function scannedPositions(scan: ScanDocument): Record<string, Position> {
  const positions: Record<string, Position> = { '': scan.start };
  const name = scannedEntry(scannedEntry(scan.root, 'metadata')?.value, 'name');
  if (name) positions['/metadata/name'] = name.pos;
  const spec = scannedEntry(scan.root, 'spec')?.value;
  if (spec?.k !== 'map') return positions;
  const map: ScanMap = spec;
  for (let i = 0; i < map.keys.length; i++) {
    const key = map.keys[i];
    const value = map.values[i];
    if (value.k === 'scalar') positions[specPointer(key)] = map.pos[i];
    else if (value.k === 'seq') value.items.forEach((item, j) => item.k === 'scalar' && (positions[specItemPointer(key, j)] = value.pos[j]));
  }
  const observe = scannedEntry(spec, 'observe')?.value;
  if (observe?.k === 'seq') {
    observe.items.forEach((item, i) => {
      positions[`/spec/observe/${i}`] = observe.pos[i];
      const kubernetes = scannedEntry(item, 'kubernetes');
      if (!kubernetes) return;
      positions[`/spec/observe/${i}/kubernetes`] = kubernetes.pos;
      const cluster = scannedEntry(kubernetes.value, 'cluster');
      if (cluster) positions[`/spec/observe/${i}/kubernetes/cluster`] = cluster.pos;
    });
  }
  return positions;
}

/** The value node of `key` in a map node, and its key's offset. */
function entry(node: unknown, key: string): { value: unknown; offset: number } | undefined {
  if (!yaml().isMap(node)) return undefined;
  for (const pair of node.items) {
    if (yaml().isScalar(pair.key) && pair.key.value === key) return { value: pair.value, offset: (pair.key as Node).range?.[0] ?? 0 };
  }
  return undefined;
}

/**
 * Positions records need, in one pass: the start, metadata.name, every
 * spec field holding text (or each item of a list), where references live,
 * and each `spec.observe` entry with its `kubernetes` and `cluster` keys.
 */
function entityPositions(doc: Document, counter: LineCounter): Record<string, Position> {
  const positions: Record<string, Position> = { '': positionOf(doc, counter, '') };
  const name = entry(entry(doc.contents, 'metadata')?.value, 'name');
  if (name) positions['/metadata/name'] = positionAt(counter, name.offset);
  const spec = entry(doc.contents, 'spec')?.value;
  if (!yaml().isMap(spec)) return positions;
  for (const pair of spec.items) {
    if (!yaml().isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    if (yaml().isScalar(pair.value)) positions[specPointer(key)] = positionAt(counter, (pair.key as Node).range?.[0] ?? 0);
    else if (yaml().isSeq(pair.value)) pair.value.items.forEach((item, i) => yaml().isScalar(item) && (positions[specItemPointer(key, i)] = positionAt(counter, item.range?.[0] ?? 0)));
  }
  const observe = entry(spec, 'observe')?.value;
  if (yaml().isSeq(observe)) {
    observe.items.forEach((item, i) => {
      positions[`/spec/observe/${i}`] = positionAt(counter, (item as Node | null)?.range?.[0] ?? 0);
      const kubernetes = entry(item, 'kubernetes');
      if (!kubernetes) return;
      positions[`/spec/observe/${i}/kubernetes`] = positionAt(counter, kubernetes.offset);
      const cluster = entry(kubernetes.value, 'cluster');
      if (cluster) positions[`/spec/observe/${i}/kubernetes/cluster`] = positionAt(counter, cluster.offset);
    });
  }
  return positions;
}

/** The ref a document that fails its schema would have, when its kind and name can be read. */
export function invalidRef(record: Record<string, unknown>, kind: string | undefined): string | undefined {
  const metadata = record.metadata as Record<string, unknown> | undefined;
  const name = metadata?.name;
  const namespace = metadata?.namespace ?? DEFAULT_NAMESPACE;
  const k = kind ?? record.kind;
  if (typeof k !== 'string' || typeof name !== 'string' || typeof namespace !== 'string' || !isValidName(name) || !isValidName(namespace)) return undefined;
  return stringifyRef({ kind: k, namespace, name });
}

function addInvalid(result: BlobResult, record: Record<string, unknown>, kind: string | undefined): void {
  const ref = invalidRef(record, kind);
  if (ref !== undefined) (result.invalid ??= []).push(ref);
}

/** Validates a pending document against a validator that knows the CIClass kinds. */
export function resolvePending(doc: ParsedDocument, file: string, validator: EntityValidator): { document?: DocRecord; violations: Violation[]; invalid?: string } {
  const pos = (pointer: string): Position => {
    for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
      if (doc.positions[p]) return doc.positions[p];
      if (p === '') return [1, 1];
    }
  };
  const issues = validator.validate(doc.value);
  const kind = validator.resolveKind(String(doc.value.apiVersion), String(doc.value.kind));
  if (issues.length > 0) return { violations: issues.map((i) => issueToViolation(i, file, pos(i.pointer))), invalid: invalidRef(doc.value, kind) };
  return { document: toDocRecord(doc, kind!), violations: [] };
}
