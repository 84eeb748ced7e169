/** Checkboxes for the relations a traversal follows, kept in the URL as `rel` (absent: all; `none`: none). */
import type { JSX } from 'preact';
import { navigate, withQuery, type Location } from '../router.tsx';

export const RELATIONS = ['DEPENDS_ON', 'RUNS_ON', 'CONSUMES_API', 'PROVIDES_API', 'PART_OF', 'CHILD_OF', 'MEMBER_OF', 'OWNED_BY'] as const;

/** The `rel` query parameter: undefined (every relation) or the listed ones. */
export function parseRelations(value: string | null): Set<string> | undefined {
  if (value === null) return undefined;
  return new Set(value.split(',').filter((r) => (RELATIONS as readonly string[]).includes(r)));
}

export const relationLabel = (r: string): string => r.toLowerCase().replace('_', ' ');

export function RelationFilter({ loc, legend, reset = [] }: { loc: Location; legend: string; reset?: string[] }): JSX.Element {
  const relations = parseRelations(loc.query.get('rel'));
  const set = (relation: string, on: boolean) => {
    const next = new Set(relations ?? RELATIONS);
    if (on) next.add(relation);
    else next.delete(relation);
    const rel = next.size === RELATIONS.length ? undefined : RELATIONS.filter((r) => next.has(r)).join(',') || 'none';
    navigate(withQuery(loc, { rel, ...Object.fromEntries(reset.map((k) => [k, undefined])) }));
  };
  return (
    <fieldset>
      <legend>{legend}</legend>
      {RELATIONS.map((r) => (
        <label key={r} class="check">
          <input type="checkbox" name="rel" value={r} checked={!relations || relations.has(r)} onChange={(e) => set(r, (e.target as HTMLInputElement).checked)} />
          {relationLabel(r)}
        </label>
      ))}
    </fieldset>
  );
}
