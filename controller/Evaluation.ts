import type { CatalogReader } from '../catalog/CatalogReader.ts';
import type { Criticality, RefString, Snapshot, SnapshotDiff, Violation } from '../catalog/types.ts';
import type { GraphStore } from '../graph/GraphStore.ts';

export type Decision = 'pass' | 'needs-approval' | 'blocked';

/** What is being evaluated: two revisions of the config repo and the change's context. */
export interface ChangeInput {
  base: string;
  head: string;
  title?: string;
  author?: string;
  labels?: string[];
}

/** An impacted entity, enriched from the head snapshot. */
export interface ImpactEntry {
  ref: RefString;
  kind: string;
  distance: number;
  via: RefString[];
  criticality?: Criticality;
  owner?: RefString;
}

export interface ChangeImpact {
  /** Added and modified entities the impact was computed from. */
  roots: RefString[];
  /** Entities reached from the roots, never the roots themselves. */
  entities: ImpactEntry[];
  /** Highest criticality among changed and impacted entities. */
  maxCriticality?: Criticality;
  /** Owners of changed and impacted entities, sorted. */
  owners: RefString[];
}

/** Everything the steps found; `decision` is set by the final step only. */
export interface Evaluation {
  input: ChangeInput;
  base?: Snapshot;
  head?: Snapshot;
  diff?: SnapshotDiff;
  impact?: ChangeImpact;
  violations: Violation[];
  decision?: Decision;
}

/** What steps may use. */
export interface EvaluationContext {
  reader: CatalogReader;
  /** Graph store loaded with the head snapshot by the impact step. */
  graph: GraphStore;
}

/** One step of the change evaluation: reads the evaluation so far and adds its findings. */
export type Step = (evaluation: Evaluation, context: EvaluationContext) => Promise<void>;
