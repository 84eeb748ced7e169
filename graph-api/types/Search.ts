import { searchIndexOf } from '../../catalog/searchIndex.ts';
import type { ApiBuilder } from '../builder.ts';
import { addCatalogFields } from '../catalogFields.ts';
import { apiError, badInput } from '../errors.ts';

export const DEFAULT_SEARCH_SIZE = 20;
export const MAX_SEARCH_SIZE = 100;

/** The catalog field `search`: entities by ref, name or title, from an index built once per commit. */
export function addSearchField(builder: ApiBuilder): void {
  addCatalogFields(builder, (t, viewOf) => ({
    search: t.field({
      type: ['Entity'],
      description:
        'Entities whose ref, name or title contains `text` (case-insensitive): exact matches of a whole ref, name or title first, then prefix matches, then the others; each group in ref order.',
      args: {
        text: t.arg.string({ required: true }),
        kinds: t.arg.stringList({ description: 'Only entities of these kinds (case-insensitive).' }),
        first: t.arg.int({ defaultValue: DEFAULT_SEARCH_SIZE, description: `At most this many (at most ${MAX_SEARCH_SIZE}).` }),
      },
      resolve: async (parent, { text, kinds, first }, ctx) => {
        const limit = first ?? DEFAULT_SEARCH_SIZE;
        if (limit < 0 || limit > MAX_SEARCH_SIZE) throw badInput(`"first" must be between 0 and ${MAX_SEARCH_SIZE}, got ${limit}.`);
        const view = viewOf(parent, ctx);
        const snapshot = view.snapshot();
        if (!snapshot) throw apiError('search is not available: the server serves no snapshot yet.', 'NOT_AVAILABLE');
        const refs = searchIndexOf(snapshot).search(text, { kinds: kinds ?? undefined, first: limit });
        const nodes = await Promise.all(refs.map((ref) => view.loadEntity(ref)));
        // A ref the store no longer has: the graph moved on since the snapshot; leave it out.
        return nodes.filter((n) => n !== undefined);
      },
    }),
  }));
}
