import { CRITICALITIES, type Violation } from '../../catalog/types.ts';
import { approvalProgress, describeFailure, describeWindow, refList, violationTag, type ChangeReport } from '../report.ts';
import type { Reporter } from './Reporter.ts';

const MAX_ROWS = 50;

const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const HEADLINE = { pass: '✅ Pass', 'needs-approval': '🟡 Needs approval', blocked: '⛔ Blocked', internal: '❌ Could not evaluate the change' } as const;

/** A pull-request comment in GitHub-flavoured Markdown: decision, risk and change type first, then what blocks and who must approve. */
export class MarkdownReporter implements Reporter {
  readonly format = 'markdown';
  constructor(_options: Record<string, never> = {}) {}

  render(r: ChangeReport): string {
    if (r.decision === 'internal') return failed(r);
    const out = [
      `## gitops-cmdb: ${HEADLINE[r.decision]}`,
      '',
      `**Risk:** ${r.risk} · **Change type:** ${r.changeType} · comparing \`${r.base.slice(0, 12)}\` → \`${r.head.slice(0, 12)}\``,
      '',
    ];
    if (r.riskReasons.length) out.push(`Risk raised by: ${r.riskReasons.map(escapeCell).join('; ')}.`, '');
    if (r.changeType === 'standard') out.push(`Standard change, pre-approved by ${r.standardBy.map((p) => `\`${p}\``).join(', ')}.`, '');
    const errors = r.violations.filter((v) => v.severity === 'error');
    const warnings = r.violations.filter((v) => v.severity === 'warning');
    if (errors.length) out.push('### What blocks this change', '', ...errors.map((v) => `- ${where(v)}${escapeCell(v.message)} (${tag(v)})`), '');
    out.push(...approvals(r));
    if (warnings.length) out.push('### Warnings', '', ...warnings.map((v) => `- ${where(v)}${escapeCell(v.message)} (${tag(v)})`), '');
    out.push(...windows(r), ...conflicts(r));
    if (r.policies.length) out.push(`Policies matched: ${r.policies.map((p) => `\`${p}\``).join(', ')}`, '');
    out.push(...runbooks(r));
    out.push(`### Changes (${r.changes.length})`, '', '| entity | change | file | fields |', '| --- | --- | --- | --- |');
    for (const c of r.changes.slice(0, MAX_ROWS)) out.push(`| \`${c.ref}\` | ${c.op} | \`${c.file}\` | ${c.fields.map((f) => `\`${f}\``).join(', ')} |`);
    if (r.changes.length > MAX_ROWS) out.push(`| … and ${r.changes.length - MAX_ROWS} more | | | |`);
    out.push('', `### Blast radius: ${r.impact.entities.length} entities, highest criticality **${r.impact.maxCriticality ?? 'none'}**`, '');
    if (r.impact.owners.length) out.push(`Owners: ${r.impact.owners.map((o) => `\`${o}\``).join(', ')}`, '');
    for (const level of [...CRITICALITIES, undefined]) {
      const group = r.impact.entities.filter((e) => e.criticality === level);
      if (group.length === 0) continue;
      out.push(`<details><summary>${level ?? 'no criticality'} (${group.length})</summary>`, '');
      for (const e of group.slice(0, MAX_ROWS)) out.push(`- \`${e.ref}\` — distance ${e.distance}, via ${e.via.map((v) => `\`${v}\``).join(' → ')}`);
      if (group.length > MAX_ROWS) out.push(`- … and ${group.length - MAX_ROWS} more`);
      out.push('', '</details>', '');
    }
    return out.join('\n');
  }
}

/** The report of an evaluation a step failed in: the step and the message; the gate stays closed. */
function failed(r: ChangeReport): string {
  const message = describeFailure(r.failure).slice(0, 60_000);
  return [
    `## gitops-cmdb: ${HEADLINE.internal}`,
    '',
    `comparing \`${r.base.slice(0, 12)}\` → \`${r.head.slice(0, 12)}\``,
    '',
    '```',
    message.replace(/```/g, "'''"),
    '```',
    '',
    'Re-run the check once the cause is fixed.',
    '',
  ].join('\n');
}

/** The rule, or policy and enforcement, in code style. */
const tag = (v: Violation): string => `\`${violationTag(v).slice(1, -1)}\``;

function approvals(r: ChangeReport): string[] {
  if (r.approvals.required.length === 0) return [];
  const title = r.approvals.satisfied ? '### Approvals: all given' : '### Who must approve';
  const rows = r.approvals.required.map((a) => {
    const mark = a.satisfiedBy.length >= a.count ? '✅' : '⏳';
    return `| ${mark} \`${a.from}\` | ${approvalProgress(a)} | ${a.satisfiedBy.map((l) => `@${l}`).join(', ') || '—'} | ${escapeCell(a.reason)} |`;
  });
  return [title, '', '| from | approvals | approved by | why |', '| --- | --- | --- | --- |', ...rows, ''];
}

function windows(r: ChangeReport): string[] {
  const lines = r.windows.active.map((w) => `- Active ${w.type}: **${escapeCell(describeWindow(w))}**, applies to ${refList(w.entities).replace(/([a-z]+:[^,\s]+)/g, '`$1`')}`);
  if (r.windows.next) lines.push(`- Next maintenance window: **${escapeCell(describeWindow(r.windows.next))}**`);
  return lines.length ? ['### Change windows', '', ...lines, ''] : [];
}

function conflicts(r: ChangeReport): string[] {
  if (!r.conflicts.length) return [];
  return ['### Overlaps with open changes', '', ...r.conflicts.map((x) => `- ${escapeCell(x.id)}${x.title ? ` (${escapeCell(x.title)})` : ''}: ${x.refs.slice(0, 10).map((ref) => `\`${ref}\``).join(', ')}${x.refs.length > 10 ? ` and ${x.refs.length - 10} more` : ''}`), ''];
}

/** The runbooks of changed and impacted entities, when any: title, file, the entities it is for. */
function runbooks(r: ChangeReport): string[] {
  const list = r.runbooks ?? [];
  if (!list.length) return [];
  const rows = list.slice(0, MAX_ROWS).map((b) => `- **${escapeCell(b.title)}** (\`${b.path}\`) for ${b.refs.slice(0, 5).map((ref) => `\`${ref}\``).join(', ')}${b.refs.length > 5 ? ` and ${b.refs.length - 5} more` : ''}`);
  if (list.length > MAX_ROWS) rows.push(`- … and ${list.length - MAX_ROWS} more`);
  return ['### Runbooks', '', ...rows, ''];
}

function where(v: { file?: string; line?: number; ref?: string }): string {
  if (v.file) return `\`${v.file}${v.line ? `:${v.line}` : ''}\`: `;
  return v.ref ? `\`${v.ref}\`: ` : '';
}
