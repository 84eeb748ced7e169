/**
 * What the KPI page shows, read from its URL (`?period=30|90`, or
 * `?from=YYYY-MM-DD&to=YYYY-MM-DD` with `to` included; `?bucket=day|week`;
 * `?system=`, `?owner=`), and how its numbers are written.
 */

export type Bucket = 'day' | 'week';

export interface KpiView {
  /** ISO times of the period [from, to) the API is asked about. */
  from: string;
  to: string;
  /** "last 30 days", or "2026-03-01 to 2026-03-07". */
  label: string;
  /** 30 or 90 for the rolling periods, 'custom' for from/to. */
  period: '30' | '90' | 'custom';
  /** The dates as typed (custom) or computed (rolling), `to` included. */
  fromDate: string;
  toDate: string;
  bucket: Bucket;
  system: string;
  owner: string;
  /** Why the URL's from/to were not used, if they were not. */
  problem?: string;
}

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const parseDate = (s: string | null): number | undefined => {
  if (!s || !DATE.test(s)) return undefined;
  const ms = Date.parse(`${s}T00:00:00Z`);
  return Number.isNaN(ms) || day(ms) !== s ? undefined : ms;
};

/** The rolling period of the last `days` days, today (UTC) included. */
export function lastDays(days: number, now: Date): { from: string; to: string } {
  const to = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY_MS;
  return { from: new Date(to - days * DAY_MS).toISOString(), to: new Date(to).toISOString() };
}

export function readView(query: URLSearchParams, now: Date): KpiView {
  const bucket: Bucket = query.get('bucket') === 'week' ? 'week' : 'day';
  const common = { bucket, system: query.get('system') ?? '', owner: query.get('owner') ?? '' };
  const rawFrom = query.get('from');
  const rawTo = query.get('to');
  let problem: string | undefined;
  if (rawFrom !== null || rawTo !== null) {
    const from = parseDate(rawFrom);
    const to = parseDate(rawTo);
    if (from !== undefined && to !== undefined && from <= to)
      return { ...common, from: new Date(from).toISOString(), to: new Date(to + DAY_MS).toISOString(), label: `${rawFrom} to ${rawTo}`, period: 'custom', fromDate: rawFrom!, toDate: rawTo! };
    problem = `The period "${rawFrom ?? ''}" to "${rawTo ?? ''}" is not two dates (YYYY-MM-DD) with "from" not after "to": showing the last 30 days.`;
  }
  const days = query.get('period') === '90' && !problem ? 90 : 30;
  const { from, to } = lastDays(days, now);
  return { ...common, from, to, label: `last ${days} days`, period: days === 90 ? '90' : '30', fromDate: day(Date.parse(from)), toDate: day(Date.parse(to) - DAY_MS), problem };
}

const percent = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });
const decimal = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
const one = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

export const formatRate = (r: number): string => percent.format(r);
export const formatPerDay = (n: number): string => `${decimal.format(n)} per day`;
/** Seconds as minutes under an hour, hours under three days, else days. */
export function formatDuration(seconds: number): string {
  if (seconds < 3600) return `${one.format(seconds / 60)} min`;
  if (seconds < 72 * 3600) return `${one.format(seconds / 3600)} h`;
  return `${one.format(seconds / 86400)} d`;
}
/** Hours on a chart's axis. */
export const formatHours = (h: number): string => `${one.format(h)} h`;

/** A bucket's start as the table shows it. */
export const bucketLabel = (bucket: Bucket) => (x: number): string => (bucket === 'week' ? `week from ${day(x * 1000)}` : day(x * 1000));
