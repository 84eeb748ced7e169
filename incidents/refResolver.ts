import { chooseRef, matchesRefQuery, parseRefQuery } from '../catalog/refQuery.ts';
import type { Snapshot } from '../catalog/types.ts';
import type { RefResolver } from './types.ts';

/**
 * Resolves what an alert label names against a snapshot, by the rule of
 * catalog/refQuery.ts (`chooseRef`: a full ref that exists; else the one
 * entity a partial ref matches); undefined when none or several match. Partial refs scan the
 * snapshot's refs once each and are remembered per resolver (one per commit).
 */
export function snapshotRefResolver(snapshot: Pick<Snapshot, 'entities'>): RefResolver {
  const memo = new Map<string, string | undefined>();
  return (typed) => {
    if (memo.has(typed)) return memo.get(typed);
    const parsed = parseRefQuery(typed);
    let ref: string | undefined;
    if (parsed.ok) {
      const { query } = parsed;
      if (query.direct !== undefined && snapshot.entities.has(query.direct)) ref = query.direct;
      else {
        // Two candidates already make it ambiguous: the scan stops there.
        const matching: string[] = [];
        if (!query.exact) for (const r of snapshot.entities.keys()) if (matchesRefQuery(query, r) && matching.push(r) > 1) break;
        const chosen = chooseRef(query, matching, '');
        ref = chosen.ok ? chosen.ref : undefined;
      }
    }
    if (memo.size > 10_000) memo.clear();
    memo.set(typed, ref);
    return ref;
  };
}
