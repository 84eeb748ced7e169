import type { FieldMap } from '@pothos/core';
import type { ApiBuilder, ApiTypes, CatalogShape } from './builder.ts';
import { memoLoader, type ApiContext, type CatalogView } from './context.ts';
import { AdoptingStore } from './history/AdoptingStore.ts';
import type { CommitCatalog } from './history/CatalogHistory.ts';

/** A field builder of `Query`; `Catalog`'s is used as one (the fields read their parent only through ViewOf). */
export type CatalogFieldBuilder = PothosSchemaTypes.QueryFieldBuilder<ApiTypes, unknown>;

/** The catalog a field of `Query` (the served commit) or `Catalog` (its commit) resolves against. */
export type ViewOf = (parent: unknown, ctx: ApiContext) => CatalogView;

/** Fields asked of a catalog, defined once for both hosts. */
export type CatalogFields = (t: CatalogFieldBuilder, viewOf: ViewOf) => FieldMap;

const servedView: ViewOf = (_parent, ctx) => ctx;
const commitView: ViewOf = (parent) => (parent as CatalogShape).view;

/**
 * Adds catalog fields to `Query` (answered for the served commit) and to
 * `Catalog` (answered for the commit of `catalog(at:)`): every field of a
 * catalog is written once, in the file of its type.
 */
export function addCatalogFields(builder: ApiBuilder, fields: CatalogFields): void {
  builder.queryFields((t) => fields(t, servedView));
  builder.objectFields('Catalog', (t) => fields(t as unknown as CatalogFieldBuilder, commitView));
}

const requestViews = new WeakMap<ApiContext, Map<string, CatalogView>>();

/** The view of a loaded commit for this request (one per commit and request: its entities are fetched once). */
export function viewAt(ctx: ApiContext, at: CommitCatalog): CatalogView {
  let views = requestViews.get(ctx);
  if (!views) requestViews.set(ctx, (views = new Map()));
  let view = views.get(at.commit.sha);
  if (!view) {
    const store = new AdoptingStore(at.store, (value) => ctx.adopt(view!, value));
    view = { store, loadEntity: memoLoader(store), violations: () => at.violations, snapshot: () => at.snapshot };
    views.set(at.commit.sha, view);
  }
  return view;
}
