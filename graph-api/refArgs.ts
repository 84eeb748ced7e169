import { matchesRefQuery, parseRefQuery, resolveRefQuery, type RefQuery } from '../catalog/refQuery.ts';
import { normalizeRef } from '../catalog/refs.ts';
import type { RefString } from '../catalog/types.ts';
import type { CatalogView } from './context.ts';
import { badInput } from './errors.ts';

const REF_FORMAT = 'write references as kind:[namespace/]name (e.g. component:default/cartservice), or a name only one entity has';

/** Entities listed per request while looking for the ones a partial ref matches. */
const SCAN_PAGE = 2000;

/** Refs of a kind (every ref for ''), listed once per request and commit however many arguments need them. */
const scans = new WeakMap<CatalogView, Map<string, Promise<RefString[]>>>();

async function listRefs(ctx: CatalogView, kind: string | undefined): Promise<RefString[]> {
  const refs: RefString[] = [];
  let after: RefString | undefined;
  for (;;) {
    const { nodes } = await ctx.store.listEntities({ kind, after, limit: SCAN_PAGE });
    for (const node of nodes) refs.push(node.ref);
    if (nodes.length < SCAN_PAGE) return refs;
    after = nodes[nodes.length - 1].ref;
  }
}

/** Every ref of the graph a partial query matches (a scan of the query's kind, or of every entity). */
async function matching(ctx: CatalogView, query: RefQuery): Promise<RefString[]> {
  let memo = scans.get(ctx);
  if (!memo) scans.set(ctx, (memo = new Map()));
  const key = query.kind ?? '';
  let refs = memo.get(key);
  if (!refs) memo.set(key, (refs = listRefs(ctx, query.kind)));
  return (await refs).filter((ref) => matchesRefQuery(query, ref));
}

/**
 * Resolves a ref argument as the CLI does (catalog/refQuery.ts): a full ref
 * as given (case-insensitive, namespace defaulting to `default` after a kind),
 * a partial one (`name`, `namespace/name`, `kind:name`) to the one entity it
 * matches; undefined when it matches none (an unknown entity). Throws a
 * BAD_USER_INPUT GraphQLError when malformed or when several entities match
 * (naming them).
 */
export async function resolveRefArg(ctx: CatalogView, text: string, argument: string): Promise<RefString | undefined> {
  const parsed = parseRefQuery(text);
  if (!parsed.ok) throw badInput(`Invalid entity reference in argument "${argument}": ${parsed.message}; ${REF_FORMAT}.`);
  const { query } = parsed;
  if (query.exact) return query.direct;
  const resolved = await resolveRefQuery(query, { exists: async (ref) => (await ctx.loadEntity(ref)) !== undefined, matching: (q) => matching(ctx, q) }, 'in the graph');
  if (resolved.ok) return resolved.ref;
  if (resolved.reason === 'ambiguous') throw badInput(`Ambiguous entity reference in argument "${argument}": ${resolved.message}.`);
  return undefined;
}

/**
 * Every element through resolveRefArg, duplicates removed, order kept;
 * `unknown` lists the texts that name no entity (normalized when they give a kind, else as typed).
 */
export async function resolveRefArgs(ctx: CatalogView, texts: readonly string[], argument: string): Promise<{ refs: RefString[]; unknown: string[] }> {
  const resolved = await Promise.all(texts.map((text) => resolveRefArg(ctx, text, argument)));
  const unknown = texts.filter((_, i) => resolved[i] === undefined).map((t) => normalizeRef(t) ?? t.trim());
  return { refs: [...new Set(resolved.filter((r) => r !== undefined))], unknown };
}
