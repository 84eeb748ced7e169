import type { RefString } from '../core/types.ts';
import type { ChangeRecord } from '../state/ChangeRecord.ts';
import { isPullRequestRecord } from '../state/ChangeRecord.ts';
import type { Incident } from '../state/IncidentRecords.ts';

/**
 * Delivery and stability KPIs (issue 12) from change records and incidents,
 * following DORA's definitions (docs/kpis.md). Pure: the caller passes the
 * records and, for the `system`/`owner` filters, how to find an entity's
 * system and owner (the served snapshot's relations and facts).
 *
 * `prepareKpis` reads every record once (times parsed, causes linked, filter
 * applied) into arrays sorted by time; `kpisOver` and `kpiSeries` then answer
 * any period by binary search over them.
 */

const DAY_MS = 86_400_000;

export interface KpiScope {
  /** Only changes that changed an entity of this system, and incidents whose root is of it. */
  system?: RefString;
  /** Only changes that changed an entity of this owner, and incidents whose root it owns. */
  owner?: RefString;
  /** The system an entity is part of (needed with `system`). */
  systemOf?: (ref: RefString) => RefString | undefined;
  /** The owner of an entity (needed with `owner`). */
  ownerOf?: (ref: RefString) => RefString | undefined;
}

export interface KpiInput extends KpiScope {
  changes: readonly ChangeRecord[];
  incidents: readonly Incident[];
}

/** A change as the KPIs read it. */
interface ChangeFacts {
  record: ChangeRecord;
  mergedMs: number;
  /** Merge minus first commit (else, for a pull request, its opening); undefined when neither is known. */
  leadMs?: number;
  pullRequest: boolean;
  emergency: boolean;
  /** It is the undismissed top probable cause of at least one incident. */
  failed: boolean;
  /** Merge to the resolution of the last incident it caused, when all of them are resolved. */
  recoveryMs?: number;
}

interface IncidentFacts {
  incident: Incident;
  openedMs: number;
  /** Opened to resolved, for resolved incidents. */
  restoreMs?: number;
}

export interface PreparedKpis {
  /** Sorted by merge time. */
  changes: ChangeFacts[];
  /** Sorted by opening time. */
  incidents: IncidentFacts[];
}

export interface ServiceIncidents {
  root: RefString;
  incidents: number;
}

/** The KPIs of one period. Durations in seconds; rates in [0, 1]; null when there is nothing to compute them from. */
export interface Kpis {
  from: string;
  to: string;
  /** Changes merged in the period. */
  changes: number;
  /** Incidents opened in the period. */
  incidents: number;
  /** Changes merged per day of the period. */
  deploymentFrequency: number;
  leadTimeP50: number | null;
  leadTimeP90: number | null;
  /** Changes of the period that caused an incident. */
  failedChanges: number;
  changeFailureRate: number | null;
  changeSuccessRate: number | null;
  /** Median, over the period's failed changes whose incidents are all resolved, of merge to the last resolution. */
  failedChangeRecoveryTime: number | null;
  /** Over the incidents opened in the period and resolved. */
  meanTimeToRestore: number | null;
  medianTimeToRestore: number | null;
  resolvedIncidents: number;
  /** Emergency changes / pull-request changes (branch records have no change type). */
  emergencyChangeRatio: number | null;
  /** Incidents of the period by root, most first (then by ref). */
  incidentsPerService: ServiceIncidents[];
}

export const KPI_METRICS = [
  'changes',
  'incidents',
  'deploymentFrequency',
  'leadTimeP50',
  'leadTimeP90',
  'changeFailureRate',
  'changeSuccessRate',
  'failedChangeRecoveryTime',
  'meanTimeToRestore',
  'medianTimeToRestore',
  'emergencyChangeRatio',
] as const;
export type KpiMetric = (typeof KPI_METRICS)[number];
export type KpiBucket = 'day' | 'week';

export interface KpiPoint {
  /** The bucket's start (midnight UTC; Monday for weeks), clipped to `from`. */
  from: string;
  /** Its end (exclusive), clipped to `to`. */
  to: string;
  value: number | null;
}

/** The id of the change that is the undismissed top probable cause of the incident (the first cause nobody dismissed), if any. */
export function causeOf(incident: Incident): string | undefined {
  return incident.probableCauses.find((c) => !c.dismissed)?.change.id;
}

/** Incidents by the change that is their undismissed top probable cause. */
export function incidentsByCause(incidents: Iterable<Incident>): Map<string, Incident[]> {
  const byCause = new Map<string, Incident[]>();
  for (const incident of incidents) {
    const id = causeOf(incident);
    if (id === undefined) continue;
    const list = byCause.get(id);
    if (list) list.push(incident);
    else byCause.set(id, [incident]);
  }
  return byCause;
}

/** The time of a change's first commit: `firstCommitAt`, else (pull requests) `openedAt`. */
export function firstCommitOf(record: ChangeRecord): string | undefined {
  return record.firstCommitAt ?? (isPullRequestRecord(record) ? record.openedAt : undefined);
}

function inScope(scope: KpiScope): (ref: RefString | null | undefined) => boolean {
  const { system, owner, systemOf, ownerOf } = scope;
  if (system === undefined && owner === undefined) return () => true;
  return (ref) =>
    ref !== null && ref !== undefined && (system === undefined || systemOf?.(ref) === system) && (owner === undefined || ownerOf?.(ref) === owner);
}

/** Reads every record once: times parsed, failures linked, the scope applied, sorted by time. */
export function prepareKpis(input: KpiInput): PreparedKpis {
  const matches = inScope(input);
  const scoped = input.system !== undefined || input.owner !== undefined;
  const resolvedMs = (i: Incident) => (i.state === 'resolved' && i.resolvedAt ? Date.parse(i.resolvedAt) : undefined);
  // One pass over incidents: the latest resolution of the incidents each change caused (NaN: one is unresolved).
  const recovered = new Map<string, number>();
  const incidents: IncidentFacts[] = [];
  for (const incident of input.incidents) {
    const openedMs = Date.parse(incident.openedAt);
    const resolved = resolvedMs(incident);
    const cause = causeOf(incident);
    if (cause !== undefined) recovered.set(cause, Math.max(recovered.get(cause) ?? -Infinity, resolved ?? NaN));
    if (!matches(incident.root) || Number.isNaN(openedMs)) continue;
    incidents.push({ incident, openedMs, restoreMs: resolved === undefined ? undefined : resolved - openedMs });
  }
  const changes: ChangeFacts[] = [];
  for (const record of input.changes) {
    if (scoped && !record.changed.some(matches)) continue;
    const mergedMs = Date.parse(record.mergedAt);
    if (Number.isNaN(mergedMs)) continue;
    const first = firstCommitOf(record);
    const firstMs = first === undefined ? NaN : Date.parse(first);
    const last = recovered.get(record.id);
    const pullRequest = isPullRequestRecord(record);
    changes.push({
      record,
      mergedMs,
      leadMs: Number.isNaN(firstMs) ? undefined : Math.max(0, mergedMs - firstMs),
      pullRequest,
      emergency: pullRequest && record.changeType === 'emergency',
      failed: last !== undefined,
      recoveryMs: last === undefined || Number.isNaN(last) ? undefined : Math.max(0, last - mergedMs),
    });
  }
  changes.sort((a, b) => a.mergedMs - b.mergedMs);
  incidents.sort((a, b) => a.openedMs - b.openedMs);
  return { changes, incidents };
}

/** First index whose time is >= ms (arrays sorted by time). */
function lowerBound<T>(items: readonly T[], ms: number, time: (item: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time(items[mid]) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Nearest-rank percentile (p in (0, 1]) of sorted values: the value at rank ⌈p·n⌉; null when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);
const ratio = (n: number, d: number) => (d === 0 ? null : n / d);

/** Time strings or dates to ms; throws a RangeError naming the bad one, or when `to` is not after `from`. */
export function periodOf(from: string | Date, to: string | Date): { fromMs: number; toMs: number } {
  const fromMs = typeof from === 'string' ? Date.parse(from) : from.getTime();
  const toMs = typeof to === 'string' ? Date.parse(to) : to.getTime();
  if (Number.isNaN(fromMs)) throw new RangeError(`"from" is not a time: ${String(from)}`);
  if (Number.isNaN(toMs)) throw new RangeError(`"to" is not a time: ${String(to)}`);
  if (toMs <= fromMs) throw new RangeError(`"to" (${new Date(toMs).toISOString()}) must be after "from" (${new Date(fromMs).toISOString()})`);
  return { fromMs, toMs };
}

/** The KPIs of [from, to) over prepared records; `top`: how many services `incidentsPerService` lists (default 10). */
export function kpisOver(prepared: PreparedKpis, from: string | Date, to: string | Date, top = 10): Kpis {
  const { fromMs, toMs } = periodOf(from, to);
  const c0 = lowerBound(prepared.changes, fromMs, (c) => c.mergedMs);
  const c1 = lowerBound(prepared.changes, toMs, (c) => c.mergedMs);
  const i0 = lowerBound(prepared.incidents, fromMs, (i) => i.openedMs);
  const i1 = lowerBound(prepared.incidents, toMs, (i) => i.openedMs);
  const changeCount = c1 - c0;
  // Typed arrays: sorted natively, numerically.
  const leads = new Float64Array(changeCount);
  const recoveries = new Float64Array(changeCount);
  let nLeads = 0;
  let nRecoveries = 0;
  let failed = 0;
  let pullRequests = 0;
  let emergencies = 0;
  for (let k = c0; k < c1; k++) {
    const c = prepared.changes[k];
    if (c.leadMs !== undefined) leads[nLeads++] = c.leadMs;
    if (c.failed) failed++;
    if (c.recoveryMs !== undefined) recoveries[nRecoveries++] = c.recoveryMs;
    if (c.pullRequest) pullRequests++;
    if (c.emergency) emergencies++;
  }
  const restores = new Float64Array(i1 - i0);
  let nRestores = 0;
  let restoreSum = 0;
  const perRoot = new Map<RefString, number>();
  for (let k = i0; k < i1; k++) {
    const i = prepared.incidents[k];
    if (i.restoreMs !== undefined) {
      restores[nRestores++] = i.restoreMs;
      restoreSum += i.restoreMs;
    }
    if (top > 0 && i.incident.root !== null) perRoot.set(i.incident.root, (perRoot.get(i.incident.root) ?? 0) + 1);
  }
  const sortedLeads = leads.subarray(0, nLeads).sort();
  const sortedRecoveries = recoveries.subarray(0, nRecoveries).sort();
  const sortedRestores = restores.subarray(0, nRestores).sort();
  const failureRate = ratio(failed, changeCount);
  return {
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    changes: changeCount,
    incidents: i1 - i0,
    deploymentFrequency: changeCount / ((toMs - fromMs) / DAY_MS),
    leadTimeP50: seconds(percentile(sortedLeads, 0.5)),
    leadTimeP90: seconds(percentile(sortedLeads, 0.9)),
    failedChanges: failed,
    changeFailureRate: failureRate,
    changeSuccessRate: ratio(changeCount - failed, changeCount),
    failedChangeRecoveryTime: seconds(percentile(sortedRecoveries, 0.5)),
    meanTimeToRestore: nRestores === 0 ? null : restoreSum / nRestores / 1000,
    medianTimeToRestore: seconds(percentile(sortedRestores, 0.5)),
    resolvedIncidents: nRestores,
    emergencyChangeRatio: ratio(emergencies, pullRequests),
    incidentsPerService: [...perRoot]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, Math.max(0, top))
      .map(([root, n]) => ({ root, incidents: n })),
  };
}

/** The KPIs of [from, to): prepareKpis then kpisOver. */
export function computeKpis(input: KpiInput & { from: string | Date; to: string | Date; top?: number }): Kpis {
  return kpisOver(prepareKpis(input), input.from, input.to, input.top);
}

/** Start of the UTC day, or of the ISO week (Monday), holding ms. */
function bucketStart(ms: number, bucket: KpiBucket): number {
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  if (bucket === 'day') return day;
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0
  return day - weekday * DAY_MS;
}

/** Largest number of points one series may have. */
export const MAX_SERIES_POINTS = 1000;

/**
 * One metric per day or ISO week (UTC) over [from, to): each point the
 * metric of its bucket clipped to the period. Throws a RangeError for a bad
 * period or more than MAX_SERIES_POINTS points.
 */
export function kpiSeries(prepared: PreparedKpis, metric: KpiMetric, bucket: KpiBucket, from: string | Date, to: string | Date): KpiPoint[] {
  const { fromMs, toMs } = periodOf(from, to);
  const step = bucket === 'day' ? DAY_MS : 7 * DAY_MS;
  const first = bucketStart(fromMs, bucket);
  const count = Math.ceil((toMs - first) / step);
  if (count > MAX_SERIES_POINTS) throw new RangeError(`the series would have ${count} points, more than ${MAX_SERIES_POINTS}: use a shorter period or WEEK buckets`);
  const points: KpiPoint[] = [];
  for (let start = first; start < toMs; start += step) {
    const a = Math.max(start, fromMs);
    const b = Math.min(start + step, toMs);
    const k = kpisOver(prepared, new Date(a), new Date(b), 0);
    points.push({ from: k.from, to: k.to, value: k[metric] });
  }
  return points;
}
