/**
 * `/entities/{kind:namespace/name}`: facts, labels, owner, relations and the
 * blast radius (graph and table); `?depth=`, `?rel=` (relations followed),
 * `?show=` (nodes drawn) and `?at=` (as of a commit or date) are in the URL.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Criticality, ErrorBox, Loading, PageTitle } from '../components/common.tsx';
import { Graph } from '../components/Graph.tsx';
import { IncidentEntitySection } from '../components/IncidentEntitySection.tsx';
import { useQuery } from '../graphql.ts';
import { entityHref, Link, navigate, useLocation, withQuery, type Location } from '../router.tsx';
import { parseRelations, RelationFilter, relationLabel } from '../components/RelationFilter.tsx';
import { ENTITY_AT, ENTITY_NOW, filterByRelations, type EntityData, type Reached } from './entityData.ts';
import { EntityNotFound } from './NotFound.tsx';

const DEFAULT_DEPTH = 3;
const DRAWN = 200;
const TABLE_ROWS = 1000;

export function EntityPage({ ref }: { ref: string }): JSX.Element {
  const loc = useLocation();
  const at = loc.query.get('at') ?? undefined;
  const depthParam = loc.query.get('depth');
  // The relations of each hop are read only when a relation filter needs them.
  const hops = loc.query.get('rel') !== null;
  const depth = depthParam === 'all' ? null : Number(depthParam) >= 1 ? Math.min(Number(depthParam), 10) : DEFAULT_DEPTH;
  const state = useQuery<{ commit?: string | null; entity?: EntityData | null; catalog?: { commit: { sha: string; committedAt: string }; entity: EntityData | null } }>(
    at ? ENTITY_AT : ENTITY_NOW,
    { ref, depth, hops, ...(at ? { at } : {}) },
    `${ref}|${depth}|${at}|${hops}`,
  );
  if (state.loading) return <Loading what={ref} />;
  if (state.error)
    return (
      <>
        <PageTitle text={ref} />
        <AsOf loc={loc} at={at} />
        <ErrorBox error={state.error} />
      </>
    );
  const entity = at ? state.data.catalog!.entity : state.data.entity!;
  if (!entity)
    return (
      <EntityNotFound ref={ref} at={at}>
        <AsOf loc={loc} at={at} commit={at ? state.data.catalog!.commit : undefined} />
      </EntityNotFound>
    );
  const commit = at ? state.data.catalog!.commit : undefined;
  return (
    <>
      <PageTitle text={entity.ref}>
        {entity.title ?? entity.name} <span class="ref">{entity.ref}</span>
      </PageTitle>
      <AsOf loc={loc} at={at} commit={commit} />
      <div class="columns">
        <Facts entity={entity} at={at} />
        <Relations entity={entity} at={at} />
      </div>
      <BlastRadius entity={entity} loc={loc} depth={depth} at={at} />
      <IncidentEntitySection entityRef={entity.ref} at={at} />
    </>
  );
}

function AsOf({ loc, at, commit }: { loc: Location; at?: string; commit?: { sha: string; committedAt: string } }): JSX.Element {
  const [value, setValue] = useState(at ?? '');
  useEffect(() => setValue(at ?? ''), [at]);
  return (
    <form
      class="asof"
      onSubmit={(e) => {
        e.preventDefault();
        navigate(withQuery(loc, { at: value.trim() }));
      }}
    >
      <label for="at">As of (commit, branch, tag or date)</label>
      <input id="at" value={value} placeholder="2026-01-02 or a commit" onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
      <button type="submit">Show</button>
      {at ? (
        <button type="button" onClick={() => navigate(withQuery(loc, { at: undefined }))}>
          Now
        </button>
      ) : null}
      <p class="hint" role="status">
        {commit ? (
          <>
            As of commit <code>{commit.sha.slice(0, 12)}</code> ({commit.committedAt})
          </>
        ) : (
          'The served commit.'
        )}
      </p>
    </form>
  );
}

function Facts({ entity, at }: { entity: EntityData; at?: string }): JSX.Element {
  return (
    <section aria-labelledby="facts">
      <h2 id="facts">Facts</h2>
      <dl class="facts">
        <dt>Kind</dt>
        <dd>{entity.kind}</dd>
        <dt>Namespace</dt>
        <dd>{entity.namespace}</dd>
        <dt>Name</dt>
        <dd>{entity.name}</dd>
        <dt>Criticality</dt>
        <dd>
          <Criticality value={entity.criticality} />
        </dd>
        <dt>Lifecycle</dt>
        <dd>{entity.lifecycle ?? '—'}</dd>
        <dt>Owner</dt>
        <dd>{entity.owner ? <Link href={entityHref(entity.owner.ref, at)}>{entity.owner.title ?? entity.owner.ref}</Link> : (entity.ownerRef ?? '—')}</dd>
        <dt>File</dt>
        <dd>
          <code>{entity.file}</code>
        </dd>
      </dl>
      <h3>Labels</h3>
      {entity.labels.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul class="labels">
          {entity.labels.map((l) => (
            <li key={l.key}>
              <code>
                {l.key}={l.value}
              </code>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Relations({ entity, at }: { entity: EntityData; at?: string }): JSX.Element {
  return (
    <section aria-labelledby="relations">
      <h2 id="relations">Relations</h2>
      {entity.neighbours.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul class="relations">
          {entity.neighbours.map((n) => (
            <li key={`${n.name}|${n.ref}`}>
              <span class="rel">{n.name}</span> <Link href={entityHref(n.ref, at)}>{n.ref}</Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function BlastRadius({ entity, loc, depth, at }: { entity: EntityData; loc: Location; depth: number | null; at?: string }): JSX.Element {
  const relations = parseRelations(loc.query.get('rel'));
  const show = Math.max(1, Number(loc.query.get('show')) || DRAWN);
  const reached = filterByRelations(entity.impact.entities, entity.ref, relations);
  const drawn = reached.slice(0, show);
  return (
    <section aria-labelledby="blast" class="blast">
      <h2 id="blast">Blast radius</h2>
      <p>What an outage or a change of {entity.ref} reaches, by distance.</p>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label for="depth">Depth</label>
        <select id="depth" value={depth === null ? 'all' : String(depth)} onChange={(e) => navigate(withQuery(loc, { depth: (e.target as HTMLSelectElement).value, show: undefined }))}>
          {[1, 2, 3, 4, 5, 6].map((d) => (
            <option key={d} value={String(d)}>
              {d}
            </option>
          ))}
          <option value="all">all</option>
        </select>
        <RelationFilter loc={loc} legend="Relations followed" reset={['show']} />
      </form>
      <p role="status" class="shown" data-testid="shown">
        Showing {drawn.length} of {reached.length} {reached.length === 1 ? 'entity' : 'entities'}
        {reached.length !== entity.impact.count ? ` (${entity.impact.count} before the relation filter)` : ''}.
      </p>
      {drawn.length < reached.length ? (
        <button type="button" onClick={() => navigate(withQuery(loc, { show: show + DRAWN }), { replace: true })}>
          Draw {Math.min(DRAWN, reached.length - drawn.length)} more
        </button>
      ) : null}
      <Graph
        layout="rings"
        label={`Blast radius of ${entity.ref}: ${drawn.length} entities drawn in rings by distance, coloured by criticality; the table below lists them.`}
        nodes={[{ ref: entity.ref, label: entity.name, criticality: entity.criticality, distance: 0 }, ...drawn.map((e) => ({ ref: e.ref, label: e.ref.split('/').pop()!, criticality: e.entity?.criticality ?? null, distance: e.distance }))]}
        edges={drawn.map((e) => ({ source: e.from, target: e.ref, label: e.relations.join(', ') }))}
        href={(r) => entityHref(r, at)}
      />
      <Legend />
      <ImpactTable reached={reached} at={at} />
    </section>
  );
}

function Legend(): JSX.Element {
  return (
    <p class="legend">
      Colour by criticality: {['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'].map((c) => <Criticality key={c} value={c} />)} <Criticality value={null} />
    </p>
  );
}

function ImpactTable({ reached, at }: { reached: Reached[]; at?: string }): JSX.Element {
  if (reached.length === 0) return <p>Nothing is reached.</p>;
  return (
    <div class="table-wrap">
      <table class="impact">
        <caption>
          Reached entities{reached.length > TABLE_ROWS ? ` (the first ${TABLE_ROWS} of ${reached.length})` : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col">Ref</th>
            <th scope="col">Kind</th>
            <th scope="col">Distance</th>
            <th scope="col">Criticality</th>
            <th scope="col">Via</th>
          </tr>
        </thead>
        <tbody>
          {reached.slice(0, TABLE_ROWS).map((e) => (
            <tr key={e.ref}>
              <td>
                <Link href={entityHref(e.ref, at)}>{e.ref}</Link>
              </td>
              <td>{e.kind}</td>
              <td>{e.distance}</td>
              <td>
                <Criticality value={e.entity?.criticality} />
              </td>
              <td>
                {e.via.join(' → ')}
                {e.relations.length ? <span class="rel"> ({e.relations.map(relationLabel).join(', ')})</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
