import type { RefString } from './types.ts';

export interface EntityRef {
  kind: string;
  namespace: string;
  name: string;
}

export const DEFAULT_NAMESPACE = 'default';

export type ParsedRef = { ok: true; ref: EntityRef } | { ok: false; message: string };

const NAME = /^[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$/;
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * Parses `[kind:][namespace/]name` (case-insensitive). A missing kind takes
 * `defaultKind` (an error when there is none); a missing namespace takes
 * `defaultNamespace`. The result is lower case.
 */
export function parseRef(
  text: string,
  defaults: { defaultKind?: string; defaultNamespace?: string } = {},
): ParsedRef {
  if (typeof text !== 'string' || text.trim() === '') {
    return { ok: false, message: 'an entity reference must be a non-empty string' };
  }
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const kind = colon >= 0 ? trimmed.slice(0, colon) : defaults.defaultKind;
  const rest = colon >= 0 ? trimmed.slice(colon + 1) : trimmed;
  const slash = rest.indexOf('/');
  const namespace = slash >= 0 ? rest.slice(0, slash) : (defaults.defaultNamespace ?? DEFAULT_NAMESPACE);
  const name = slash >= 0 ? rest.slice(slash + 1) : rest;
  if (kind === undefined) {
    return { ok: false, message: `"${trimmed}" needs a kind here, as in "component:${trimmed}"` };
  }
  if (!KIND.test(kind)) return { ok: false, message: `"${trimmed}" has an invalid kind "${kind}"` };
  if (!NAME.test(namespace)) return { ok: false, message: `"${trimmed}" has an invalid namespace "${namespace}"` };
  if (!NAME.test(name)) return { ok: false, message: `"${trimmed}" has an invalid name "${name}"` };
  return { ok: true, ref: { kind: kind.toLowerCase(), namespace: namespace.toLowerCase(), name: name.toLowerCase() } };
}

/** `kind:namespace/name`, lower case. */
export function stringifyRef(ref: EntityRef): RefString {
  return `${ref.kind}:${ref.namespace}/${ref.name}`.toLowerCase();
}

/** Parses and stringifies, or throws nothing and returns undefined when invalid. */
export function normalizeRef(
  text: string,
  defaults: { defaultKind?: string; defaultNamespace?: string } = {},
): RefString | undefined {
  const parsed = parseRef(text, defaults);
  return parsed.ok ? stringifyRef(parsed.ref) : undefined;
}

/** Splits a normalized ref back into its parts. */
export function splitRef(ref: RefString): EntityRef {
  const colon = ref.indexOf(':');
  const slash = ref.indexOf('/', colon);
  return { kind: ref.slice(0, colon), namespace: ref.slice(colon + 1, slash), name: ref.slice(slash + 1) };
}

export const isValidName = (name: string): boolean => NAME.test(name);
