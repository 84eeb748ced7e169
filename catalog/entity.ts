import { DEFAULT_NAMESPACE, parseRef, stringifyRef } from './refs.ts';
import { rulesFor } from './relations.ts';
import type { Entity, EntityMetadata, Relation, Violation } from './types.ts';
import type { Position } from './yamlPositions.ts';

/** One YAML document of a file, as parsed, with the positions of its nodes. */
export interface ParsedDocument {
  /** 0-based index of the document in its file. */
  index: number;
  value: Record<string, unknown>;
  /** Positions keyed by JSON pointer; always has '' (the document start). */
  positions: Record<string, Position>;
}

export interface BuiltEntity {
  entity: Entity;
  relations: Relation[];
  violations: Violation[];
}

const asRecord = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Pointers of every reference a relation field holds: `/spec/field` or `/spec/field/i`. */
function referenceItems(spec: Record<string, unknown>, field: string): Array<{ text: unknown; pointer: string }> {
  const value = spec[field];
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((text, i) => ({ text, pointer: `/spec/${field}/${i}` }));
  return [{ text: value, pointer: `/spec/${field}` }];
}

/**
 * Turns a schema-valid document into an entity and the relations its spec
 * declares (per the relation table). Malformed references become violations.
 */
export function buildEntity(doc: ParsedDocument, kind: string, file: string, blob: string): BuiltEntity {
  const metadata = { ...asRecord(doc.value.metadata) } as EntityMetadata;
  metadata.namespace = typeof metadata.namespace === 'string' ? metadata.namespace : DEFAULT_NAMESPACE;
  const spec = asRecord(doc.value.spec);
  const apiVersion = String(doc.value.apiVersion);
  const ref = stringifyRef({ kind, namespace: metadata.namespace, name: String(metadata.name) });
  const start = doc.positions[''] ?? [1, 1];
  const pos = (pointer: string): Position => doc.positions[pointer] ?? doc.positions[pointer.replace(/\/\d+$/, '')] ?? start;
  const positions: Record<string, Position> = { '': start, '/metadata/name': pos('/metadata/name') };
  const relations: Relation[] = [];
  const violations: Violation[] = [];
  for (const rule of rulesFor(apiVersion)) {
    for (const { text, pointer } of referenceItems(spec, rule.field)) {
      const [line, column] = pos(pointer);
      positions[pointer] = [line, column];
      const parsed = parseRef(String(text), { defaultKind: rule.defaultKind, defaultNamespace: metadata.namespace });
      if (!parsed.ok) {
        violations.push({ rule: 'reference', severity: 'error', message: `spec.${rule.field}: ${parsed.message}`, ref, file, line, column });
        continue;
      }
      const other = stringifyRef(parsed.ref);
      const [source, target] = rule.reversed ? [other, ref] : [ref, other];
      relations.push({ type: rule.relation, source, target, field: rule.field, location: { file, line, column } });
    }
  }
  const entity: Entity = {
    ref,
    apiVersion,
    kind,
    metadata,
    spec,
    source: { file, line: start[0], column: start[1], blob, document: doc.index },
    positions,
  };
  return { entity, relations, violations };
}
