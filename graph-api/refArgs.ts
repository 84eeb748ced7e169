import { parseRef, stringifyRef } from '../catalog/refs.ts';
import type { RefString } from '../catalog/types.ts';
import { badInput } from './errors.ts';

const REF_FORMAT = 'write references as kind:[namespace/]name, e.g. component:default/cartservice';

/**
 * Normalizes a ref argument like catalog references (case-insensitive, namespace
 * defaults to `default`, kind required); throws a BAD_USER_INPUT GraphQLError when malformed.
 */
export function parseRefArg(text: string, argument: string): RefString {
  const parsed = parseRef(text);
  if (!parsed.ok) throw badInput(`Invalid entity reference in argument "${argument}": ${parsed.message}; ${REF_FORMAT}.`);
  return stringifyRef(parsed.ref);
}

/** Every element through parseRefArg, duplicates removed, order kept. */
export function parseRefArgs(texts: readonly string[], argument: string): RefString[] {
  return [...new Set(texts.map((text) => parseRefArg(text, argument)))];
}
