import type { CatalogReader } from '../catalog/CatalogReader.ts';
import type { ConfigSectionCheck } from './configSections.ts';
import type { Criticality, Entity, RefString, Snapshot, SnapshotDiff, Violation } from '../catalog/types.ts';
import type { GraphStore } from '../graph/GraphStore.ts';
import type { CelWindow, PolicyActivation } from '../policies/cel.ts';
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

/** A step that threw: the evaluation stopped there and decided `internal`. */
export interface StepFailure {
  /** The step's name (`load`, `impact`...). */
  step: string;
  /** The error's message (`file:line:column: message` for a CmdbError with a location). */
  message: string;
}

/**
 * Everything the steps find, by key. Each key is added by exactly one step,
 * except `violations`, which several steps add to (their lists are appended).
 */
export interface Findings {
  base: Snapshot;
  head: Snapshot;
  /** The context's graph store, loaded with the head snapshot. */
  graph: GraphStore;
  diff: SnapshotDiff;
  impact: ChangeImpact;
  violations: Violation[];
  /** What the policy steps share (rulebook and directory of the base commit...). */
  policyRun: PolicyRun;
  /** Windows active now that apply to the change, as policies see them (`windows` in CEL). */
  activeWindows: CelWindow[];
  /** Windows active now that apply to the change, and the next maintenance window. */
  windows: WindowsOutcome;
  /** Every policy evaluated: findings, matched and failed policies. */
  policyResult: PolicyEvaluation;
  /** Names of the policies that matched, in evaluation order. */
  policies: string[];
  risk: Risk;
  /** What raised the risk above low, highest first. */
  riskReasons: string[];
  changeType: ChangeType;
  /** For a standard change: the standard policies that pre-approve it. */
  standardBy: string[];
  approvals: ApprovalsOutcome;
  conflicts: Conflict[];
  /** Runbooks of the changed and impacted entities (`catalog/runbooks.ts`), by path. */
  runbooks: ChangeRunbook[];
  decision: Decision;
}

/** A runbook of a change: its file and title, and the changed or impacted entities it is linked to (in the order the change lists them). */
export interface ChangeRunbook {
  path: string;
  title: string;
  refs: RefString[];
}

/** A key a step may read or add. */
export type FindingKey = keyof Findings;

/**
 * A change evaluation: the input and what the steps that ran added.
 * `decision` is set by the final step, always; `failure` names the step that
 * threw, when one did (the decision is then `internal`).
 */
export interface Evaluation extends Partial<Findings> {
  input: ChangeInput;
  violations: Violation[];
  failure?: StepFailure;
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
  /** The CEL activation of policies, without `windows` (the windows step finds them: `activeWindows`). */
  activation: Omit<PolicyActivation, 'windows'>;
  /** Source text of blobs, for exact positions. */
  loader: SourceLoader;
  /** An entity of the head, else of the base, else a window's, by ref. */
  entityOf(ref: RefString): Entity | undefined;
}

/** One step's timing, reported through `EvaluationContext.onStep`. */
export interface StepTiming {
  step: string;
  ms: number;
  /** What the step threw, when it did. */
  error?: unknown;
}

/** What steps may use. */
export interface EvaluationContext {
  reader: CatalogReader;
  /** Graph store the load step loads with the head snapshot. */
  graph: GraphStore;
  /** Called after each step that ran, with its duration (a metric). */
  onStep?: (e: { step: string; ms: number; error?: unknown }) => void;
  /** Checks of cmdb.yaml sections read above this layer; the validate step reports the head's problems. */
  configSections?: readonly ConfigSectionCheck[];
}

/** What a step sees: the input and the keys it reads. */
export type StepView<R extends FindingKey> = { readonly input: ChangeInput } & { readonly [K in R]: Findings[K] };

/**
 * One step of the change evaluation. It declares the keys it reads (each
 * added by an earlier step: `checkStepOrder`) and the keys it adds, sees only
 * the input and what it reads, and returns its additions (it never mutates
 * what it reads).
 */
export interface Step<R extends FindingKey = FindingKey, A extends FindingKey = FindingKey> {
  readonly name: string;
  readonly reads: readonly R[];
  readonly adds: readonly A[];
  run(view: StepView<R>, context: EvaluationContext): Promise<Pick<Findings, A>>;
  /**
   * Starts reads the step will need, from the input alone, before any step
   * runs (git answers them beside the base's read); never throws, its result
   * is not waited for. The step must not depend on it having run.
   */
  prefetch?(input: ChangeInput, context: EvaluationContext): void;
}

/** Any step, whatever it reads and adds (what a list of steps holds). */
export interface AnyStep {
  readonly name: string;
  readonly reads: readonly FindingKey[];
  readonly adds: readonly FindingKey[];
  run(view: never, context: EvaluationContext): Promise<Partial<Findings>>;
  prefetch?(input: ChangeInput, context: EvaluationContext): void;
}

/** A step, typed by what it declares (reads and adds are checked against `run`). */
export const defineStep = <R extends FindingKey, A extends FindingKey>(step: Step<R, A>): Step<R, A> => step;
