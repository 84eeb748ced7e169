import { createRequire } from 'node:module';
import type { Environment } from '@marcbachmann/cel-js';
import type { SchemaIssue } from './messages.ts';

type CelLibrary = typeof import('@marcbachmann/cel-js');
let library: CelLibrary | undefined;
/**
 * The CEL library, loaded when an expression is first met (synchronously,
 * as the parser threads need it): a thread that parses no ChangePolicy or
 * ChangeWindow, and a command that meets none, never pays its ~20 ms load.
 * The same module instance as an `import` of it.
 */
const cel = (): CelLibrary => (library ??= createRequire(import.meta.url)('@marcbachmann/cel-js') as CelLibrary);

/*
 * The CEL expressions of ChangePolicy and ChangeWindow: what they may refer
 * to (types and variables, declared once here; policies/ adds the runtime
 * classes) and how one is checked. The check is part of the catalog format:
 * it runs when the catalog is read, also on a document whose schema fails.
 */

export const CEL_TIMESTAMP = 'google.protobuf.Timestamp';

/** Object types of the variables, by name: field -> CEL type. */
export const CEL_TYPES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  ChangedEntity: {
    ref: 'string',
    kind: 'string',
    op: 'string',
    file: 'string',
    fields: 'list<string>',
    before: 'map<string, dyn>',
    after: 'map<string, dyn>',
    criticality: 'string',
    owner: 'string',
    dependents: 'list<string>',
    secrets: 'list<string>',
  },
  Change: { title: 'string', author: 'string', labels: 'list<string>', files: 'list<string>', entities: 'list<ChangedEntity>' },
  ImpactedEntity: { ref: 'string', kind: 'string', distance: 'int', criticality: 'string', owner: 'string' },
  Impact: { entities: 'list<ImpactedEntity>', count: 'int', maxCriticality: 'string', owners: 'list<string>' },
  Window: { name: 'string', ref: 'string', type: 'string', start: CEL_TIMESTAMP, end: CEL_TIMESTAMP, entities: 'list<string>' },
  Entity: {
    ref: 'string',
    kind: 'string',
    namespace: 'string',
    name: 'string',
    op: 'string',
    criticality: 'string',
    owner: 'string',
    labels: 'map<string, string>',
    spec: 'map<string, dyn>',
  },
};

/** Variables of each kind of expression: a policy's `match` and `rules[].expression`, a window's `appliesTo`. */
export const CEL_VARIABLES = {
  policy: { change: 'Change', impact: 'Impact', now: CEL_TIMESTAMP, windows: 'list<Window>' },
  window: { change: 'Change', impact: 'Impact', now: CEL_TIMESTAMP, entity: 'Entity' },
} as const;

export type CelScope = keyof typeof CEL_VARIABLES;

/**
 * A CEL environment of one scope. `ctors` gives the class of each object type
 * whose values are built by the caller (needed to run expressions, not to check them).
 */
export function celEnvironment(scope: CelScope, ctors: Readonly<Record<string, new (...args: never[]) => object>> = {}): Environment {
  let env = new (cel().Environment)({ limits: { maxAstNodes: 10_000, maxDepth: 100 } });
  for (const [name, fields] of Object.entries(CEL_TYPES)) {
    const ctor = ctors[name];
    env = env.registerType(name, ctor ? { ctor, fields: { ...fields } } : { fields: { ...fields } });
  }
  for (const [name, type] of Object.entries(CEL_VARIABLES[scope])) env = env.registerVariable(name, type);
  return env;
}

/** `/spec/rules/0/expression` -> `spec.rules[0].expression`. */
export const pointerLabel = (pointer: string): string =>
  pointer
    .slice(1)
    .split('/')
    .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`))
    .join('');

const list = (names: readonly string[]) => `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;

/** Why a CEL check failed, with what to do about it. */
function explainTypeError(code: string | undefined, summary: string, variables: readonly string[]): string {
  if (code === 'unknown_variable') return `${summary}; the variables here are ${list(variables)}`;
  if (code === 'no_such_key') return `${summary}; docs/policies.md lists the fields of ${list(variables)}`;
  return summary;
}

/** A problem of one expression: where (pointer, and offset inside the string) and what. */
export interface ExpressionProblem {
  pointer: string;
  offset?: number;
  message: string;
}

type Program = ReturnType<Environment['parse']>;

/**
 * Parses and type-checks one CEL expression of `env` (whose variables are
 * `variables`): it must give a bool (or dyn, checked when run). Never throws
 * on bad input.
 */
export function checkExpression(
  env: Environment,
  source: unknown,
  pointer: string,
  variables: readonly string[],
): { program: Program; problem?: undefined } | { program?: undefined; problem: ExpressionProblem } {
  const where = pointerLabel(pointer);
  const problem = (message: string, offset?: number) => ({ problem: { pointer, offset, message } });
  if (typeof source !== 'string' || source.trim() === '') return problem(`${where} must be a CEL expression (a non-empty string)`);
  let program: Program;
  try {
    program = env.parse(source);
  } catch (e) {
    if (!(e instanceof cel().ParseError)) throw e;
    return problem(`${where}: CEL syntax error: ${e.summary ?? e.message.split('\n')[0]}`, e.range?.start ?? 0);
  }
  const checked = program.check();
  if (!checked.valid) {
    const error = checked.error!;
    const kind = error instanceof cel().ParseError ? 'syntax' : 'type';
    return problem(`${where}: CEL ${kind} error: ${explainTypeError(error.code, error.summary ?? error.message.split('\n')[0], variables)}`, error.range?.start ?? 0);
  }
  if (checked.type !== 'bool' && checked.type !== 'dyn') return problem(`${where} must give true or false, but it gives a value of type ${checked.type}`, 0);
  return { program };
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The expressions a document of `kind` holds: [pointer, source, scope]; tolerates any shape. */
export function expressionsOf(kind: string, spec: unknown): Array<{ pointer: string; source: unknown; scope: CelScope }> {
  if (!isRecord(spec)) return [];
  if (kind === 'ChangeWindow') return spec.appliesTo === undefined ? [] : [{ pointer: '/spec/appliesTo', source: spec.appliesTo, scope: 'window' }];
  if (kind !== 'ChangePolicy') return [];
  const out: Array<{ pointer: string; source: unknown; scope: CelScope }> = [];
  if (spec.match !== undefined) out.push({ pointer: '/spec/match', source: spec.match, scope: 'policy' });
  if (Array.isArray(spec.rules)) {
    spec.rules.forEach((rule, i) => {
      if (isRecord(rule) && rule.expression !== undefined) out.push({ pointer: `/spec/rules/${i}/expression`, source: rule.expression, scope: 'policy' });
    });
  }
  return out;
}

let checking: Record<CelScope, Environment> | undefined;

/**
 * Problems of the CEL expressions of a ChangePolicy or ChangeWindow document
 * (`kind` canonical), as issues of rule `cel` with the offset inside the
 * expression; none for other kinds. Used on documents whose schema failed:
 * their expressions are still checked, in one run.
 */
export function expressionIssues(kind: string, doc: Record<string, unknown>): SchemaIssue[] {
  const expressions = expressionsOf(kind, doc.spec);
  if (expressions.length === 0) return [];
  checking ??= { policy: celEnvironment('policy'), window: celEnvironment('window') };
  const issues: SchemaIssue[] = [];
  for (const { pointer, source, scope } of expressions) {
    const { problem } = checkExpression(checking[scope], source, pointer, Object.keys(CEL_VARIABLES[scope]));
    if (problem) issues.push({ pointer, message: problem.message, rule: 'cel', offset: problem.offset });
  }
  return issues;
}
