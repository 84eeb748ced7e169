import type { ChangeReport } from '../report.ts';
import type { Reporter } from './Reporter.ts';

/** The report as pretty JSON (the contract of `cmdb check --format json`); runbooks are for people (Markdown, text), not part of it. */
export class JsonReporter implements Reporter {
  readonly format = 'json';
  constructor(_options: Record<string, never> = {}) {}
  render(report: ChangeReport): string {
    const { runbooks: _runbooks, ...json } = report;
    return JSON.stringify(json, null, 2);
  }
}
