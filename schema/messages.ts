import type { ErrorObject } from 'ajv';
import { collapseAlternatives, isAmbiguous } from './alternatives.ts';
import { closest } from './suggest.ts';
import { describeValue, display, expectedTypes, hintOf, quoteAdvice } from './wording.ts';

/** One problem in a document: where (JSON pointer, "" for the root) and what, in words. */
export interface SchemaIssue {
  pointer: string;
  message: string;
  /** The violation rule, when not `schema` (`cel` for an expression). */
  rule?: string;
  /** Offset inside the string value at `pointer` (a CEL expression's error). */
  offset?: number;
}

/**
 * Turns ajv errors (from a validator compiled with `verbose`) into issues:
 * one per problem, duplicates removed, alternatives (`anyOf`/`oneOf`)
 * collapsed; `prefix` is prepended to every pointer.
 */
export function toIssues(errors: readonly ErrorObject[] | null | undefined, prefix = ''): SchemaIssue[] {
  if (!errors || errors.length === 0) return [];
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  const { kept, overrides } = collapseAlternatives(errors);
  for (const error of kept) {
    const issue = describe(error, overrides.get(error));
    if (issue === undefined) continue;
    const full = { pointer: prefix + issue.pointer, message: issue.message };
    const key = `${full.pointer}\u0000${full.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(full);
  }
  return issues;
}

/** Appends one escaped segment to a JSON pointer. */
export function childPointer(pointer: string, segment: string | number): string {
  return `${pointer}/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** `override`: for a failed alternative, what its branches wanted. */
function describe(e: ErrorObject, override?: string): SchemaIssue | undefined {
  const message = messageOf(e, override);
  if (message === undefined) return undefined;
  const name = (e as { propertyName?: string }).propertyName; // set on errors of `propertyNames`
  if (name !== undefined) return { pointer: childPointer(e.instancePath, name), message: `field name "${name}" ${message}` };
  if (e.keyword === 'additionalProperties') {
    return { pointer: childPointer(e.instancePath, String(e.params.additionalProperty)), message };
  }
  return { pointer: e.instancePath, message };
}

/** What is wrong, in words; undefined for wrappers whose inner errors say it. */
function messageOf(e: ErrorObject, override?: string): string | undefined {
  const hint = hintOf(e);
  if (hint !== undefined) return hint;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `missing required field "${String(p.missingProperty)}"`;
    case 'additionalProperties':
      return unknownFieldMessage((e.parentSchema ?? {}) as object, String(p.additionalProperty));
    case 'type':
      return `must be ${expectedTypes(p.type)}, not ${describeValue(e.data)}${quoteAdvice(p.type, e.data)}`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map(display).join(', ')}`;
    case 'const':
      return `must be ${display(p.allowedValue)}`;
    case 'if':
    case 'propertyNames':
      return undefined; // the errors of `then`/`else` or of the name say what is wrong
    case 'anyOf':
    case 'oneOf':
      return override ?? alternativesMessage(e);
    case 'false schema':
      return 'is not allowed here';
    default:
      return limitMessage(e.keyword, p) ?? plain(e.message);
  }
}

/** Messages of the length, size and range keywords; undefined for others. */
function limitMessage(keyword: string, p: Record<string, unknown>): string | undefined {
  const n = p.limit as number;
  switch (keyword) {
    case 'minLength':
      return n === 1 ? 'must not be empty' : `must be at least ${n} characters long`;
    case 'maxLength':
      return `must be at most ${n} characters long`;
    case 'minItems':
      return `must have at least ${plural(n, 'item')}`;
    case 'maxItems':
    case 'additionalItems':
    case 'items':
      return `must have at most ${plural(n, 'item')}`;
    case 'minProperties':
      return `must have at least ${plural(n, 'field')}`;
    case 'maxProperties':
      return `must have at most ${plural(n, 'field')}`;
    case 'minimum':
      return `must be at least ${n}`;
    case 'maximum':
      return `must be at most ${n}`;
    case 'exclusiveMinimum':
      return `must be greater than ${n}`;
    case 'exclusiveMaximum':
      return `must be less than ${n}`;
    case 'multipleOf':
      return `must be a multiple of ${String(p.multipleOf)}`;
    case 'pattern':
      return `must match the pattern ${String(p.pattern)}`;
    case 'format':
      return `must be a valid ${String(p.format)}`;
    case 'uniqueItems':
      return `must not contain duplicates (items ${String(p.j)} and ${String(p.i)} are equal)`;
    case 'dependencies':
    case 'dependentRequired':
      return `missing field "${String(p.missingProperty)}", required when "${String(p.property)}" is set`;
    case 'contains':
      return 'must contain at least one matching item';
    case 'not':
      return 'has a value that is not allowed here';
    default:
      return undefined;
  }
}

/** Messages already written, per object schema: the same typos recur across documents. */
const unknownFieldMessages = new WeakMap<object, Map<string, string>>();
const MEMO_LIMIT = 1000;

function unknownFieldMessage(parent: { properties?: object; patternProperties?: object }, name: string): string {
  let byName = unknownFieldMessages.get(parent);
  if (byName === undefined) unknownFieldMessages.set(parent, (byName = new Map()));
  let message = byName.get(name);
  if (message === undefined) {
    message = writeUnknownField(parent, name);
    if (byName.size < MEMO_LIMIT) byName.set(name, message);
  }
  return message;
}

function writeUnknownField(parent: { properties?: object; patternProperties?: object }, name: string): string {
  const allowed = Object.keys(parent.properties ?? {});
  const patterns = Object.keys(parent.patternProperties ?? {});
  const suggestion = closest(name, allowed);
  if (suggestion !== undefined) return `unknown field "${name}"; did you mean "${suggestion}"?`;
  const expected = [
    ...(allowed.length > 0 ? [`one of ${allowed.join(', ')}`] : []),
    ...(patterns.length > 0 ? [`a name matching ${patterns.join(' or ')}`] : []),
  ];
  if (expected.length === 0) return `unknown field "${name}"; no fields are allowed here`;
  return `unknown field "${name}"; expected ${expected.join(', or ')}`;
}

function alternativesMessage(e: ErrorObject): string {
  return isAmbiguous(e) ? 'matches more than one of the allowed forms' : 'does not match any of the allowed forms';
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const plain = (message: string | undefined): string => (message ?? 'is invalid').replace(/\bNOT\b/g, 'not');
