/** `/path?from=&to=`: the shortest path between two entities (either direction), drawn and listed. */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Criticality, ErrorBox, Loading, PageTitle } from '../components/common.tsx';
import { Graph } from '../components/Graph.tsx';
import { useQuery } from '../graphql.ts';
import { parseRelations, RelationFilter } from '../components/RelationFilter.tsx';
import { entityHref, Link, navigate, useLocation, withQuery } from '../router.tsx';

const PATH = `query Path($from: String!, $to: String!, $relations: [Relation!]) { path(from: $from, to: $to, relations: $relations) { ref name title criticality } }`;
type Step = { ref: string; name: string; title: string | null; criticality: string | null };

export function PathPage(): JSX.Element {
  const loc = useLocation();
  const from = loc.query.get('from') ?? '';
  const to = loc.query.get('to') ?? '';
  const [f, setF] = useState(from);
  const [t, setT] = useState(to);
  useEffect(() => {
    setF(from);
    setT(to);
  }, [from, to]);
  return (
    <>
      <PageTitle text="Shortest path" />
      <form
        class="pathform"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(withQuery(loc, { from: f.trim(), to: t.trim() }));
        }}
      >
        <label for="from">From</label>
        <input id="from" value={f} required placeholder="component:shop/frontend" onInput={(e) => setF((e.target as HTMLInputElement).value)} />
        <label for="to">To</label>
        <input id="to" value={t} required placeholder="resource:shop/redis" onInput={(e) => setT((e.target as HTMLInputElement).value)} />
        <button type="submit">Find</button>
      </form>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <RelationFilter loc={loc} legend="Relations followed (either direction)" />
      </form>
      {from && to ? <PathResult from={from} to={to} rel={loc.query.get('rel')} /> : <p>Enter two refs (or names only one entity has).</p>}
    </>
  );
}

function PathResult({ from, to, rel }: { from: string; to: string; rel: string | null }): JSX.Element {
  const relations = parseRelations(rel);
  const state = useQuery<{ path: Step[] | null }>(PATH, { from, to, relations: relations ? [...relations] : null }, `${from}|${to}|${rel}`);
  if (state.loading) return <Loading what="the path" />;
  if (state.error) return <ErrorBox error={state.error} />;
  const path = state.data.path;
  if (!path)
    return (
      <p role="status">
        No path between <code>{from}</code> and <code>{to}</code>.
      </p>
    );
  return (
    <section aria-labelledby="steps">
      <h2 id="steps">
        {path.length - 1} {path.length === 2 ? 'hop' : 'hops'}
      </h2>
      <Graph
        layout="line"
        label={`Path of ${path.length} entities from ${path[0].ref} to ${path[path.length - 1].ref}; listed below.`}
        nodes={path.map((s, i) => ({ ref: s.ref, label: s.name, criticality: s.criticality, distance: i }))}
        edges={path.slice(1).map((s, i) => ({ source: path[i].ref, target: s.ref, label: '' }))}
        href={(r) => entityHref(r)}
      />
      <ol class="path">
        {path.map((s) => (
          <li key={s.ref}>
            <Link href={entityHref(s.ref)}>{s.ref}</Link>
            {s.title ? <span class="title"> {s.title}</span> : null} <Criticality value={s.criticality} />
          </li>
        ))}
      </ol>
    </section>
  );
}
