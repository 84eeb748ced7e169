import { normalizeRef, parseRef, splitRef } from './refs.ts';
import type { RefString, Snapshot } from './types.ts';

/**
 * What a user typed to name an entity (a CLI argument, a GraphQL argument, an
 * open change's entity): `kind:namespace/name` names one ref; `kind:name`
 * names `kind:default/name` when it exists, else the one entity of that kind
 * and name in any namespace; `namespace/name` and a bare `name` name the one
 * entity that matches, whatever its kind (and namespace). Case-insensitive.
 */
export interface RefQuery {
  /** As typed (trimmed). */
  text: string;
  /** Set when the text names a full ref (kind and namespace) or a kind and name: tried first. */
  direct?: RefString;
  /** Set when the text names a kind: only entities of that kind match. */
  kind?: string;
  /** Set when the text names a namespace. */
  namespace?: string;
  name: string;
  /** True when the text gives kind and namespace: `direct` is the only entity it can name. */
  exact: boolean;
}

export type ParsedRefQuery = { ok: true; query: RefQuery } | { ok: false; message: string };

/** Parses what a user typed; malformed text (an invalid kind, namespace or name) is a message. */
export function parseRefQuery(input: string): ParsedRefQuery {
  const text = typeof input === 'string' ? input.trim() : '';
  if (text === '') return { ok: false, message: 'an entity reference must be a non-empty string' };
  const hasKind = text.includes(':');
  // A placeholder kind checks the namespace and name of a text without one.
  const parsed = parseRef(hasKind ? text : `entity:${text}`);
  if (!parsed.ok) return { ok: false, message: hasKind ? parsed.message : parsed.message.replace(`"entity:${text}"`, `"${text}"`) };
  const rest = hasKind ? text.slice(text.indexOf(':') + 1) : text;
  const namespace = rest.includes('/') ? parsed.ref.namespace : undefined;
  const kind = hasKind ? parsed.ref.kind : undefined;
  const query: RefQuery = { text, kind, namespace, name: parsed.ref.name, exact: kind !== undefined && namespace !== undefined };
  if (kind !== undefined) query.direct = normalizeRef(text);
  return { ok: true, query };
}

/** Whether an entity's ref matches the query's kind, namespace and name (those it gives). */
export function matchesRefQuery(query: RefQuery, ref: RefString): boolean {
  const { kind, namespace, name } = splitRef(ref);
  return name === query.name && (query.kind === undefined || kind === query.kind) && (query.namespace === undefined || namespace === query.namespace);
}

/** How a query resolved: one ref, none, or several (sorted). */
export type RefResolution = { ok: true; ref: RefString } | { ok: false; reason: 'none' | 'ambiguous'; candidates: RefString[]; message: string };

/** Up to this many candidates are named in a message. */
const NAMED = 5;

/**
 * Resolves a query with the entities `exists` knows and the candidates
 * `matching` lists (every entity the query matches). The message of an
 * ambiguous query names real candidates, never a guessed kind; `where` ends
 * the message of a query that matches nothing (`at commit 0123abcd`).
 */
export async function resolveRefQuery(
  query: RefQuery,
  lookup: { exists(ref: RefString): boolean | Promise<boolean>; matching(query: RefQuery): Iterable<RefString> | Promise<Iterable<RefString>> },
  where: string,
): Promise<RefResolution> {
  if (query.direct !== undefined && (await lookup.exists(query.direct))) return { ok: true, ref: query.direct };
  const candidates = query.exact ? [] : [...new Set(await lookup.matching(query))].sort();
  return chooseRef(query, candidates, where);
}

/**
 * The rule once the direct ref is known not to exist: the one candidate, or
 * an ambiguity naming them, or none. (`resolveRefQuery` asks an async lookup;
 * a synchronous caller gives the candidates itself.)
 */
export function chooseRef(query: RefQuery, candidates: readonly RefString[], where: string): RefResolution {
  if (candidates.length === 1) return { ok: true, ref: candidates[0] };
  if (candidates.length > 1) {
    const named = `${candidates.slice(0, NAMED).join(', ')}${candidates.length > NAMED ? ` and ${candidates.length - NAMED} more` : ''}`;
    return { ok: false, reason: 'ambiguous', candidates: [...candidates], message: `"${query.text}" matches ${candidates.length} entities (${named}); write the one you mean in full, as in ${candidates[0]}` };
  }
  return { ok: false, reason: 'none', candidates: [...candidates], message: `no entity "${query.text}" ${where}` };
}

/** The lookup of a snapshot's entities (a scan of its refs for a partial query). */
export const snapshotRefLookup = (snapshot: Snapshot) => ({
  exists: (ref: RefString) => snapshot.entities.has(ref),
  matching: (query: RefQuery) => [...snapshot.entities.keys()].filter((ref) => matchesRefQuery(query, ref)),
});
