/**
 * The change calendar: a week or a month of UTC days in a 7-column grid
 * (Monday first), each day listing the windows covering it (bands labelled
 * with their names), then the items of that day.
 */
import type { ComponentChildren, JSX } from 'preact';

export type CalendarView = 'week' | 'month';

export interface CalendarBand {
  key: string;
  name: string;
  kind: 'FREEZE' | 'MAINTENANCE';
  start: string;
  end: string;
}

const DAY = 86_400_000;
/** YYYY-MM-DD of a UTC time. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const monday = (ms: number): number => {
  const d = new Date(ms);
  return ms - ((d.getUTCDay() + 6) % 7) * DAY;
};

/** A YYYY-MM-DD date as UTC midnight (ms); today's when it is not a date. */
export function parseDay(text: string | null, now = Date.now()): number {
  const ms = text && /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : NaN;
  return Number.isNaN(ms) ? Date.parse(`${dayOf(now)}T00:00:00Z`) : ms;
}

/** The days shown for `view` around `day`: [from, to) and the grid's days (whole weeks). */
export function periodOf(view: CalendarView, day: number): { from: number; to: number; days: number[]; title: string } {
  if (view === 'week') {
    const from = monday(day);
    const days = Array.from({ length: 7 }, (_, i) => from + i * DAY);
    return { from, to: from + 7 * DAY, days, title: `Week of ${dayOf(from)}` };
  }
  const d = new Date(day);
  const from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const to = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  const gridFrom = monday(from);
  const days: number[] = [];
  for (let t = gridFrom; t < to || days.length % 7 !== 0; t += DAY) days.push(t);
  return { from, to, days, title: new Date(from).toLocaleDateString('en', { month: 'long', year: 'numeric', timeZone: 'UTC' }) };
}

/** The day `view` steps to, backwards (-1) or forwards (1). */
export function stepDay(view: CalendarView, day: number, step: -1 | 1): number {
  if (view === 'week') return day + step * 7 * DAY;
  const d = new Date(day);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + step, 1);
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export function Calendar(props: {
  view: CalendarView;
  period: { from: number; to: number; days: number[] };
  bands: readonly CalendarBand[];
  /** What a day lists under its bands. */
  itemsOf: (day: number) => ComponentChildren[];
  today: number;
}): JSX.Element {
  const { period, bands, itemsOf, today } = props;
  return (
    <div class={`calendar calendar-${props.view}`} role="table" aria-label="Change calendar">
      <div class="cal-row cal-head" role="row">
        {WEEKDAYS.map((w) => (
          <div key={w} role="columnheader" class="cal-weekday">
            {w}
          </div>
        ))}
      </div>
      {Array.from({ length: period.days.length / 7 }, (_, week) => (
        <div class="cal-row" role="row" key={week}>
          {period.days.slice(week * 7, week * 7 + 7).map((day) => {
            const outside = day < period.from || day >= period.to;
            const covering = bands.filter((b) => Date.parse(b.start) < day + DAY && Date.parse(b.end) > day);
            const items = itemsOf(day);
            return (
              <div key={day} role="cell" class={`cal-day${outside ? ' cal-outside' : ''}${day === today ? ' cal-today' : ''}`} data-day={dayOf(day)}>
                <div class="cal-date">
                  <time dateTime={dayOf(day)}>{new Date(day).getUTCDate()}</time>
                  {day === today ? <span class="sr-only"> (today)</span> : null}
                </div>
                {covering.map((b) => (
                  <div key={b.key} class={`band band-${b.kind.toLowerCase()}`} title={`${b.kind.toLowerCase()} ${b.start} – ${b.end}`}>
                    <span class="band-kind">{b.kind === 'FREEZE' ? 'Freeze' : 'Maintenance'}:</span> {b.name}
                  </div>
                ))}
                {items.length > 0 ? <ul class="cal-items">{items.map((item, i) => <li key={i}>{item}</li>)}</ul> : null}
              </div>
            );
          })}
        </div>
      ))}
    </div>
  );
}
