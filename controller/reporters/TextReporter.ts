import pc from 'picocolors';
import { formatViolation, type ChangeReport } from '../report.ts';
import type { Reporter } from './Reporter.ts';

const MAX_IMPACT_LINES = 25;

/** A terminal report; coloured when `color` is true (default: stdout is a TTY). */
export class TextReporter implements Reporter {
  readonly format = 'text';
  private readonly c: ReturnType<typeof pc.createColors>;

  constructor(options: { color?: boolean } = {}) {
    this.c = pc.createColors(options.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR));
  }

  render(r: ChangeReport): string {
    const c = this.c;
    const decision = r.decision === 'pass' ? c.green('PASS') : r.decision === 'blocked' ? c.red('BLOCKED') : c.yellow('NEEDS APPROVAL');
    const lines = [`${c.bold('Decision:')} ${decision}   ${c.dim(`${r.base.slice(0, 12)}..${r.head.slice(0, 12)}`)}`];
    const errors = r.violations.filter((v) => v.severity === 'error');
    const warnings = r.violations.filter((v) => v.severity === 'warning');
    if (errors.length) lines.push('', c.bold(c.red(`Blocking (${errors.length}):`)), ...errors.map((v) => `  ${formatViolation(v)}`));
    if (warnings.length) lines.push('', c.bold(c.yellow(`Warnings (${warnings.length}):`)), ...warnings.map((v) => `  ${formatViolation(v)}`));
    lines.push('', c.bold(`Changes (${r.changes.length}):`));
    for (const ch of r.changes) lines.push(`  ${opMark(ch.op, c)} ${ch.ref}  ${c.dim(ch.file)}${ch.fields.length ? c.dim(`  [${ch.fields.join(', ')}]`) : ''}`);
    lines.push('', `${c.bold(`Impact (${r.impact.entities.length} entities)`)}; highest criticality: ${r.impact.maxCriticality ?? 'none'}; owners: ${r.impact.owners.join(', ') || 'none'}`);
    for (const e of r.impact.entities.slice(0, MAX_IMPACT_LINES))
      lines.push(`  ${e.ref} ${c.dim(`(${e.criticality ?? 'no criticality'}, distance ${e.distance}, via ${e.via.join(' -> ')})`)}`);
    if (r.impact.entities.length > MAX_IMPACT_LINES) lines.push(c.dim(`  ... and ${r.impact.entities.length - MAX_IMPACT_LINES} more`));
    return lines.join('\n');
  }
}

function opMark(op: string, c: ReturnType<typeof pc.createColors>): string {
  return op === 'added' ? c.green('+') : op === 'removed' ? c.red('-') : c.yellow('~');
}
