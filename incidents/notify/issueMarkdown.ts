import type { IncidentView } from '../view.ts';

/**
 * The GitHub issue of an incident, in Markdown: its title, its body (the
 * incident now: severity, root, impact, probable causes, runbooks, signals,
 * link) and the comments that carry its timeline. Hidden markers tie them to
 * the incident: `<!-- cmdb-incident: INC-3 opened: <openedAt> timeline: N -->`
 * in the body (N: timeline entries already shown on the issue) and
 * `<!-- cmdb-incident: INC-3 timeline: A..B -->` in each comment.
 */

export interface IssueLinks {
  /** The incident's page, when the server has a public URL. */
  incidentUrl?: (id: string) => string | undefined;
  /** The config repo's web address (`https://github.com/owner/name`), for runbook links. */
  repoWebUrl: string;
}

/** GitHub's limits: issue titles 256 characters, bodies and comments 65,536. */
const MAX_TITLE = 256;
const MAX_BODY = 65_000;
/** Timeline entries shown in one comment. */
const MAX_ENTRIES = 50;

/** Text from outside (alert messages, titles) as plain Markdown: no markup, no @mentions or #references that would notify. */
export const plain = (s: string): string =>
  s
    .replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`)
    .replace(/@(?=\w)/g, '@\u200b')
    .replace(/#(?=\d)/g, '#\u200b')
    .replace(/\r?\n/g, ' ');

const code = (s: string): string => `\`${s.replace(/`/g, "'")}\``;

export const issueTitle = (incident: IncidentView): string => {
  const title = `[${incident.id}] ${incident.title.replace(/\s+/g, ' ')}`;
  return title.length > MAX_TITLE ? `${title.slice(0, MAX_TITLE - 1)}…` : title;
};

const bodyMarker = (incident: IncidentView, covered: number) => `<!-- cmdb-incident: ${incident.id} opened: ${incident.openedAt} timeline: ${covered} -->`;

/** Whether an issue body is the one of this incident (same id and opening time: a store started afresh numbers from INC-1 again). */
export const isIssueOf = (body: string, incident: Pick<IncidentView, 'id' | 'openedAt'>): boolean => body.includes(`<!-- cmdb-incident: ${incident.id} opened: ${incident.openedAt} `);

/** Timeline entries an issue body says are shown, or undefined when it is not the incident's. */
export function coveredByBody(body: string, incident: IncidentView): number | undefined {
  if (!isIssueOf(body, incident)) return undefined;
  const m = /<!-- cmdb-incident: \S+ opened: \S+ timeline: (\d+) -->/.exec(body);
  return m ? Number(m[1]) : 0;
}

/** The last timeline entry a comment shows for the incident (0 when it is not one of its comments). */
export function coveredByComment(body: string, incident: IncidentView): number {
  const m = new RegExp(`<!-- cmdb-incident: ${incident.id.replace(/[^\w-]/g, '')} timeline: (\\d+)\\.\\.(\\d+) -->`).exec(body);
  return m ? Number(m[2]) : 0;
}

export function issueBody(incident: IncidentView, covered: number, links: IssueLinks): string {
  const lines: string[] = [];
  lines.push(`**Severity:** ${incident.severity} · **State:** ${incident.state} · **Opened:** ${incident.openedAt}${incident.resolvedAt ? ` · **Resolved:** ${incident.resolvedAt}` : ''}`);
  lines.push('');
  lines.push(`**Root:** ${incident.root ? code(incident.root) : 'no entity (an alert that maps to none)'}`);
  lines.push(`**Impacted:** ${incident.impactedCount} ${incident.impactedCount === 1 ? 'entity' : 'entities'}${incident.correlated.length ? ` · **Correlated:** ${incident.correlated.map(code).join(', ')}` : ''}`);
  if (incident.problem) lines.push(`**Problem:** ${incident.problem}`);
  lines.push('', '### Probable causes', '');
  const causes = incident.probableCauses.filter((c) => !c.dismissed);
  if (!causes.length) lines.push('None found.');
  causes.forEach((c, i) => {
    const change = c.change.number !== undefined ? `#${c.change.number} ` : '';
    const commits = c.change.commits.slice(0, 3).map((sha) => code(sha.slice(0, 12))).join(', ');
    lines.push(`${i + 1}. ${change}${plain(c.change.title)}${commits ? ` (${commits})` : ''}: ${plain(c.reason)}`);
  });
  lines.push('', '### Runbooks', '');
  if (!incident.runbooks.length) lines.push('None linked.');
  for (const r of incident.runbooks) lines.push(`- [${plain(r.title)}](${links.repoWebUrl}/blob/HEAD/${r.path.split('/').map(encodeURIComponent).join('/')})`);
  lines.push('', '### Signals', '');
  for (const s of incident.signals) {
    lines.push(`- ${s.state === 'firing' ? '🔴' : '⚪'} ${code(s.source)} ${code(s.kind)}${s.ref ? ` on ${code(s.ref)}` : ''}${s.field ? ` (${code(s.field)})` : ''}: ${plain(s.message)} (since ${s.firstSeen}${s.state === 'cleared' ? ', cleared' : ''})`);
  }
  const url = links.incidentUrl?.(incident.id);
  lines.push('', url ? `[${incident.id} in gitops-cmdb](${url})` : `\`cmdb incident show ${incident.id}\``, '', bodyMarker(incident, covered));
  return fit(lines.join('\n'), bodyMarker(incident, covered));
}

/** A comment with the timeline entries from `from` on (what happened since the issue last showed). */
export function timelineComment(incident: IncidentView, from: number): string {
  const entries = incident.timeline.slice(from);
  const lines = [`**${incident.id}** is now **${incident.state}** (severity ${incident.severity}).`, ''];
  for (const e of entries.slice(0, MAX_ENTRIES)) lines.push(`- ${e.at} ${code(e.type)} by ${plain(e.by)}: ${plain(e.message)}${e.note ? ` (note: ${plain(e.note)})` : ''}`);
  if (entries.length > MAX_ENTRIES) lines.push(`- ... and ${entries.length - MAX_ENTRIES} more`);
  const marker = `<!-- cmdb-incident: ${incident.id} timeline: ${from}..${incident.timeline.length} -->`;
  lines.push('', marker);
  return fit(lines.join('\n'), marker);
}

/** Cut to GitHub's size, keeping the marker. */
function fit(text: string, marker: string): string {
  return text.length <= MAX_BODY ? text : `${text.slice(0, MAX_BODY - marker.length - 20)}\n\n… (cut)\n\n${marker}`;
}
