/**
 * `/changes`: the change calendar (week or month, `?view=` and `?date=` in
 * the URL, opening on the current one): the catalog's freeze and maintenance
 * windows as bands (`changeWindows`), the changes merged each day
 * (`changes(from, to)`) with their risk, and conflicts marked: a change
 * merged inside a freeze window that applies to it (the window's
 * `conflictingChanges`); and the open
 * pull requests the GitHub controller evaluated (`openChanges`), with their
 * risk and the open pull requests they conflict with.
 */
import type { JSX } from 'preact';
import { Calendar, dayOf, parseDay, periodOf, stepDay, type CalendarBand, type CalendarView } from '../components/Calendar.tsx';
import { ErrorBox, Loading, PageTitle } from '../components/common.tsx';
import { useQuery } from '../graphql.ts';
import { Link, useLocation, withQuery } from '../router.tsx';

interface WindowData extends CalendarBand {
  ref: string;
  description: string | null;
  appliesTo: string | null;
  conflictingChanges: Array<{ id: string }>;
}
interface ChangeItem {
  id: string;
  title: string;
  risk: string | null;
  decision: string | null;
  mergedAt: string;
}

const WINDOWS = `query($from: String!, $to: String!) { changeWindows(from: $from, to: $to) { ref name kind start end description appliesTo conflictingChanges { id } } }`;
const CHANGES = `query($from: String!, $to: String!) { changes(from: $from, to: $to, first: 500) { totalCount nodes { id title risk decision mergedAt } } }`;

interface OpenItem {
  id: string;
  title: string;
  risk: string | null;
  decision: string | null;
  changed: string[];
  conflicts: Array<{ id: string; number: number; refs: string[] }>;
}
const OPEN = `{ openChanges { id title risk decision changed conflicts { id number refs } } }`;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const changeHref = (id: string): string => `/changes/${encodeURIComponent(id)}`;

export function ChangesPage(): JSX.Element {
  const loc = useLocation();
  const view: CalendarView = loc.query.get('view') === 'month' ? 'month' : 'week';
  const day = parseDay(loc.query.get('date'));
  const today = parseDay(null);
  const period = periodOf(view, day);
  const vars = { from: new Date(period.days[0]).toISOString(), to: new Date(period.days[period.days.length - 1] + 86_400_000).toISOString() };
  const key = `${vars.from}|${vars.to}`;
  const windows = useQuery<{ changeWindows: WindowData[] }>(WINDOWS, vars, key);
  const changes = useQuery<{ changes: { totalCount: number; nodes: ChangeItem[] } }>(CHANGES, vars, key);

  const bands: CalendarBand[] = windows.data ? windows.data.changeWindows.map((w) => ({ ...w, key: w.ref })) : [];
  const freezesOf = new Map<string, string[]>();
  for (const w of windows.data?.changeWindows ?? [])
    if (w.kind === 'FREEZE') for (const c of w.conflictingChanges) freezesOf.set(c.id, [...(freezesOf.get(c.id) ?? []), w.name]);
  const byDay = new Map<string, ChangeItem[]>();
  // Oldest first within a day (the API lists the newest first).
  for (const c of [...(changes.data?.changes.nodes ?? [])].reverse()) {
    const d = dayOf(Date.parse(c.mergedAt));
    byDay.set(d, [...(byDay.get(d) ?? []), c]);
  }
  const conflicts = [...freezesOf.keys()].filter((id) => changes.data?.changes.nodes.some((c) => c.id === id)).length;
  const go = (changes: Record<string, string | undefined>) => withQuery(loc, changes);

  return (
    <>
      <PageTitle text="Changes" />
      <nav class="cal-nav" aria-label="Calendar">
        <Link href={go({ date: dayOf(stepDay(view, day, -1)) })}>← Previous {view}</Link>
        <Link href={go({ date: undefined })}>Today</Link>
        <Link href={go({ date: dayOf(stepDay(view, day, 1)) })}>Next {view} →</Link>
        <span class="cal-views">
          <Link href={go({ view: undefined })} {...(view === 'week' ? { 'aria-current': 'page' as const } : {})}>
            Week
          </Link>
          <Link href={go({ view: 'month' })} {...(view === 'month' ? { 'aria-current': 'page' as const } : {})}>
            Month
          </Link>
        </span>
      </nav>
      <h2 class="cal-title">{period.title}</h2>
      {windows.error ? <ErrorBox error={windows.error} title="The change windows could not be read" /> : null}
      {changes.error ? <ErrorBox error={changes.error} title="The merged changes could not be read" /> : null}
      {windows.loading || changes.loading ? <Loading what="the calendar" /> : null}
      {windows.data && changes.data ? (
        <p class="cal-summary" role="status">
          {plural(changes.data.changes.totalCount, 'change')} merged, {plural(bands.length, 'window')}, {plural(conflicts, 'conflict')}.
        </p>
      ) : null}
      <OpenChanges />
      <Calendar
        view={view}
        period={period}
        bands={bands}
        today={today}
        itemsOf={(d) =>
          (byDay.get(dayOf(d)) ?? []).map((c) => {
            const freezes = freezesOf.get(c.id);
            return (
              <span class={`cal-change${freezes ? ' conflict' : ''}`}>
                {freezes ? <strong class="conflict-mark">Conflict: merged in freeze {freezes.join(', ')}. </strong> : null}
                <Link href={changeHref(c.id)}>{c.title}</Link> <code>{c.id}</code>
                <Risk risk={c.risk} />
              </span>
            );
          })
        }
      />
      {windows.data && windows.data.changeWindows.length > 0 ? (
        <section aria-labelledby="windows">
          <h2 id="windows">Windows</h2>
          <ul class="windows">
            {windows.data.changeWindows.map((w) => (
              <li key={w.ref}>
                <span class={`band-inline band-${w.kind.toLowerCase()}`}>{w.kind === 'FREEZE' ? 'Freeze' : 'Maintenance'}</span> <strong>{w.name}</strong>{' '}
                <time dateTime={w.start}>{w.start}</time> to <time dateTime={w.end}>{w.end}</time>, applies to {w.appliesTo ? <code>{w.appliesTo}</code> : 'every change'}
                {w.description ? <span class="title"> — {w.description}</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

function Risk({ risk }: { risk: string | null }): JSX.Element | null {
  return risk ? <span class={`risk risk-${risk}`}>risk {risk}</span> : null;
}

/** The open pull requests (not dated: they are not merged yet), conflicts marked. */
function OpenChanges(): JSX.Element {
  const state = useQuery<{ openChanges: OpenItem[] }>(OPEN, {}, 'open');
  return (
    <section aria-labelledby="open" class="open-changes">
      <h2 id="open">Open pull requests</h2>
      {state.loading ? (
        <Loading what="the open pull requests" />
      ) : state.error ? (
        <ErrorBox error={state.error} title="The open pull requests could not be read" />
      ) : state.data.openChanges.length === 0 ? (
        <p>None evaluated (the GitHub controller lists those it evaluated).</p>
      ) : (
        <ul class="hits">
          {state.data.openChanges.map((o) => (
            <li key={o.id} class={o.conflicts.length > 0 ? 'conflict' : undefined}>
              {o.title} <code>{o.id}</code> <Risk risk={o.risk} /> {o.decision ? <span class="title">{o.decision}</span> : null}
              {o.conflicts.length > 0 ? (
                <strong class="conflict-mark">
                  {' '}
                  Conflicts with {o.conflicts.map((c) => `${c.id} (${c.refs.join(', ')})`).join('; ')}
                </strong>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
