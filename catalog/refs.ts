import type { RefString } from './types.ts';

export interface EntityRef {
  kind: string;
  namespace: string;
  name: string;
}

export const DEFAULT_NAMESPACE = 'default';

export type ParsedRef = { ok: true; ref: EntityRef } | { ok: false; message: string };

/** Entity names (metadata.name, metadata.namespace): the schema's NAME_PATTERN. */
const NAME = /^(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/**
 * Parses `[kind:][namespace/]name` (case-insensitive) as Backstage's
 * `parseEntityRef` does: the kind is what precedes the first `:` unless a `/`
 * comes first, the namespace what lies between it and the first `/`, the name
 * everything after. Only an empty part is malformed; any other text is a
 * reference, which resolves or dangles (`someone@example.com` is the group of
 * that name). A missing kind takes `defaultKind` (an error when there is
 * none); a missing namespace takes `defaultNamespace`. The result is lower case.
 */
export function parseRef(
  text: string,
  defaults: { defaultKind?: string; defaultNamespace?: string } = {},
): ParsedRef {
  if (typeof text !== 'string' || text.trim() === '') {
    return { ok: false, message: 'an entity reference must be a non-empty string' };
  }
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  let colon = trimmed.indexOf(':');
  if (slash >= 0 && slash < colon) colon = -1;
  const kind = colon >= 0 ? trimmed.slice(0, colon) : defaults.defaultKind;
  const namespace = slash >= 0 ? trimmed.slice(colon + 1, slash) : (defaults.defaultNamespace ?? DEFAULT_NAMESPACE);
  const name = trimmed.slice(Math.max(colon + 1, slash + 1));
  const form = () => `"${trimmed}" is not of the form [kind:][namespace/]name`; // built only for a malformed one
  if (kind === '') return { ok: false, message: `${form()} (the kind before ":" is empty)` };
  if (namespace === '') return { ok: false, message: `${form()} (the namespace before "/" is empty)` };
  if (name === '') return { ok: false, message: `${form()} (the name is empty)` };
  if (kind === undefined) return { ok: false, message: `"${trimmed}" needs a kind here, as in "component:${trimmed}"` };
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

/** Splits a normalized ref back into its parts (its kind holds no ":", its namespace no "/"). */
export function splitRef(ref: RefString): EntityRef {
  const colon = ref.indexOf(':');
  const slash = ref.indexOf('/', colon);
  return { kind: ref.slice(0, colon), namespace: ref.slice(colon + 1, slash), name: ref.slice(slash + 1) };
}

/** True for a valid entity name or namespace (Backstage's object-name rule). */
export const isValidName = (name: string): boolean => NAME.test(name);
