import type { ChangeReport } from '../report.ts';
import type { Reporter } from './Reporter.ts';

/** The report as pretty JSON (the contract of `cmdb check --format json`). */
export class JsonReporter implements Reporter {
  readonly format = 'json';
  constructor(_options: Record<string, never> = {}) {}
  render(report: ChangeReport): string {
    return JSON.stringify(report, null, 2);
  }
}
