import type { ParseResult } from '@marcbachmann/cel-js';
import type { Entity, RefString } from '../catalog/types.ts';
import type { CelChangedEntity, PolicyActivation } from './cel.ts';
import type { EntityPlace } from './positions.ts';

export type Enforcement = 'advisory' | 'soft-mandatory' | 'hard-mandatory';
import type { ChangeType, Risk } from '../core/types.ts';

export type { ChangeType, Risk } from '../core/types.ts';
/** Lowest first. */
export const RISK_LEVELS: readonly Risk[] = ['low', 'moderate', 'high'];
export type WindowType = 'freeze' | 'maintenance';

/** Special `approvals[].from` values, besides a Group (or User) reference. */
export const OWNERS_OF_IMPACTED = 'owners-of-impacted';
export const OWNERS_OF_CHANGED = 'owners-of-changed';
export type ApprovalFrom = RefString | typeof OWNERS_OF_IMPACTED | typeof OWNERS_OF_CHANGED;

/** Where a policy or window is defined: a config-repo entity, or the built-in pack (no entity). */
export interface Origin {
  ref: RefString;
  entity?: Entity;
}

/** A type-checked CEL expression, ready to run; `pointer` locates it in its entity (`/spec/match`). */
export interface CompiledExpression {
  source: string;
  pointer: string;
  program: ParseResult;
}

export interface CompiledRule {
  expression: CompiledExpression;
  message: string;
}

export interface ApprovalSpec {
  from: ApprovalFrom;
  count: number;
}

/** What a standard change may touch; absent lists mean "any". */
export interface StandardScope {
  kinds?: string[];
  fields?: string[];
}

/** Something a built-in policy can say about a failure: a note, and where to report it. */
export interface Explanation {
  note: string;
  place?: EntityPlace;
}

/** What a built-in policy's `explain` hook is given. */
export interface ExplainContext {
  /** The changed entity that fails the rule; absent when the failure is about the change as a whole. */
  entity?: CelChangedEntity;
  activation: PolicyActivation;
  /** An entity of the head (else the base, else a window) by ref. */
  entityOf(ref: RefString): Entity | undefined;
}

/** A ChangePolicy, compiled. */
export interface Policy {
  name: string;
  description: string;
  match?: CompiledExpression;
  rules: CompiledRule[];
  enforcement: Enforcement;
  /** Who may override a soft-mandatory failure by approving (Group or User refs). */
  owners: RefString[];
  approvals: ApprovalSpec[];
  risk?: Risk;
  standard: boolean;
  scope?: StandardScope;
  origin: Origin;
  /** Built-in policies only: details of a failure, for precise reports (one violation per explanation). */
  explain?: (context: ExplainContext) => Explanation[];
}

/** A ChangeWindow, compiled. `end` is exclusive. */
export interface Window {
  name: string;
  type: WindowType;
  start: Date;
  end: Date;
  description?: string;
  appliesTo?: CompiledExpression;
  origin: Origin;
}

/** A window that applies to the change, as reported. */
export interface WindowReport {
  name: string;
  ref: RefString;
  type: WindowType;
  /** RFC 3339, UTC. */
  start: string;
  end: string;
  description?: string;
  /** Changed or impacted entities the window applies to, sorted. */
  entities: RefString[];
}

export interface WindowsOutcome {
  /** Windows active at the evaluation time that apply to the change. */
  active: WindowReport[];
  /** The next maintenance window (starting after the evaluation time) that applies to the change. */
  next: WindowReport | null;
}

export interface ApprovalRequirement {
  /** A Group (or User) ref. */
  from: RefString;
  count: number;
  reason: string;
  /** Logins of reviewers counting for it (never the author). */
  satisfiedBy: string[];
}

export interface ApprovalsOutcome {
  required: ApprovalRequirement[];
  satisfied: boolean;
}

/** Another open change whose impact overlaps this one's. */
export interface Conflict {
  id: string;
  title?: string;
  /** Entities both changes change or impact, sorted. */
  refs: RefString[];
}

/** Another open change, as given by the caller. */
export interface OpenChange {
  id: string;
  title?: string;
  /** Entities it changes or impacts. */
  impacted: RefString[];
}

