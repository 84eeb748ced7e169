import type { ApiBuilder } from '../builder.ts';
import { viewAt } from '../catalogFields.ts';
import type { ApiContext } from '../context.ts';
import { apiError } from '../errors.ts';
import type { CatalogHistory } from '../history/CatalogHistory.ts';

/**
 * Weight of a field that may read and load a commit (`catalog(at:)`, `diff`):
 * with the default maxCost, at most 5 per query (each loaded commit of
 * 100,000 entities holds about 95 MB while it is used).
 */
export const COMMIT_COST = 20_000;

const AT_HELP = 'a commit id, a branch, a tag, or an ISO 8601 date or time (UTC unless it has an offset) meaning the last commit of the followed branch at or before it';

/** The history, or NOT_AVAILABLE when the server was started without one. */
export function historyOf(ctx: ApiContext): CatalogHistory {
  if (!ctx.history) throw apiError('the catalog at other commits is not available on this server (it was started without the repository history).', 'NOT_AVAILABLE');
  return ctx.history;
}

/** `Commit`, `Catalog` (its catalog fields are added by each type's file), `catalog(at:)`, `commit`, `diff`. */
export function addCatalogTypes(builder: ApiBuilder): void {
  builder.objectType('Commit', {
    description: 'A commit of the config repository.',
    fields: (t) => ({
      sha: t.exposeString('sha'),
      committedAt: t.exposeString('committedAt', { description: 'Committer date, ISO 8601 in UTC.' }),
    }),
  });
  builder.objectType('Catalog', {
    description: 'The catalog at one commit: the same fields as Query, answered for that commit.',
    fields: (t) => ({
      commit: t.field({ type: 'Commit', resolve: (c) => c.commit }),
    }),
  });
  const ChangeOp = builder.enumType('ChangeOp', {
    values: { ADDED: { value: 'added' }, MODIFIED: { value: 'modified' }, REMOVED: { value: 'removed' } } as const,
  });
  const EntityChange = builder.objectRef<{ ref: string; kind: string; op: 'added' | 'modified' | 'removed'; file: string; fields: string[] }>('EntityChange').implement({
    description: 'An entity added, modified or removed between two commits.',
    fields: (t) => ({
      ref: t.exposeString('ref'),
      kind: t.string({ description: 'Lower case.', resolve: (c) => c.kind.toLowerCase() }),
      op: t.field({ type: ChangeOp, resolve: (c) => c.op }),
      file: t.exposeString('file', { description: 'Where it is defined (before, for a removal).' }),
      fields: t.exposeStringList('fields', { description: 'Dotted paths of the changed fields (`spec.dependsOn`); empty when added or removed.' }),
    }),
  });
  builder.objectType('CatalogDiff', {
    description: 'What changed between two commits, as `cmdb check` reports it in `changes`.',
    fields: (t) => ({
      from: t.field({ type: 'Commit', resolve: (d) => d.from }),
      to: t.field({ type: 'Commit', resolve: (d) => d.to }),
      changes: t.field({ type: [EntityChange], description: 'Sorted by ref.', resolve: (d) => d.changes }),
    }),
  });
  builder.queryFields((t) => ({
    commit: t.string({
      nullable: true,
      description: 'Commit of the catalog the graph was last synced to; null before the first sync.',
      resolve: (_root, _args, ctx) => ctx.store.commit(),
    }),
    catalog: t.field({
      type: 'Catalog',
      description: `The catalog at \`at\`: ${AT_HELP}. Recently used commits stay loaded.`,
      args: { at: t.arg.string({ required: true }) },
      extensions: { cost: COMMIT_COST },
      resolve: async (_root, { at }, ctx) => {
        const loaded = await historyOf(ctx).at(at);
        return { commit: loaded.commit, view: viewAt(ctx, loaded) };
      },
    }),
    diff: t.field({
      type: 'CatalogDiff',
      description: `Entities added, modified and removed from \`from\` to \`to\` (each ${AT_HELP}).`,
      args: { from: t.arg.string({ required: true }), to: t.arg.string({ required: true }) },
      extensions: { cost: COMMIT_COST },
      resolve: (_root, { from, to }, ctx) => historyOf(ctx).diff(from, to),
    }),
  }));
}
