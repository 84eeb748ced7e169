import type { Environment } from '@marcbachmann/cel-js';
import { checkExpression, pointerLabel } from '../schema/expressions.ts';
import { parseRef, stringifyRef } from '../catalog/refs.ts';
import type { Entity, RefString, Severity } from '../catalog/types.ts';
import { celEnvironments, POLICY_VARIABLES, WINDOW_VARIABLES } from './cel.ts';
import {
  OWNERS_OF_CHANGED,
  OWNERS_OF_IMPACTED,
  RISK_LEVELS,
  type ApprovalSpec,
  type CompiledExpression,
  type Enforcement,
  type Policy,
  type Risk,
  type StandardScope,
  type Window,
  type WindowType,
} from './types.ts';

/** A problem in a policy or window definition, at a pointer (and offset inside a CEL string). */
export interface DefinitionProblem {
  rule: 'cel' | 'policy-definition';
  severity: Severity;
  pointer: string;
  offset?: number;
  message: string;
}

export type Compiled<T> = { definition?: T; problems: DefinitionProblem[] };

const ENFORCEMENTS: readonly Enforcement[] = ['advisory', 'soft-mandatory', 'hard-mandatory'];

/** `/spec/rules/0/expression` -> `spec.rules[0].expression`. */
export { pointerLabel } from '../schema/expressions.ts';

/**
 * Parses and type-checks one CEL expression (schema/expressions.ts, the check
 * the catalog also runs on documents whose schema failed). An expression must
 * give a bool (or dyn, checked when run). Never throws on bad input.
 */
export function compileExpression(
  env: Environment,
  source: unknown,
  pointer: string,
  variables: readonly string[],
): { expression?: CompiledExpression; problem?: DefinitionProblem } {
  const checked = checkExpression(env, source, pointer, variables);
  if (checked.problem) return { problem: { rule: 'cel', severity: 'error', ...checked.problem } };
  return { expression: { source: source as string, pointer, program: checked.program } };
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A Group or User reference written in a policy (default kind group, the policy's namespace). */
function readPrincipal(text: unknown, namespace: string): { ref?: RefString; message?: string } {
  const parsed = parseRef(String(text), { defaultKind: 'group', defaultNamespace: namespace });
  if (!parsed.ok) return { message: parsed.message };
  if (parsed.ref.kind !== 'group' && parsed.ref.kind !== 'user') return { message: `"${String(text)}" must name a Group or a User` };
  return { ref: stringifyRef(parsed.ref) };
}

function readApprovals(spec: Record<string, unknown>, namespace: string, problems: DefinitionProblem[]): ApprovalSpec[] {
  const out: ApprovalSpec[] = [];
  asList(spec.approvals).forEach((a, i) => {
    const pointer = `/spec/approvals/${i}`;
    if (!isRecord(a)) return problems.push({ rule: 'policy-definition', severity: 'error', pointer, message: `${pointerLabel(pointer)} must be a mapping with from and count` });
    const count = a.count === undefined ? 1 : a.count;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1)
      problems.push({ rule: 'policy-definition', severity: 'error', pointer: `${pointer}/count`, message: `${pointerLabel(pointer)}.count must be a whole number of at least 1` });
    if (a.from === OWNERS_OF_IMPACTED || a.from === OWNERS_OF_CHANGED) return out.push({ from: a.from, count: Number(count) });
    const { ref, message } = readPrincipal(a.from, namespace);
    if (ref) return out.push({ from: ref, count: Number(count) });
    problems.push({
      rule: 'policy-definition',
      severity: 'error',
      pointer: `${pointer}/from`,
      message: `${pointerLabel(pointer)}.from: ${message}; write a group (group:cab), ${OWNERS_OF_IMPACTED} or ${OWNERS_OF_CHANGED}`,
    });
  });
  return out;
}

function readOwners(spec: Record<string, unknown>, namespace: string, problems: DefinitionProblem[]): RefString[] {
  const out: RefString[] = [];
  asList(spec.owners).forEach((text, i) => {
    const { ref, message } = readPrincipal(text, namespace);
    if (ref) out.push(ref);
    else problems.push({ rule: 'policy-definition', severity: 'error', pointer: `/spec/owners/${i}`, message: `spec.owners[${i}]: ${message}` });
  });
  return out;
}

function readScope(spec: Record<string, unknown>): StandardScope | undefined {
  if (!isRecord(spec.scope)) return undefined;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
  return { kinds: strings(spec.scope.kinds)?.map((k) => k.toLowerCase()), fields: strings(spec.scope.fields) };
}

/**
 * Compiles a ChangePolicy entity: every CEL expression is parsed and
 * type-checked, references resolved. With any error there is no definition:
 * a broken policy is never evaluated.
 */
export function compilePolicy(entity: Entity): Compiled<Policy> {
  const env = celEnvironments().policy;
  const spec = entity.spec;
  const problems: DefinitionProblem[] = [];
  const expression = (source: unknown, pointer: string) => {
    const r = compileExpression(env, source, pointer, POLICY_VARIABLES);
    if (r.problem) problems.push(r.problem);
    return r.expression;
  };
  const match = spec.match === undefined ? undefined : expression(spec.match, '/spec/match');
  const rules = asList(spec.rules).flatMap((rule, i) => {
    const r = isRecord(rule) ? rule : {};
    const compiled = expression(r.expression, `/spec/rules/${i}/expression`);
    return compiled ? [{ expression: compiled, message: typeof r.message === 'string' ? r.message : `rule ${i + 1} of ${entity.metadata.name}` }] : [];
  });
  const enforcement = (spec.enforcement ?? 'hard-mandatory') as Enforcement;
  if (!ENFORCEMENTS.includes(enforcement))
    problems.push({ rule: 'policy-definition', severity: 'error', pointer: '/spec/enforcement', message: `spec.enforcement must be one of ${ENFORCEMENTS.join(', ')}` });
  if (spec.risk !== undefined && !(RISK_LEVELS as readonly unknown[]).includes(spec.risk))
    problems.push({ rule: 'policy-definition', severity: 'error', pointer: '/spec/risk', message: `spec.risk must be one of ${RISK_LEVELS.join(', ')}` });
  const owners = readOwners(spec, entity.metadata.namespace, problems);
  const approvals = readApprovals(spec, entity.metadata.namespace, problems);
  if (enforcement === 'soft-mandatory' && owners.length === 0 && asList(spec.rules).length > 0)
    problems.push({
      rule: 'policy-definition',
      severity: 'warning',
      pointer: '/spec/enforcement',
      message: 'a soft-mandatory policy without spec.owners cannot be overridden by anyone; add owners, or make it hard-mandatory',
    });
  if (problems.some((p) => p.severity === 'error')) return { problems };
  return {
    problems,
    definition: {
      name: entity.metadata.name,
      description: typeof spec.description === 'string' ? spec.description : '',
      match,
      rules,
      enforcement,
      owners,
      approvals,
      risk: spec.risk as Risk | undefined,
      standard: spec.standard === true,
      scope: readScope(spec),
      origin: { ref: entity.ref, entity },
    },
  };
}

/** Milliseconds of an RFC 3339 string, or undefined. */
function readTime(value: unknown): Date | undefined {
  if (typeof value !== 'string' && !(value instanceof Date)) return undefined;
  const date = new Date(value instanceof Date ? value.getTime() : value.replace(' ', 'T'));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Compiles a ChangeWindow entity (its `appliesTo` type-checked, times parsed). */
export function compileWindow(entity: Entity): Compiled<Window> {
  const spec = entity.spec;
  const problems: DefinitionProblem[] = [];
  let appliesTo: CompiledExpression | undefined;
  if (spec.appliesTo !== undefined) {
    const r = compileExpression(celEnvironments().window, spec.appliesTo, '/spec/appliesTo', WINDOW_VARIABLES);
    if (r.problem) problems.push(r.problem);
    appliesTo = r.expression;
  }
  const type = spec.type as WindowType;
  if (type !== 'freeze' && type !== 'maintenance')
    problems.push({ rule: 'policy-definition', severity: 'error', pointer: '/spec/type', message: 'spec.type must be freeze or maintenance' });
  const start = readTime(spec.start);
  const end = readTime(spec.end);
  for (const [field, value] of [['start', start], ['end', end]] as const)
    if (!value) problems.push({ rule: 'policy-definition', severity: 'error', pointer: `/spec/${field}`, message: `spec.${field} must be an RFC 3339 date-time, e.g. 2026-12-20T00:00:00Z` });
  if (start && end && end <= start) problems.push({ rule: 'policy-definition', severity: 'error', pointer: '/spec/end', message: 'spec.end must be after spec.start' });
  if (problems.some((p) => p.severity === 'error')) return { problems };
  return {
    problems,
    definition: {
      name: entity.metadata.name,
      type,
      start: start!,
      end: end!,
      description: typeof spec.description === 'string' ? spec.description : undefined,
      appliesTo,
      origin: { ref: entity.ref, entity },
    },
  };
}

const policyCache = new WeakMap<Entity, Compiled<Policy>>();
const windowCache = new WeakMap<Entity, Compiled<Window>>();

/** compilePolicy, memoized per entity object (unchanged files of two commits share entities). */
export function compiledPolicy(entity: Entity): Compiled<Policy> {
  let hit = policyCache.get(entity);
  if (!hit) policyCache.set(entity, (hit = compilePolicy(entity)));
  return hit;
}

/** compileWindow, memoized per entity object. */
export function compiledWindow(entity: Entity): Compiled<Window> {
  let hit = windowCache.get(entity);
  if (!hit) windowCache.set(entity, (hit = compileWindow(entity)));
  return hit;
}
