/** What the health of a live object says: only `unhealthy` becomes a finding. */
export type HealthStatus = 'healthy' | 'progressing' | 'unhealthy';

export interface Health {
  status: HealthStatus;
  /** A short CamelCase reason (kstatus's and the controllers' own where they exist). */
  reason: string;
  message: string;
}

/** A dotted path into the live object, e.g. `status.updatedReplicas`. */
export type FieldPath = string;

/**
 * One health rule: data the evaluator reads. Rules of a kind are tried in
 * order; the first that decides gives the health.
 */
export type HealthRule =
  /** A `status.conditions` entry of this type (and status / reason when given) exists. */
  | { when: 'condition'; type: string; status?: 'True' | 'False' | 'Unknown'; reason?: string; then: Outcome }
  /** `have` < `than` (− `minus`), integers with defaults for absent fields; skipped unless `requires` is present. */
  | { when: 'fewer'; have: Count; than: Count; minus?: FieldPath; requires?: FieldPath; then: Outcome }
  /** The field holds this value. */
  | { when: 'equals'; path: FieldPath; value: string | number | boolean; then: Outcome }
  /** The field is present (not null). */
  | { when: 'present'; path: FieldPath; then: Outcome }
  /** The field is absent. */
  | { when: 'absent'; path: FieldPath; then: Outcome }
  /** The two fields differ. */
  | { when: 'differ'; a: FieldPath; b: FieldPath; then: Outcome };

/** An integer field and the value an absent one has. */
export interface Count {
  path: FieldPath;
  default: number;
}

/**
 * What a rule decides. `message` may name `{have}`, `{than}` (the counts of
 * a `fewer` rule), `{a}`, `{b}`, `{value}`, `{reason}` and `{message}` (of a
 * matched condition) and `{kind}`, `{name}`.
 */
export interface Outcome {
  status: HealthStatus;
  reason: string;
  message: string;
}
