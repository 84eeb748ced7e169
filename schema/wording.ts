import type { ErrorObject } from 'ajv';
import { HINT_KEYWORD } from './fragments.ts';

/** Keywords whose failure is described by the schema's `errorMessage`, when it has one. */
const HINTED = new Set([
  'pattern',
  'format',
  'minLength',
  'maxLength',
  'anyOf',
  'oneOf',
  'not',
  'minProperties',
  'maxProperties',
]);

/** The `errorMessage` of the schema of a failed keyword, when it describes that keyword's failure. */
export function hintOf(e: ErrorObject): string | undefined {
  if (!HINTED.has(e.keyword)) return undefined;
  const hint = (e.parentSchema as Record<string, unknown> | undefined)?.[HINT_KEYWORD];
  return typeof hint === 'string' ? hint : undefined;
}

/** YAML reads `version: 1.30` or `enabled: yes`-like scalars as numbers and booleans. */
export function quoteAdvice(type: unknown, data: unknown): string {
  const wantsString = Array.isArray(type) ? type.includes('string') : type === 'string';
  return wantsString && (typeof data === 'number' || typeof data === 'boolean') ? ' (put it in quotes)' : '';
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map',
  null: 'null',
};

/** "a string or a list": the JSON Schema type(s), in YAML words. */
export function expectedTypes(type: unknown): string {
  const names = Array.isArray(type) ? type : String(type).split(',');
  return names.map((t) => TYPE_WORDS[t] ?? String(t)).join(' or ');
}

/** How a value reads in a message: its type, in YAML words. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'object':
      return 'a map';
    case 'string':
      return 'a string';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return `the number ${value}`;
    case 'undefined':
      return 'missing';
    default:
      return typeof value;
  }
}

/** A value allowed by `enum`/`const`, as written in a message. */
export const display = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
