import type { Violation } from '../catalog/types.ts';
import { formatViolation } from '../controller/report.ts';

/** Where commands write; tests pass their own. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** One line per problem: `file:line:column: message [rule]`. */
export const violationLines = (violations: readonly Violation[]): string => violations.map(formatViolation).join('\n');
