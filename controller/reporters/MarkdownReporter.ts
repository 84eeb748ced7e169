import { CRITICALITIES } from '../../catalog/types.ts';
import type { ChangeReport } from '../report.ts';
import type { Reporter } from './Reporter.ts';

const MAX_ROWS = 50;

const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const HEADLINE = { pass: '✅ Pass', 'needs-approval': '🟡 Needs approval', blocked: '⛔ Blocked' } as const;

/** A pull-request comment in GitHub-flavoured Markdown. */
export class MarkdownReporter implements Reporter {
  readonly format = 'markdown';
  constructor(_options: Record<string, never> = {}) {}

  render(r: ChangeReport): string {
    const out = [`## gitops-cmdb: ${HEADLINE[r.decision]}`, '', `Comparing \`${r.base.slice(0, 12)}\` → \`${r.head.slice(0, 12)}\`.`, ''];
    const errors = r.violations.filter((v) => v.severity === 'error');
    const warnings = r.violations.filter((v) => v.severity === 'warning');
    if (errors.length) out.push('### What blocks this change', '', ...errors.map((v) => `- ${where(v)}${escapeCell(v.message)} (\`${v.rule}\`)`), '');
    if (warnings.length) out.push('### Warnings', '', ...warnings.map((v) => `- ${where(v)}${escapeCell(v.message)} (\`${v.rule}\`)`), '');
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

function where(v: { file?: string; line?: number; ref?: string }): string {
  if (v.file) return `\`${v.file}${v.line ? `:${v.line}` : ''}\`: `;
  return v.ref ? `\`${v.ref}\`: ` : '';
}
