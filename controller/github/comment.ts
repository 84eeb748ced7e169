import { MarkdownReporter } from '../reporters/MarkdownReporter.ts';
import type { ChangeReport } from '../report.ts';
import { blastRadiusMermaid, type MermaidOptions } from './mermaid.ts';

/** Hidden marker that identifies the controller's one comment on a pull request. */
export const COMMENT_MARKER = '<!-- gitops-cmdb:change-report -->';

/** GitHub refuses comment bodies longer than this. */
export const MAX_COMMENT_CHARS = 65_536;

export interface CommentContext {
  /** Link to the check run, for the full details. */
  checkUrl?: string;
  mermaid?: MermaidOptions;
}

/**
 * The sticky comment: the marker, the Markdown report (decision, risk, change
 * type, what blocks, approvals, windows, conflicts, changes, impact by
 * criticality), the blast radius as a Mermaid diagram, and a footer naming
 * the head commit. Cut to GitHub's size limit, keeping the diagram and footer.
 */
export function renderComment(report: ChangeReport, context: CommentContext = {}): string {
  const diagram = report.decision === 'internal' ? '' : ['### Blast radius diagram', '', '```mermaid', blastRadiusMermaid(report, context.mermaid), '```', ''].join('\n');
  const footer = `<sub>gitops-cmdb evaluated head \`${report.head.slice(0, 12)}\` against \`${report.base.slice(0, 12)}\`${context.checkUrl ? ` · [check run](${context.checkUrl})` : ''}. This comment is updated in place.</sub>`;
  let body = new MarkdownReporter().render(report).trimEnd();
  const room = MAX_COMMENT_CHARS - COMMENT_MARKER.length - diagram.length - footer.length - 200;
  if (body.length > room) body = `${body.slice(0, room)}\n\n… (cut to fit GitHub's comment size; the check run has the rest)`;
  return [COMMENT_MARKER, body, '', diagram, footer, ''].join('\n');
}

/** True when a comment body is the controller's sticky comment. */
export const isStickyComment = (body: string): boolean => body.includes(COMMENT_MARKER);
