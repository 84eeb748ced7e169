import type { Drift, Json, JsonObject } from '../types.ts';
import { formatPath, matchesPattern, type Segment } from './path.ts';
import { removePointers } from './pointer.ts';
import { parseQuantity, quantitiesEqual } from './quantity.ts';
import { DEFAULT_TABLES, type CompareTables, type MergeKeyRow } from './tables.ts';

export interface CompareOptions {
  /** Pointers into the expected object never compared (`pointer.ts`). */
  ignore?: readonly string[];
  /** A HorizontalPodAutoscaler targets the object: `spec.replicas` is not compared. */
  replicasManagedByHpa?: boolean;
  /** Kind of the object, for table rows limited to kinds. */
  kind?: string;
  tables?: CompareTables;
}

/** The pointer the HPA rule removes: an autoscaler owns the replica count. */
export const HPA_MANAGED_POINTER = '/spec/replicas';

/**
 * Steps run on the expected object before the walk, in order. Each takes the
 * expected value and returns what is left to compare.
 */
const EXPECTED_STEPS: ReadonlyArray<(expected: Json, options: CompareOptions) => Json> = [
  function ignorePointers(expected, options) {
    return removePointers(expected, options.ignore ?? []);
  },
  function replicasOwnedByHpa(expected, options) {
    return options.replicasManagedByHpa ? removePointers(expected, [HPA_MANAGED_POINTER]) : expected;
  },
];

/**
 * Compares a partial expected object with the live one: every field the
 * expected side gives must match, nothing else counts. One drift per
 * differing leaf (a missing list item is one leaf), in expected order.
 */
export function compareObjects(expected: JsonObject, actual: JsonObject, options: CompareOptions = {}): Drift[] {
  const prepared = EXPECTED_STEPS.reduce<Json>((value, step) => step(value, options), expected);
  const walk: Walk = { tables: options.tables ?? DEFAULT_TABLES, kind: options.kind };
  return compareValue(walk, [], prepared, actual);
}

interface Walk {
  tables: CompareTables;
  kind?: string;
}

interface Context {
  walk: Walk;
  path: Segment[];
  expected: Json;
  /** Undefined when the live object has no such field. */
  actual: Json | undefined;
}

/**
 * One comparison rule: the first rule whose `applies` holds decides the
 * value (and recurses through `compareValue` for children).
 */
interface ValueRule {
  name: string;
  applies(ctx: Context): boolean;
  compare(ctx: Context): Drift[];
}

const isObject = (v: Json | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);
const isScalar = (v: Json | undefined): boolean => v === null || (typeof v !== 'object' && v !== undefined);

const drift = (ctx: Context): Drift[] => [
  ctx.actual === undefined
    ? { field: formatPath(ctx.path), expected: ctx.expected }
    : { field: formatPath(ctx.path), expected: ctx.expected, actual: ctx.actual },
];
const driftIf = (differs: boolean, ctx: Context): Drift[] => (differs ? drift(ctx) : []);

const anyPattern = (patterns: readonly string[], path: Segment[]) => patterns.some((p) => matchesPattern(p, path));

function mergeKeyOf(ctx: Context): MergeKeyRow | undefined {
  return ctx.walk.tables.mergeKeys.find(
    (row) => (row.kinds === undefined || (ctx.walk.kind !== undefined && row.kinds.includes(ctx.walk.kind))) && matchesPattern(row.path, ctx.path),
  );
}

const INTEGER_TEXT = /^[+-]?\d+$/;

const RULES: readonly ValueRule[] = [
  {
    name: 'null means absent',
    applies: (ctx) => ctx.expected === null,
    compare: (ctx) => driftIf(ctx.actual !== undefined && ctx.actual !== null, ctx),
  },
  {
    name: 'quantities by value',
    applies: (ctx) => isScalar(ctx.expected) && parseQuantity(ctx.expected) !== undefined && anyPattern(ctx.walk.tables.quantities, ctx.path),
    compare: (ctx) => driftIf(!quantitiesEqual(ctx.expected, ctx.actual), ctx),
  },
  {
    name: 'int-or-string',
    applies: (ctx) => (typeof ctx.expected === 'number' || typeof ctx.expected === 'string') && anyPattern(ctx.walk.tables.intOrString, ctx.path),
    compare: (ctx) => driftIf(!intOrStringEqual(ctx.expected as number | string, ctx.actual), ctx),
  },
  {
    name: 'objects: expected keys only',
    applies: (ctx) => isObject(ctx.expected),
    compare(ctx) {
      const expected = ctx.expected as JsonObject;
      if (ctx.actual !== undefined && !isObject(ctx.actual)) return drift(ctx);
      const actual = ctx.actual as JsonObject | undefined;
      return Object.entries(expected).flatMap(([key, value]) =>
        compareValue(ctx.walk, [...ctx.path, { key }], value, actual && Object.hasOwn(actual, key) ? actual[key] : undefined),
      );
    },
  },
  {
    name: 'lists of objects by merge key',
    applies: (ctx) => isObjectList(ctx.expected) && keyOf(ctx) !== undefined,
    compare: (ctx) => compareKeyedList(ctx, keyOf(ctx)!),
  },
  {
    name: 'lists of objects without a key: any order',
    applies: (ctx) => isObjectList(ctx.expected),
    compare: compareUnkeyedList,
  },
  {
    name: 'sets of scalars',
    applies: (ctx) => Array.isArray(ctx.expected) && anyPattern(ctx.walk.tables.sets, ctx.path),
    compare(ctx) {
      if (!Array.isArray(ctx.actual)) return drift(ctx);
      const actual = ctx.actual.map((v) => JSON.stringify(v));
      return driftIf(!(ctx.expected as Json[]).every((v) => actual.includes(JSON.stringify(v))), ctx);
    },
  },
  {
    name: 'other lists: equal, in order',
    applies: (ctx) => Array.isArray(ctx.expected),
    compare: (ctx) => driftIf(JSON.stringify(ctx.expected) !== JSON.stringify(ctx.actual), ctx),
  },
  {
    name: 'scalars: equal',
    applies: () => true,
    compare: (ctx) => driftIf(ctx.expected !== ctx.actual, ctx),
  },
];

/** The names of the rules, in the order they are tried (for the docs and tests). */
export const COMPARE_RULES: readonly string[] = RULES.map((r) => r.name);

function compareValue(walk: Walk, path: Segment[], expected: Json, actual: Json | undefined): Drift[] {
  const ctx: Context = { walk, path, expected, actual };
  return RULES.find((rule) => rule.applies(ctx))!.compare(ctx);
}

function intOrStringEqual(expected: number | string, actual: Json | undefined): boolean {
  if (expected === actual) return true;
  const asInt = (v: Json | undefined): number | undefined =>
    typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'string' && INTEGER_TEXT.test(v) ? Number(v) : undefined;
  const [a, b] = [asInt(expected), asInt(actual)];
  return a !== undefined && a === b;
}

const isObjectList = (v: Json | undefined): v is JsonObject[] => Array.isArray(v) && v.length > 0 && v.every(isObject);

interface ListKey {
  fields: readonly string[];
  defaults: Readonly<Record<string, Json>>;
}

/**
 * The key a list is matched on: the table's row, else `name` when every
 * expected item has one (the catalog's documented default). Undefined when
 * some expected item lacks a key field: that list is matched in any order.
 */
function keyOf(ctx: Context): ListKey | undefined {
  const row = mergeKeyOf(ctx);
  const key: ListKey = row ? { fields: row.key, defaults: row.defaults ?? {} } : { fields: ['name'], defaults: {} };
  const complete = (ctx.expected as JsonObject[]).every((item) => keyValues(item, key) !== undefined);
  return complete ? key : undefined;
}

/** The item's key values (defaults filled in), or undefined when one is missing or not a scalar. */
function keyValues(item: Json, key: ListKey): string[] | undefined {
  if (!isObject(item)) return undefined;
  const values: string[] = [];
  for (const field of key.fields) {
    const value = item[field] ?? key.defaults[field];
    if (value === undefined || value === null || typeof value === 'object') return undefined;
    values.push(String(value));
  }
  return values;
}

function compareKeyedList(ctx: Context, key: ListKey): Drift[] {
  if (ctx.actual !== undefined && !Array.isArray(ctx.actual)) return drift(ctx);
  const byKey = new Map<string, Json>();
  for (const item of ctx.actual ?? []) {
    const values = keyValues(item, key);
    if (values && !byKey.has(values.join('\0'))) byKey.set(values.join('\0'), item);
  }
  return (ctx.expected as JsonObject[]).flatMap((item) => {
    const values = keyValues(item, key)!;
    const label = key.fields.map((field, i) => `${field}=${values[i]}`).join(',');
    const path = [...ctx.path, { item: label }];
    const live = byKey.get(values.join('\0'));
    if (live === undefined) return [{ field: formatPath(path), expected: item }];
    return compareValue(ctx.walk, path, item, live);
  });
}

function compareUnkeyedList(ctx: Context): Drift[] {
  if (ctx.actual !== undefined && !Array.isArray(ctx.actual)) return drift(ctx);
  const unused = [...(ctx.actual ?? [])];
  return (ctx.expected as JsonObject[]).flatMap((item, index) => {
    const path = [...ctx.path, { item: String(index) }];
    const match = unused.findIndex((live) => compareValue(ctx.walk, path, item, live).length === 0);
    if (match >= 0) {
      unused.splice(match, 1);
      return [];
    }
    return [{ field: formatPath(path), expected: item }];
  });
}
