import pc from 'picocolors';
import { approvalProgress, describeFailure, describeWindow, formatViolation, refList, type ChangeReport } from '../report.ts';
import type { Reporter } from './Reporter.ts';

/** Lines listed per list (problems, warnings, changes, impacted entities) unless the `limit` option says otherwise. */
export const DEFAULT_LIST_LIMIT = 25;

type Colors = ReturnType<typeof pc.createColors>;

export interface TextReporterOptions {
  /** Colour (default: stdout is a TTY and NO_COLOR is unset). */
  color?: boolean;
  /** Lines listed per list, then `... and N more` (default DEFAULT_LIST_LIMIT); the JSON report stays complete. */
  limit?: number;
}

/**
 * A terminal report. Leads with decision, risk and change type, then what
 * blocks and who must approve; long lists end with `... and N more`.
 */
export class TextReporter implements Reporter {
  readonly format = 'text';
  private readonly c: Colors;
  private readonly limit: number;

  constructor(options: TextReporterOptions = {}) {
    this.c = pc.createColors(options.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR));
    this.limit = options.limit ?? DEFAULT_LIST_LIMIT;
  }

  /** The first `limit` lines, then `... and N more`. */
  private capped(lines: string[]): string[] {
    if (lines.length <= this.limit) return lines;
    return [...lines.slice(0, this.limit), this.c.dim(`  ... and ${lines.length - this.limit} more`)];
  }

  render(r: ChangeReport): string {
    const c = this.c;
    if (r.decision === 'internal') return `${c.bold('Decision:')} ${c.red('COULD NOT EVALUATE')}   ${c.dim(`${r.base.slice(0, 12)}..${r.head.slice(0, 12)}`)}\n  ${describeFailure(r.failure)}`;
    const decision = r.decision === 'pass' ? c.green('PASS') : r.decision === 'blocked' ? c.red('BLOCKED') : c.yellow('NEEDS APPROVAL');
    const lines = [
      `${c.bold('Decision:')} ${decision}   ${c.bold('Risk:')} ${r.risk}   ${c.bold('Change type:')} ${r.changeType}   ${c.dim(`${r.base.slice(0, 12)}..${r.head.slice(0, 12)}`)}`,
    ];
    if (r.riskReasons.length) lines.push(c.dim(`  risk raised by: ${r.riskReasons.join('; ')}`));
    if (r.changeType === 'standard') lines.push(c.dim(`  standard change, pre-approved by ${r.standardBy.join(', ')}`));
    const errors = r.violations.filter((v) => v.severity === 'error');
    const warnings = r.violations.filter((v) => v.severity === 'warning');
    if (errors.length) lines.push('', c.bold(c.red(`Blocking (${errors.length}):`)), ...this.capped(errors.map((v) => `  ${formatViolation(v)}`)));
    lines.push(...this.approvals(r));
    if (warnings.length) lines.push('', c.bold(c.yellow(`Warnings (${warnings.length}):`)), ...this.capped(warnings.map((v) => `  ${formatViolation(v)}`)));
    lines.push(...this.windows(r), ...this.conflicts(r));
    if (r.policies.length) lines.push('', `${c.bold('Policies matched:')} ${r.policies.join(', ')}`);
    if (r.runbooks?.length) lines.push('', c.bold(`Runbooks (${r.runbooks.length}):`), ...this.capped(r.runbooks.map((b) => `  ${b.title}  ${c.dim(`${b.path}, for ${refList(b.refs, 3)}`)}`)));
    lines.push('', c.bold(`Changes (${r.changes.length}):`));
    lines.push(...this.capped(r.changes.map((ch) => `  ${opMark(ch.op, c)} ${ch.ref}  ${c.dim(ch.file)}${ch.fields.length ? c.dim(`  [${ch.fields.join(', ')}]`) : ''}`)));
    lines.push('', `${c.bold(`Impact (${r.impact.entities.length} entities)`)}; highest criticality: ${r.impact.maxCriticality ?? 'none'}; owners: ${r.impact.owners.join(', ') || 'none'}`);
    lines.push(...this.capped(r.impact.entities.map((e) => `  ${e.ref} ${c.dim(`(${e.criticality ?? 'no criticality'}, distance ${e.distance}, via ${e.via.join(' -> ')})`)}`)));
    return lines.join('\n');
  }

  private approvals(r: ChangeReport): string[] {
    const c = this.c;
    if (r.approvals.required.length === 0) return [];
    const missing = r.approvals.required.filter((a) => a.satisfiedBy.length < a.count).length;
    const head = missing ? c.bold(c.yellow(`Approvals needed (${missing} of ${r.approvals.required.length} missing):`)) : c.bold(c.green('Approvals: all given'));
    return [
      '',
      head,
      ...r.approvals.required.map((a) => {
        const mark = a.satisfiedBy.length >= a.count ? c.green('✓') : c.yellow('✗');
        const by = a.satisfiedBy.length ? `, approved by ${a.satisfiedBy.join(', ')}` : '';
        return `  ${mark} ${a.from}: ${approvalProgress(a)}${by}  ${c.dim(`(${a.reason})`)}`;
      }),
    ];
  }

  private windows(r: ChangeReport): string[] {
    const lines = this.capped(r.windows.active.map((w) => `  active: ${describeWindow(w)}, applies to ${refList(w.entities)}`));
    if (r.windows.next) lines.push(`  next maintenance: ${describeWindow(r.windows.next)}, applies to ${refList(r.windows.next.entities)}`);
    return lines.length ? ['', this.c.bold('Change windows:'), ...lines] : [];
  }

  private conflicts(r: ChangeReport): string[] {
    if (!r.conflicts.length) return [];
    return [
      '',
      this.c.bold(`Overlaps with open changes (${r.conflicts.length}):`),
      ...this.capped(r.conflicts.map((x) => `  ${x.id}${x.title ? ` "${x.title}"` : ''}: ${refList(x.refs)}`)),
    ];
  }
}

function opMark(op: string, c: Colors): string {
  return op === 'added' ? c.green('+') : op === 'removed' ? c.red('-') : c.yellow('~');
}
