import type { JsonSchema } from '../fragments.ts';

/** One built-in kind: its canonical name and the schema of its `spec` per apiVersion family. */
export interface KindDefinition {
  /** Canonical name, e.g. `Component`. */
  kind: string;
  description: string;
  /** `spec` under backstage.io/v1alpha1 and v1beta1, as Backstage defines it: extra fields allowed. Absent when Backstage has no such kind. */
  backstage?: JsonSchema;
  /** `spec` under cmdb/v1: strict, unknown fields are errors. */
  cmdb: JsonSchema;
}
