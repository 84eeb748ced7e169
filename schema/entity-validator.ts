import type { SchemaIssue } from './messages.ts';

export type { SchemaIssue } from './messages.ts';

/** A kind declared by a `CIClass` entity: entities of it have apiVersion cmdb/v1. */
export interface CIClassDefinition {
  /** PascalCase name of the new kind; must not be a built-in kind. */
  kind: string;
  /** JSON Schema (draft-07) of the `spec` of entities of this kind. */
  schema: object;
  /** Where the CIClass document is, for the caller's messages. */
  source?: { file: string; line: number; column: number };
  /** [line, column] of nodes of the CIClass document by JSON pointer, to place its issues at the offending node (else at `source`). */
  positions?: Readonly<Record<string, readonly [number, number]>>;
}

/**
 * Validates catalog documents against the schema of their kind. Immutable
 * and safe to share; documents are never modified.
 */
export interface EntityValidator {
  /** Canonical kind name (e.g. 'Component') for an apiVersion/kind pair (kind matched case-insensitively), or undefined when this validator does not know it. */
  resolveKind(apiVersion: string, kind: string): string | undefined;
  /** True when this apiVersion/kind is read generically: a Backstage kind this project does not define (only owner and system relations are read). */
  isGeneric(apiVersion: string, kind: string): boolean;
  /**
   * Validates a whole document (envelope + spec). Unknown apiVersion or kind:
   * one issue at /apiVersion or /kind naming the known ones. A missing field
   * is reported at its parent, an unknown field at the field itself. Never throws.
   */
  validate(doc: unknown): SchemaIssue[];
  /** Stable string that changes whenever the set of schemas changes (built-in schemas + CIClass definitions), used as a cache key. */
  readonly fingerprint: string;
}
