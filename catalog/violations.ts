import { splitRef } from './refs.ts';
import { REVERSED_FIELDS } from './relations.ts';
import type { Relation, SourceLocation, Violation } from './types.ts';

/*
 * The violations assembling a snapshot reports, one builder per rule, so that
 * a full assembly and a derivation word them alike.
 */

/** Order of a snapshot's violations: file, line, column, message. */
export const compareViolations = (a: Violation, b: Violation): number =>
  (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.message.localeCompare(b.message);

/** A violation of a parse result, named with the path the blob was read at. */
export const withFile = (v: Violation, file: string): Violation => (v.file === undefined || v.file === file ? v : { ...v, file });

/** The violation for a second definition of `ref` (its name at `file`:`at`), naming where the definition kept is. */
export function duplicateViolation(ref: string, file: string, [line, column]: readonly [number, number], kept: SourceLocation): Violation {
  return {
    rule: 'duplicate',
    severity: 'error',
    message: `${ref} is already defined at ${kept.file}:${kept.line}:${kept.column} (names are unique per kind and namespace, case-insensitive)`,
    ref,
    file,
    line,
    column,
  };
}

/** The ends of a relation as its declaring entity sees them: itself (`owner`) and the entity it names (`other`). */
export function declaredEnds(rel: Pick<Relation, 'field' | 'source' | 'target'>): { owner: string; other: string } {
  return REVERSED_FIELDS.has(rel.field) ? { owner: rel.target, other: rel.source } : { owner: rel.source, other: rel.target };
}

/**
 * The violation for a relation naming an entity that is not in the catalog:
 * an error, or a warning when the entity's kind is one cmdb.yaml declares
 * external (`references.external`: it may live outside the repository).
 */
export function danglingViolation(rel: Relation, external: readonly string[] = []): Violation {
  const { owner, other } = declaredEnds(rel);
  const kind = splitRef(other).kind;
  const outside = external.includes(kind);
  return {
    rule: 'dangling-reference',
    severity: outside ? 'warning' : 'error',
    message: outside
      ? `spec.${rel.field} refers to ${other}, which is not in this repository (kind ${kind} is external: references.external in cmdb.yaml)`
      : `spec.${rel.field} refers to ${other}, which does not exist`,
    ref: owner,
    target: other,
    ...rel.location,
  };
}

/**
 * Order-sensitive outcomes (which duplicate wins, what dangles) rule out
 * deriving the next commit from this one. A reference to a missing entity of
 * an external kind (a warning) does not: a derivation reads in full only when
 * a change defines the entity it names (see deriveTable).
 */
export const isSimple = (violations: readonly Violation[]) =>
  !violations.some((v) => v.rule === 'duplicate' || (v.rule === 'dangling-reference' && v.severity === 'error'));
