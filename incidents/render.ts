import type { Problem } from '../state/IncidentRecords.ts';
import type { IncidentView } from './view.ts';

/**
 * The text output of `cmdb incidents`, `cmdb incident show` and `cmdb problems`
 * (their JSON is `incidentView` and the Problem records). Times are printed as
 * `YYYY-MM-DD HH:MM` UTC; no colour, so the output can be piped.
 */

const minute = (iso: string | undefined): string => (iso ? iso.slice(0, 16).replace('T', ' ') : '');

/** Columns padded to their widest cell (the last one unpadded). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** One row per incident: id, state, severity, opened, root, signals, title. */
export function renderIncidentTable(incidents: readonly IncidentView[]): string {
  return table(
    ['ID', 'STATE', 'SEVERITY', 'OPENED (UTC)', 'ROOT', 'SIGNALS', 'TITLE'],
    incidents.map((i) => [i.id, i.state, i.severity, minute(i.openedAt), i.root ?? '-', `${i.signals.filter((s) => s.state === 'firing').length}/${i.signals.length} firing`, i.title]),
  );
}

const section = (title: string, lines: string[]): string[] => (lines.length ? ['', `${title}:`, ...lines.map((l) => `  ${l}`)] : []);

/** An incident with everything an on-call engineer reads: signals, root, correlated, impact (`N impacted (showing M)` when the record lists only the nearest M), probable causes, runbooks, timeline. */
export function renderIncident(i: IncidentView): string {
  const when = [`opened ${minute(i.openedAt)}`, i.acknowledgedAt && `acknowledged ${minute(i.acknowledgedAt)}`, i.resolvedAt && `resolved ${minute(i.resolvedAt)}`].filter(Boolean).join(', ');
  return [
    `${i.id}  ${i.title}`,
    `state: ${i.state}   severity: ${i.severity}   ${when} (UTC)`,
    `root: ${i.root ?? '(no entity: an alert that maps to none)'}`,
    ...(i.problem ? [`problem: ${i.problem}`] : []),
    ...section(
      'Signals',
      i.signals.map((s) => `${s.state === 'firing' ? 'firing ' : 'cleared'}  ${s.ref ?? '-'}  ${s.source} ${s.kind}${s.field ? ` ${s.field}` : ''}: ${s.message}  (since ${minute(s.firstSeen)}, last ${minute(s.lastSeen)})`),
    ),
    ...section('Correlated', i.correlated),
    ...section(
      i.impactedCount > i.impacted.length ? `${i.impactedCount} impacted (showing ${i.impacted.length})` : 'Impacted',
      i.impacted.map((x) => `${x.ref}  distance ${x.distance}${x.criticality ? `  ${x.criticality}` : ''}`),
    ),
    ...section(
      'Probable causes',
      i.probableCauses.map((c, n) => {
        const what = c.change.number !== undefined ? `#${c.change.number} ` : '';
        const commits = c.change.commits.map((s) => s.slice(0, 12)).join(', ');
        const dismissed = c.dismissed ? `  (dismissed by ${c.dismissed.by}${c.dismissed.note ? `: ${c.dismissed.note}` : ''})` : '';
        return `${n + 1}. ${what}"${c.change.title}" (${c.change.id}, recorded ${minute(c.change.recordedAt)}${commits ? `, commits ${commits}` : ''}): ${c.reason}${dismissed}`;
      }),
    ),
    ...section('Runbooks', i.runbooks.map((r) => `${r.title}  ${r.path}`)),
    ...section(
      'Timeline',
      i.timeline.map((t) => `${minute(t.at)}  ${t.type}  ${t.by}: ${t.message}${t.note ? ` — ${t.note}` : ''}`),
    ),
  ].join('\n');
}

/** One row per problem: id, state, opened, root, kind, number of incidents, title. */
export function renderProblemTable(problems: readonly Problem[]): string {
  return table(
    ['ID', 'STATE', 'OPENED (UTC)', 'ROOT', 'KIND', 'INCIDENTS', 'TITLE'],
    problems.map((p) => [p.id, p.state, minute(p.openedAt), p.root ?? '-', p.kind, String(p.incidents.length), `${p.title}${p.workaround ? ` (workaround: ${p.workaround})` : ''}`]),
  );
}
