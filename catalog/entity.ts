import { ensureTexts } from './cache/cacheLine.ts';
import { DEFAULT_NAMESPACE, normalizeRef, parseRef, stringifyRef } from './refs.ts';
import { observeTuples, type ObserveTuple } from './observe.ts';
import { specItemPointer, specPointer } from './specPointers.ts';
import { rulesFor } from './relations.ts';
import { CRITICALITIES, type Criticality, type Entity, type EntityFacts, type EntityMetadata, type Relation, type RelationType, type Violation } from './types.ts';
import type { Position } from './yamlPositions.ts';

/** One YAML document of a file, as parsed, with the positions of its nodes. */
export interface ParsedDocument {
  /** 0-based index of the document in its file. */
  index: number;
  value: Record<string, unknown>;
  /** Positions keyed by JSON pointer; always has '' (the document start). */
  positions: Record<string, Position>;
}

/** A relation as declared by the document: [type, source, target, field, line, column]. */
export type RelationTuple = [RelationType, string, string, string, number, number];

/**
 * A schema-valid document, reduced to what snapshots and graphs need, with the
 * document itself kept as JSON text (parsed only when someone reads it). It
 * depends on the blob alone, so it is what the parse cache stores.
 */
export interface DocRecord {
  index: number;
  kind: string;
  apiVersion: string;
  ref: string;
  start: Position;
  namePos: Position;
  facts: EntityFacts;
  relations: RelationTuple[];
  /** Malformed references: [message, line, column]. */
  refErrors: Array<[string, number, number]>;
  /** JSON of `{ metadata, spec, positions }`. */
  text: string;
  /** The entries of `spec.observe`, when it has some (see catalog/observe.ts). */
  observe?: ObserveTuple[];
}

export interface BuiltEntity {
  entity: Entity;
  relations: Relation[];
  violations: Violation[];
  /** The record's `spec.observe` entries. */
  observe: readonly ObserveTuple[];
}

const asRecord = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Calls `each` with every reference a relation field holds and its pointer: `/spec/field` or `/spec/field/i` (other shapes are the schema's to report). */
function forEachReference(spec: Record<string, unknown>, field: string, each: (text: string, pointer: string) => void): void {
  const value = spec[field];
  if (typeof value === 'string') each(value, specPointer(field));
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) if (typeof value[i] === 'string') each(value[i], specItemPointer(field, i));
}

function factsOf(metadata: EntityMetadata, spec: Record<string, unknown>): EntityFacts {
  const facts: EntityFacts = {};
  if (typeof metadata.title === 'string') facts.title = metadata.title;
  if (CRITICALITIES.includes(spec.criticality as Criticality)) facts.criticality = spec.criticality as Criticality;
  if (typeof spec.lifecycle === 'string') facts.lifecycle = spec.lifecycle;
  if (typeof spec.owner === 'string') facts.owner = normalizeRef(spec.owner, { defaultKind: 'group', defaultNamespace: metadata.namespace });
  if (metadata.labels && typeof metadata.labels === 'object') facts.labels = metadata.labels;
  return facts;
}

/**
 * Reduces a schema-valid document to its record: ref, facts, relations (per
 * the relation table; only owner and system for a kind read generically).
 */
export function toDocRecord(doc: ParsedDocument, kind: string, options: { generic?: boolean } = {}): DocRecord {
  const parts = documentParts(doc, kind);
  const { metadata, spec, apiVersion, ref, pos } = parts;
  const { relations, refErrors } = referencesOf(parts, options);
  const text = JSON.stringify({ metadata, spec, positions: doc.positions });
  const record: DocRecord = { index: doc.index, kind, apiVersion, ref, start: pos(''), namePos: pos('/metadata/name'), facts: factsOf(metadata, spec), relations, refErrors, text };
  const observe = observeTuples(spec, doc.positions, pos(''));
  if (observe.length > 0) record.observe = observe;
  return record;
}

type DocumentParts = ReturnType<typeof documentParts>;

function documentParts(doc: ParsedDocument, kind: string) {
  const metadata = { ...asRecord(doc.value.metadata) } as EntityMetadata;
  metadata.namespace = typeof metadata.namespace === 'string' ? metadata.namespace : DEFAULT_NAMESPACE;
  const spec = asRecord(doc.value.spec);
  const apiVersion = String(doc.value.apiVersion);
  const ref = stringifyRef({ kind, namespace: metadata.namespace, name: String(metadata.name) });
  const start = doc.positions[''] ?? [1, 1];
  const pos = (pointer: string): Position => doc.positions[pointer] ?? doc.positions[pointer.replace(/\/\d+$/, '')] ?? start;
  return { metadata, spec, apiVersion, ref, pos };
}

/**
 * The relations a document declares and its malformed references (per the
 * relation table; only owner and system for a kind read generically). Also
 * run on documents whose schema failed: a malformed reference is reported
 * with the schema's problems.
 */
export function readReferences(doc: ParsedDocument, kind: string, options: { generic?: boolean } = {}): Pick<DocRecord, 'ref' | 'relations' | 'refErrors'> {
  return referencesOf(documentParts(doc, kind), options);
}

function referencesOf({ metadata, spec, apiVersion, ref, pos }: DocumentParts, options: { generic?: boolean }): Pick<DocRecord, 'ref' | 'relations' | 'refErrors'> {
  const relations: RelationTuple[] = [];
  const refErrors: DocRecord['refErrors'] = [];
  for (const rule of rulesFor(apiVersion, options.generic)) {
    forEachReference(spec, rule.field, (text, pointer) => {
      const [line, column] = pos(pointer);
      const parsed = parseRef(text, { defaultKind: rule.defaultKind, defaultNamespace: metadata.namespace });
      if (!parsed.ok) {
        refErrors.push([`spec.${rule.field}: ${parsed.message}`, line, column]);
        return;
      }
      const other = stringifyRef(parsed.ref);
      relations.push(rule.reversed ? [rule.relation, other, ref, rule.field, line, column] : [rule.relation, ref, other, rule.field, line, column]);
    });
  }
  return { ref, relations, refErrors };
}

/** An entity whose metadata, spec and positions are parsed from the record's text on first use. */
class RecordEntity implements Entity {
  readonly ref: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly facts: EntityFacts;
  readonly source: Entity['source'];
  private parsed?: { metadata: EntityMetadata; spec: Record<string, unknown>; positions: Record<string, Position> };

  constructor(
    private readonly record: DocRecord,
    file: string,
    blob: string,
  ) {
    this.ref = record.ref;
    this.apiVersion = record.apiVersion;
    this.kind = record.kind;
    this.facts = record.facts;
    this.source = { file, line: record.start[0], column: record.start[1], blob, document: record.index };
  }

  private doc() {
    return (this.parsed ??= JSON.parse(this.record.text));
  }
  get metadata(): EntityMetadata {
    return this.doc().metadata;
  }
  get spec(): Record<string, unknown> {
    return this.doc().spec;
  }
  get positions(): Record<string, Position> {
    return this.doc().positions;
  }
  toJSON() {
    return { ref: this.ref, apiVersion: this.apiVersion, kind: this.kind, metadata: this.metadata, spec: this.spec, source: this.source };
  }
}

/** A relation read from a record: one object over the cached tuple (snapshots hold hundreds of thousands). */
class DeclaredRelation implements Relation {
  constructor(
    private readonly tuple: RelationTuple,
    private readonly file: string,
  ) {}
  get type(): RelationType {
    return this.tuple[0];
  }
  get source(): string {
    return this.tuple[1];
  }
  get target(): string {
    return this.tuple[2];
  }
  get field(): string {
    return this.tuple[3];
  }
  get location() {
    return { file: this.file, line: this.tuple[4], column: this.tuple[5] };
  }
  toJSON(): Relation {
    return { type: this.type, source: this.source, target: this.target, field: this.field, location: this.location };
  }
}

/** The entity, relations and reference violations of a record read from `file`. */
export function entityFromRecord(record: DocRecord, file: string, blob: string): BuiltEntity {
  const entity = new RecordEntity(record, file, blob);
  const relations = record.relations.map((tuple): Relation => new DeclaredRelation(tuple, file));
  return { entity, relations, violations: referenceViolations(record, file), observe: record.observe ?? [] };
}

/** The record's malformed references as violations at `file`. */
export function referenceViolations(record: DocRecord, file: string): Violation[] {
  return record.refErrors.map(([message, line, column]): Violation => ({ rule: 'reference', severity: 'error', message, ref: record.ref, file, line, column }));
}

/** Builds an entity straight from a parsed document. */
export function buildEntity(doc: ParsedDocument, kind: string, file: string, blob: string): BuiltEntity {
  return entityFromRecord(toDocRecord(doc, kind), file, blob);
}

/** Entities built per (blob result, path): unchanged files of two commits share them. */
const built = new WeakMap<object, { path: string; entities: BuiltEntity[] }>();

/** Entities of a file's records (memoized per result and path: unchanged files of two commits share them). */
export function entitiesOf(path: string, result: { blob: string; documents: readonly DocRecord[] }): BuiltEntity[] {
  const memo = built.get(result);
  if (memo && memo.path === path) return memo.entities;
  const entities = ensureTexts(result).documents.map((doc) => entityFromRecord(doc, path, result.blob));
  built.set(result, { path, entities });
  return entities;
}
