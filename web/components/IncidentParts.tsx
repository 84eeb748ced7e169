/** Small pieces of the incident and problem pages: the state and severity badges, the subscription they listen to, the severities in order, the frame of a record's page, its timeline. */
import { Fragment, type ComponentChildren, type JSX } from 'preact';
import { entityHref, Link, useLocation, withQuery } from '../router.tsx';
import type { LiveState } from '../sse.ts';
import { Criticality, ErrorBox, Loading, PageTitle } from './common.tsx';

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
export const severityRank = (s: string): number => {
  const i = SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);
  return i < 0 ? SEVERITIES.length : i;
};

/** Every change of any incident (or of one with `id`): the pages re-read by query on each. */
export const INCIDENT_CHANGED = `subscription IncidentChanged($id: ID) { incidentChanged(id: $id) { id revision } }`;

export function IncidentState({ state }: { state: string }): JSX.Element {
  return <span class={`incident-state state-${state.toLowerCase()}`}>{state.toLowerCase()}</span>;
}

export function Severity({ value }: { value: string }): JSX.Element {
  return <Criticality value={value} />;
}

/** "live" while the subscription is open, so a reader knows the list updates by itself. */
export function LiveNote({ live }: { live: boolean }): JSX.Element {
  return (
    <p class="hint" data-live={live ? 'yes' : 'no'}>
      {live ? 'Updates live.' : 'Not updating live (reconnecting).'}
    </p>
  );
}

/** The root entity of an incident or problem: its title linking to it, '—' when there is none. */
export function RootLink({ rootRef, root }: { rootRef: string | null; root: { title: string | null } | null }): JSX.Element {
  return rootRef ? <Link href={entityHref(rootRef)}>{root?.title ?? rootRef}</Link> : <>—</>;
}

export const when = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');

/**
 * The frame of the page of one record read live (an incident, a problem):
 * loading, or "no such" with a link to the list, else its title, the live
 * note and a failed re-read, its summary (`facts`: dt/dd pairs) beside its
 * `actions`, then `children(record)`.
 */
export function RecordPage<T extends { id: string; title: string }>(props: {
  noun: string;
  id: string;
  list: string;
  read: LiveState<unknown>;
  record: T | null | undefined;
  facts: (record: T) => ComponentChildren;
  actions: (record: T) => ComponentChildren;
  children: (record: T) => ComponentChildren;
}): JSX.Element {
  const { noun, id, list, read, record } = props;
  if (read.loading && !read.data) return <Loading what={`${noun.toLowerCase()} ${id}`} />;
  if (!record)
    return (
      <>
        <PageTitle text={`${noun} ${id}`} />
        {read.error ? (
          <ErrorBox error={read.error} />
        ) : (
          <p>
            No {noun.toLowerCase()} {id}. <Link href={list}>All {noun.toLowerCase()}s</Link>
          </p>
        )}
      </>
    );
  return (
    <>
      <PageTitle text={`${noun} ${record.id}`}>
        {noun} {record.id} <span class="ref">{record.title}</span>
      </PageTitle>
      <LiveNote live={read.live} />
      {read.error ? <ErrorBox error={read.error} title={`Reading the ${noun.toLowerCase()} again failed`} /> : null}
      <div class="columns">
        <section aria-labelledby="summary">
          <h2 id="summary">Summary</h2>
          <dl class="facts">{props.facts(record)}</dl>
        </section>
        {props.actions(record)}
      </div>
      {props.children(record)}
    </>
  );
}

export interface TimelineEntry {
  at: string;
  type: string;
  by: string;
  message: string;
  note: string | null;
}

export function Timeline({ entries }: { entries: readonly TimelineEntry[] }): JSX.Element {
  return (
    <section aria-labelledby="timeline">
      <h2 id="timeline">Timeline</h2>
      <ol class="timeline" data-testid="timeline">
        {entries.map((t, i) => (
          <li key={i} data-type={t.type}>
            <time dateTime={t.at}>{when(t.at)}</time> <strong>{t.type}</strong> {t.message}
            {t.note ? (
              <>
                : <q>{t.note}</q>
              </>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** Links that keep one value of the query parameter `param` (or all of them): `label: all · a · b`, the current one marked. */
export function FilterLinks({ label, param, values, current }: { label: string; param: string; values: readonly string[]; current: string | undefined }): JSX.Element {
  const loc = useLocation();
  const id = `${param}-label`;
  return (
    <form class="filters" onSubmit={(e) => e.preventDefault()}>
      <span id={id}>{label}:</span>{' '}
      <span role="group" aria-labelledby={id}>
        <Link href={withQuery(loc, { [param]: undefined })} aria-current={current ? undefined : 'page'}>
          all
        </Link>
        {values.map((v) => (
          <Fragment key={v}>
            {' · '}
            <Link href={withQuery(loc, { [param]: v })} aria-current={current === v ? 'page' : undefined}>
              {v.toLowerCase().replace('_', ' ')}
            </Link>
          </Fragment>
        ))}
      </span>
    </form>
  );
}
