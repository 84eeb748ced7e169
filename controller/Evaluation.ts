import type { CatalogReader } from '../catalog/CatalogReader.ts';
import type { Criticality, Entity, RefString, Snapshot, SnapshotDiff, Violation } from '../catalog/types.ts';
import type { GraphStore } from '../graph/GraphStore.ts';
import type { PolicyActivation } from '../policies/cel.ts';
import type { Directory } from '../policies/directory.ts';
import type { PolicyEvaluation } from '../policies/evaluate.ts';
import type { SourceLoader } from '../policies/positions.ts';
import type { Rulebook } from '../policies/rulebook.ts';
import type { ApprovalsOutcome, ChangeType, Conflict, OpenChange, Risk, WindowsOutcome } from '../policies/types.ts';

import type { Decision } from '../core/types.ts';

export type { Decision } from '../core/types.ts';

/** What is being evaluated: two revisions of the config repo and the change's context. */
export interface ChangeInput {
  base: string;
  head: string;
  title?: string;
  /** GitHub login of the author: never counts as an approver. */
  author?: string;
  /** Pull-request labels; `emergency` makes an emergency change. */
  labels?: string[];
  /** GitHub logins of the reviewers who approved. */
  approvedBy?: string[];
  /** When the change is evaluated (windows, `now` in CEL); default: the time the evaluation starts. */
  at?: Date;
  /** Other open changes, to report overlapping impact. */
  openChanges?: OpenChange[];
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
  /** State the policy steps share; set by the rules step. */
  policyRun?: PolicyRun;
  /** Windows active now that apply to the change, and the next maintenance window. */
  windows?: WindowsOutcome;
  /** Names of the policies that matched, in evaluation order. */
  policies?: string[];
  risk?: Risk;
  /** What raised the risk above low, highest first. */
  riskReasons?: string[];
  changeType?: ChangeType;
  /** For a standard change: the standard policies that pre-approve it. */
  standardBy?: string[];
  approvals?: ApprovalsOutcome;
  conflicts?: Conflict[];
  decision?: Decision;
}

/**
 * What the policy steps share. Policies, windows, settings and the directory
 * of users and groups come from the base commit (the target branch), so a
 * change cannot loosen the rules that judge it, as GitHub reads CODEOWNERS
 * from the base branch; the head's definitions are type-checked only.
 */
export interface PolicyRun {
  now: Date;
  rulebook: Rulebook;
  directory: Directory;
  /** The CEL activation of policies; `windows` is filled by the windows step. */
  activation: PolicyActivation;
  /** Source text of blobs, for exact positions. */
  loader: SourceLoader;
  /** An entity of the head, else of the base, else a window's, by ref. */
  entityOf(ref: RefString): Entity | undefined;
  /** Set by the policies step. */
  result?: PolicyEvaluation;
}

/** What steps may use. */
export interface EvaluationContext {
  reader: CatalogReader;
  /** Graph store loaded with the head snapshot by the impact step. */
  graph: GraphStore;
}

/** One step of the change evaluation: reads the evaluation so far and adds its findings. */
export type Step = (evaluation: Evaluation, context: EvaluationContext) => Promise<void>;
