import type { Json, JsonObject } from '../types.ts';
import { DEFAULT_PROGRESS_DEADLINE_MS, GENERIC_RULES, KIND_RULES, READY_CONDITION_RULES, WATCHED_PROGRESS_KINDS } from './rules.ts';
import type { Health, HealthRule, Outcome } from './types.ts';

/** `group/Kind` of an object (`apps/Deployment`; core kinds have no group: `Service`). */
export function groupKind(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? kind : `${apiVersion.slice(0, slash)}/${kind}`;
}

function field(object: JsonObject, path: string): Json | undefined {
  let value: Json | undefined = object;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = Object.hasOwn(value, key) ? value[key] : undefined;
  }
  return value ?? undefined;
}

const integer = (object: JsonObject, path: string, fallback: number): number => {
  const value = field(object, path);
  return typeof value === 'number' ? value : fallback;
};

function conditionsOf(object: JsonObject): JsonObject[] {
  const list = field(object, 'status.conditions');
  return Array.isArray(list) ? list.filter((c): c is JsonObject => c !== null && typeof c === 'object' && !Array.isArray(c)) : [];
}

const fill = (template: string, values: Record<string, unknown>): string =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) => (values[name] === undefined ? whole : String(values[name])));

/** Applies one rule: the health it decides, or undefined when it does not apply. */
function apply(rule: HealthRule, object: JsonObject, names: Record<string, unknown>): Health | undefined {
  const decide = (outcome: Outcome, values: Record<string, unknown> = {}): Health => ({
    status: outcome.status,
    reason: outcome.reason,
    message: fill(outcome.message, { ...names, ...values }),
  });
  switch (rule.when) {
    case 'condition': {
      const c = conditionsOf(object).find(
        (c) => c.type === rule.type && (rule.status === undefined || c.status === rule.status) && (rule.reason === undefined || c.reason === rule.reason),
      );
      return c ? decide(rule.then, { reason: c.reason ?? '', message: c.message ?? c.reason ?? '' }) : undefined;
    }
    case 'fewer': {
      if (rule.requires !== undefined && field(object, rule.requires) === undefined) return undefined;
      const have = integer(object, rule.have.path, rule.have.default);
      const than = integer(object, rule.than.path, rule.than.default) - (rule.minus ? integer(object, rule.minus, 0) : 0);
      return have < than ? decide(rule.then, { have, than }) : undefined;
    }
    case 'equals':
      return field(object, rule.path) === rule.value ? decide(rule.then, { value: rule.value }) : undefined;
    case 'present':
      return field(object, rule.path) !== undefined ? decide(rule.then) : undefined;
    case 'absent':
      return field(object, rule.path) === undefined ? decide(rule.then) : undefined;
    case 'differ': {
      const [a, b] = [field(object, rule.a), field(object, rule.b)];
      return JSON.stringify(a) !== JSON.stringify(b) ? decide(rule.then, { a, b }) : undefined;
    }
  }
}

/** The rules `healthOf` tries for an object of this group/kind, in order. */
export function rulesFor(groupKindName: string): readonly HealthRule[] {
  return [...GENERIC_RULES, ...(KIND_RULES[groupKindName] ?? READY_CONDITION_RULES)];
}

/**
 * The health of a live object: the first rule that decides, else healthy.
 * Pure: the same object always gives the same health.
 */
export function healthOf(object: JsonObject): Health {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const kind = typeof object.kind === 'string' ? object.kind : 'object';
  const name = field(object, 'metadata.name') ?? '';
  const names = { kind, name };
  for (const rule of rulesFor(groupKind(apiVersion, kind))) {
    const health = apply(rule, object, names);
    if (health) return health;
  }
  return { status: 'healthy', reason: 'Current', message: `${kind} ${name} is current` };
}

/** How long an object has been progressing, kept by the caller between observations. */
export interface ProgressClock {
  /** When the object was first seen progressing without a break (ms since the epoch). */
  since?: number;
}

/**
 * Health over time for kinds whose controller has no progress deadline
 * (`WATCHED_PROGRESS_KINDS`): progressing for longer than `deadlineMs`
 * since first seen so becomes unhealthy `ProgressDeadlineExceeded`. Returns
 * the health and the clock to keep for the next observation.
 */
export function healthOverTime(
  object: JsonObject,
  clock: ProgressClock,
  now: number,
  deadlineMs = DEFAULT_PROGRESS_DEADLINE_MS,
): { health: Health; clock: ProgressClock } {
  const health = healthOf(object);
  if (health.status !== 'progressing') return { health, clock: {} };
  const since = clock.since ?? now;
  const watched = WATCHED_PROGRESS_KINDS.includes(groupKind(String(object.apiVersion ?? ''), String(object.kind ?? '')));
  if (!watched || now - since <= deadlineMs) return { health, clock: { since } };
  const minutes = Math.round((now - since) / 60_000);
  return {
    health: { status: 'unhealthy', reason: 'ProgressDeadlineExceeded', message: `${health.message}, still progressing after ${minutes} min (${health.reason})` },
    clock: { since },
  };
}
