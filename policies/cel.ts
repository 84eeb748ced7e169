import { EvaluationError, type Environment } from '@marcbachmann/cel-js';
import { CEL_VARIABLES, celEnvironment } from '../schema/expressions.ts';
import type { Entity, RefString } from '../catalog/types.ts';
import type { CompiledExpression } from './types.ts';

/*
 * The CEL world policies and windows see. Integers are BigInt in CEL: every
 * whole number handed in (`distance`, `count`, and whole numbers inside
 * `before`, `after` and `spec`) is converted with toCel(); other numbers stay
 * doubles. Strings that are absent are '' (never null), lists are [] and maps {}.
 */

/** Converts a YAML value for CEL: whole numbers become BigInt, containers are copied. */
export function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toCel(v);
    return out;
  }
  return value;
}

/** A value computed on first use and kept: most policies never read most fields. */
export type Lazy<T> = () => T;

function once<T>(f: Lazy<T>): Lazy<T> {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = f();
      done = true;
    }
    return value;
  };
}

/** One entity of `change.entities`. */
export class CelChangedEntity {
  ref!: RefString;
  /** Lower case, as in refs (`component`). */
  kind!: string;
  op!: 'added' | 'modified' | 'removed';
  file!: string;
  /** Dotted paths of changed fields (modified only). */
  fields!: string[];
  criticality!: string;
  owner!: string;
  private readonly lazy: { before: Lazy<Record<string, unknown>>; after: Lazy<Record<string, unknown>>; dependents: Lazy<RefString[]>; secrets: Lazy<string[]> };
  /** `before`, `after`, `dependents` and `secrets` are computed on first use. */
  constructor(options: Pick<CelChangedEntity, 'ref' | 'kind' | 'op' | 'file' | 'fields' | 'criticality' | 'owner'> & CelChangedEntity['lazy']) {
    const { before, after, dependents, secrets, ...rest } = options;
    Object.assign(this, rest);
    this.lazy = { before: once(before), after: once(after), dependents: once(dependents), secrets: once(secrets) };
  }
  /** The document before the change (`apiVersion`, `kind`, `metadata`, `spec`); {} when added. */
  get before(): Record<string, unknown> {
    return this.lazy.before();
  }
  /** The document after the change; {} when removed. */
  get after(): Record<string, unknown> {
    return this.lazy.after();
  }
  /** Entities (after the change) that still refer to this one. */
  get dependents(): RefString[] {
    return this.lazy.dependents();
  }
  /** Dotted paths of secret-looking values in `after`. */
  get secrets(): string[] {
    return this.lazy.secrets();
  }
}

/** The `change` variable. */
export class CelChange {
  title!: string;
  author!: string;
  labels!: string[];
  entities!: CelChangedEntity[];
  private readonly filesOf: Lazy<string[]>;
  /** `files` is computed on first use. */
  constructor(options: Pick<CelChange, 'title' | 'author' | 'labels' | 'entities'> & { files: Lazy<string[]> }) {
    const { files, ...rest } = options;
    Object.assign(this, rest);
    this.filesOf = once(files);
  }
  /** Catalog files added, modified or removed. */
  get files(): string[] {
    return this.filesOf();
  }
  /** The same change restricted to some entities (to find which entity breaks a rule). */
  withEntities(entities: CelChangedEntity[]): CelChange {
    return new CelChange({ title: this.title, author: this.author, labels: this.labels, files: this.filesOf, entities });
  }
}

/** One entity of `impact.entities`. */
export class CelImpactedEntity {
  ref!: RefString;
  kind!: string;
  /** BigInt: hops from the nearest changed entity. */
  distance!: bigint;
  criticality!: string;
  owner!: string;
  constructor(options: Omit<CelImpactedEntity, never>) {
    Object.assign(this, options);
  }
}

/** The `impact` variable. */
export class CelImpact {
  entities!: CelImpactedEntity[];
  /** BigInt: size of `entities`. */
  count!: bigint;
  /** Highest criticality changed or impacted, '' when none. */
  maxCriticality!: string;
  /** Owners of changed and impacted entities. */
  owners!: RefString[];
  constructor(options: Omit<CelImpact, never>) {
    Object.assign(this, options);
  }
}

/** One element of `windows`: an active change window that applies to the change. */
export class CelWindow {
  name!: string;
  ref!: RefString;
  type!: string;
  start!: Date;
  end!: Date;
  /** Changed or impacted entities it applies to. */
  entities!: RefString[];
  constructor(options: Omit<CelWindow, never>) {
    Object.assign(this, options);
  }
}

/** The `entity` variable of a window's `appliesTo`: one changed or impacted entity. */
export class CelEntity {
  ref!: RefString;
  kind!: string;
  /** added | modified | removed | impacted */
  op!: string;
  criticality!: string;
  owner!: string;
  labels!: Record<string, string>;
  private readonly entity: () => Pick<Entity, 'metadata' | 'spec'>;
  private converted?: Record<string, unknown>;
  /** `namespace`, `name` and `spec` are read from the entity on first use: most windows never look at them. */
  constructor(options: Pick<CelEntity, 'ref' | 'kind' | 'op' | 'criticality' | 'owner' | 'labels'> & { entity: () => Pick<Entity, 'metadata' | 'spec'> }) {
    const { entity, ...rest } = options;
    Object.assign(this, rest);
    this.entity = entity;
  }
  get namespace(): string {
    return this.entity().metadata.namespace;
  }
  get name(): string {
    return this.entity().metadata.name;
  }
  get spec(): Record<string, unknown> {
    return (this.converted ??= toCel(this.entity().spec) as Record<string, unknown>);
  }
}

/** Variables of policy expressions (`match`, `rules[].expression`). */
export const POLICY_VARIABLES = Object.keys(CEL_VARIABLES.policy) as Array<keyof typeof CEL_VARIABLES.policy>;
/** Variables of a window's `appliesTo`. */
export const WINDOW_VARIABLES = Object.keys(CEL_VARIABLES.window) as Array<keyof typeof CEL_VARIABLES.window>;

/** The classes of the values handed to expressions, by CEL type (the types themselves: schema/expressions.ts). */
const CTORS = {
  ChangedEntity: CelChangedEntity,
  Change: CelChange,
  ImpactedEntity: CelImpactedEntity,
  Impact: CelImpact,
  Window: CelWindow,
  Entity: CelEntity,
};

let environments: { policy: Environment; window: Environment } | undefined;

/** The two CEL environments, built once per process. */
export function celEnvironments(): { policy: Environment; window: Environment } {
  environments ??= { policy: celEnvironment('policy', CTORS), window: celEnvironment('window', CTORS) };
  return environments;
}

/** The activation of a policy expression. */
export interface PolicyActivation {
  change: CelChange;
  impact: CelImpact;
  now: Date;
  windows: CelWindow[];
}

/** The activation of a window's `appliesTo`. */
export interface WindowActivation {
  change: CelChange;
  impact: CelImpact;
  now: Date;
  entity: CelEntity;
}

export type RunResult = { ok: true; value: boolean } | { ok: false; message: string };

/** Runs a compiled expression; a runtime error or a non-boolean result is a value, not a throw. */
export function runExpression(expression: CompiledExpression, activation: PolicyActivation | WindowActivation): RunResult {
  let value: unknown;
  try {
    value = expression.program(activation);
  } catch (e) {
    if (e instanceof EvaluationError) return { ok: false, message: e.summary ?? e.message.split('\n')[0] };
    throw e;
  }
  if (typeof value !== 'boolean') return { ok: false, message: `gave ${typeof value === 'bigint' ? 'an int' : JSON.stringify(value)}, not true or false` };
  return { ok: true, value };
}
