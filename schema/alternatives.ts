import type { ErrorObject } from 'ajv';
import { describeValue, display, expectedTypes, hintOf } from './wording.ts';

/**
 * Replaces the errors of a failed `anyOf`/`oneOf` by what helps. An
 * alternative's errors are the contiguous errors just before it, below its
 * instance path (ajv's order); those under its schema path are sorted by
 * branch. When exactly one branch has the right type for the value: that
 * branch's errors. Otherwise one message for the alternative: its
 * `errorMessage`, the values or types the branches wanted, or, when errors
 * from referenced schemas (whose branch is unknown) say more, nothing.
 */
export function collapseAlternatives(errors: readonly ErrorObject[]): {
  kept: ErrorObject[];
  overrides: Map<ErrorObject, string>;
} {
  const dropped = new Set<ErrorObject>();
  const overrides = new Map<ErrorObject, string>();
  errors.forEach((alt, i) => {
    if (alt.keyword !== 'anyOf' && alt.keyword !== 'oneOf') return;
    const { branches, unplaced } = branchErrors(errors, i, dropped);
    const count = Array.isArray(alt.schema) ? alt.schema.length : 0;
    const fitting = Array.from({ length: count }, (_, b) => b).filter((b) => !(branches.get(b) ?? []).some((e) => isTypeMiss(e, alt)));
    const all = [...branches.entries()].sort(([a], [b]) => a - b).flatMap(([, list]) => list);
    if (fitting.length === 1 && !isAmbiguous(alt)) {
      for (const [b, list] of branches) if (b !== fitting[0]) list.forEach((e) => dropped.add(e));
      dropped.add(alt);
      return;
    }
    all.forEach((e) => dropped.add(e));
    const message = isAmbiguous(alt) ? undefined : wantedValues(alt, all) ?? wantedTypes(alt, all, fitting.length);
    if (message !== undefined) overrides.set(alt, message);
    else if (unplaced.length > 0 && hintOf(alt) === undefined && !isAmbiguous(alt)) dropUnfitting(alt, unplaced, dropped);
  });
  return { kept: errors.filter((e) => !dropped.has(e)), overrides };
}

/**
 * Lets the errors of referenced schemas speak for the alternative: drops it,
 * and the type mismatches at its value when other errors say more.
 */
function dropUnfitting(alt: ErrorObject, unplaced: ErrorObject[], dropped: Set<ErrorObject>): void {
  dropped.add(alt);
  if (unplaced.some((e) => !isTypeMiss(e, alt))) unplaced.filter((e) => isTypeMiss(e, alt)).forEach((e) => dropped.add(e));
}

/** "must be one of a, b" when every branch failed on `const`/`enum` at the value itself. */
function wantedValues(alt: ErrorObject, branchErrors: ErrorObject[]): string | undefined {
  if (branchErrors.length === 0) return undefined;
  const values: unknown[] = [];
  for (const e of branchErrors) {
    const p = e.params as { allowedValue?: unknown; allowedValues?: unknown[] };
    if (e.instancePath !== alt.instancePath) return undefined;
    if (e.keyword === 'const') values.push(p.allowedValue);
    else if (e.keyword === 'enum') values.push(...(p.allowedValues ?? []));
    else return undefined;
  }
  return `must be one of ${[...new Set(values)].map(display).join(', ')}`;
}

/** "must be a string or a map" when no branch accepts the type of the value. */
function wantedTypes(alt: ErrorObject, branchErrors: ErrorObject[], fitting: number): string | undefined {
  if (fitting > 0) return undefined;
  const types = branchErrors
    .filter((e) => isTypeMiss(e, alt))
    .map((e) => expectedTypes((e.params as { type: unknown }).type));
  return types.length === 0 ? undefined : `must be ${[...new Set(types)].join(' or ')}, not ${describeValue(alt.data)}`;
}

/** A type mismatch of the value of the alternative itself: that branch does not fit at all. */
const isTypeMiss = (e: ErrorObject, alt: ErrorObject): boolean => e.keyword === 'type' && e.instancePath === alt.instancePath;

/** A `oneOf` failing because several branches matched. */
export const isAmbiguous = (e: ErrorObject): boolean =>
  e.keyword === 'oneOf' && Array.isArray((e.params as { passingSchemas?: unknown }).passingSchemas);

/**
 * Errors of each branch of the alternative at `index`, keyed by branch
 * number, and the errors of referenced schemas among them (branch unknown).
 */
function branchErrors(
  errors: readonly ErrorObject[],
  index: number,
  dropped: Set<ErrorObject>,
): { branches: Map<number, ErrorObject[]>; unplaced: ErrorObject[] } {
  const alt = errors[index];
  const prefix = `${alt.schemaPath}/`;
  const own = alt.schemaPath.slice(0, alt.schemaPath.lastIndexOf('/') + 1);
  const branches = new Map<number, ErrorObject[]>();
  const unplaced: ErrorObject[] = [];
  for (let j = index - 1; j >= 0; j--) {
    const e = errors[j];
    if (dropped.has(e)) continue;
    if (!isWithin(e.instancePath, alt.instancePath)) break;
    if (!e.schemaPath.startsWith(prefix)) {
      if (e.schemaPath.startsWith(own)) break; // another keyword of the same schema: evaluated before the branches
      unplaced.push(e);
      continue;
    }
    const branch = Number(e.schemaPath.slice(prefix.length).split('/')[0]);
    branches.set(branch, [e, ...(branches.get(branch) ?? [])]);
  }
  return { branches, unplaced };
}

const isWithin = (pointer: string, parent: string): boolean =>
  pointer === parent || pointer.startsWith(`${parent}/`);
