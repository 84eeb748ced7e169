import type { ChangeReport } from '../report.ts';

/**
 * Renders a change report for one audience. Implementations: `TextReporter`
 * (terminal), `JsonReporter` (tools), `MarkdownReporter` (pull requests).
 */
export interface Reporter {
  readonly format: string;
  render(report: ChangeReport): string;
}
