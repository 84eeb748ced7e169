import type { ApiBuilder } from '../builder.ts';
import { addCatalogFields } from '../catalogFields.ts';
import { TRAVERSAL_COST } from '../limits.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageWindow, toConnection } from '../paging.ts';
import { resolveRefArg } from '../refArgs.ts';
import { computeImpact, labelPairs, relatedEntities } from '../resolvers.ts';
import type { ApiEnums } from './enums.ts';

export const REF_HELP = '`kind:[namespace/]name`, case-insensitive, namespace defaulting to `default`; or `name`, `namespace/name`, `kind:name` that only one entity matches';

/** `Entity`: a GraphNode with its relations, owner and impact; the catalog fields `entity` and `entities`. */
export function addEntityType(builder: ApiBuilder, enums: ApiEnums): void {
  builder.objectType('Entity', {
    description: 'A catalog entity as the dependency graph keeps it, at the synced commit.',
    fields: (t) => ({
      ref: t.exposeString('ref', { description: 'Lower-case `kind:namespace/name`.' }),
      kind: t.exposeString('kind', { description: 'Lower case.' }),
      namespace: t.exposeString('namespace'),
      name: t.exposeString('name'),
      title: t.exposeString('title', { nullable: true }),
      criticality: t.field({ type: enums.Criticality, nullable: true, resolve: (n) => n.criticality }),
      lifecycle: t.exposeString('lifecycle', { nullable: true }),
      ownerRef: t.exposeString('owner', {
        nullable: true,
        description: 'Target of the ownedBy relation, even when no such entity exists.',
      }),
      owner: t.field({
        type: 'Entity',
        nullable: true,
        description: 'The owning entity; null when there is none or it is not in the graph.',
        resolve: (n, _args, ctx) => (n.owner === undefined ? null : ctx.viewOf(n).loadEntity(n.owner)),
      }),
      labels: t.field({ type: ['Label'], description: 'metadata.labels sorted by key.', resolve: (n) => labelPairs(n.labels) }),
      label: t.string({
        nullable: true,
        description: 'The value of one label; null when absent.',
        args: { key: t.arg.string({ required: true }) },
        resolve: (n, { key }) => (Object.hasOwn(n.labels, key) ? n.labels[key] : null),
      }),
      file: t.exposeString('file', { description: 'Path of the file in the config repo.' }),
      commit: t.exposeString('commit', { description: 'Commit at which the graph last wrote this entity (a full sync writes all; an incremental one only what changed).' }),
      neighbours: t.field({
        type: ['Neighbour'],
        description: 'Direct relations, sorted by relation, direction (IN first) and ref.',
        args: {
          direction: t.arg({ type: enums.Direction, defaultValue: 'both' }),
          relation: t.arg({ type: enums.Relation, description: 'Only this relation (default: all).' }),
        },
        resolve: (n, { direction, relation }, ctx) =>
          ctx.viewOf(n).store.neighbours(n.ref, { direction: direction ?? 'both', relations: relation ? [relation] : undefined }),
      }),
      dependsOn: t.field({
        type: ['Entity'],
        description: 'Entities this one dependsOn, sorted by ref.',
        resolve: (n, _args, ctx) => relatedEntities(ctx.viewOf(n), n.ref, 'out', 'dependsOn'),
      }),
      dependents: t.field({
        type: ['Entity'],
        description: 'Entities that dependsOn this one, sorted by ref.',
        resolve: (n, _args, ctx) => relatedEntities(ctx.viewOf(n), n.ref, 'in', 'dependsOn'),
      }),
      impact: t.field({
        type: 'Impact',
        description: 'What an outage or a change of this entity impacts.',
        args: { depth: t.arg.int({ description: 'Maximum distance (default: unlimited).' }) },
        extensions: { cost: TRAVERSAL_COST },
        resolve: (n, { depth }, ctx) => computeImpact(ctx.viewOf(n), [n.ref], depth),
      }),
    }),
  });
  addCatalogFields(builder, (t, viewOf) => ({
    entity: t.field({
      type: 'Entity',
      nullable: true,
      description: `One entity by ref (${REF_HELP}); null when unknown, an error when malformed or ambiguous.`,
      args: { ref: t.arg.string({ required: true }) },
      resolve: async (parent, { ref }, ctx) => {
        const view = viewOf(parent, ctx);
        const resolved = await resolveRefArg(view, ref, 'ref');
        return resolved === undefined ? null : view.loadEntity(resolved);
      },
    }),
    entities: t.field({
      type: 'EntityConnection',
      description: `Entities sorted by ref, paged forward: \`first\` (at most ${MAX_PAGE_SIZE}) after the cursor \`after\`.`,
      args: {
        kind: t.arg.string({ description: 'Only entities of this kind (case-insensitive).' }),
        first: t.arg.int({ defaultValue: DEFAULT_PAGE_SIZE }),
        after: t.arg.string(),
      },
      resolve: async (parent, { kind, first, after }, ctx) => {
        const window = pageWindow(first, after);
        const { nodes, total } = await viewOf(parent, ctx).store.listEntities({ kind: kind ?? undefined, after: window.after, limit: window.limit + 1 });
        return toConnection(nodes, total, window);
      },
    }),
  }));
}
