import type { Violation } from '../../catalog/types.ts';
import type { Decision } from '../Evaluation.ts';
import { approvalProgress, describeFailure, violationTag, type ChangeReport } from '../report.ts';
import type { Annotation, CheckConclusion, CheckRunInput } from './GitHubApi.ts';

export const CHECK_NAME = 'cmdb/change';

/** GitHub takes at most 50 annotations per create or update request. */
export const ANNOTATIONS_PER_REQUEST = 50;

/** Summary and text are limited to 65,535 characters each. */
const MAX_OUTPUT_CHARS = 65_535;

/** A gate never ends neutral or skipped. */
export const CONCLUSIONS: Readonly<Record<Decision, CheckConclusion>> = {
  pass: 'success',
  'needs-approval': 'action_required',
  blocked: 'failure',
  internal: 'failure',
};

/** One line for the check's title. */
export function checkTitle(report: ChangeReport): string {
  if (report.decision === 'internal') return cutTitle(`Could not evaluate the change: ${describeFailure(report.failure)}`);
  const errors = report.violations.filter((v) => v.severity === 'error').length;
  if (report.decision === 'blocked') return `Blocked: ${errors} problem${errors === 1 ? '' : 's'} · risk ${report.risk}`;
  if (report.decision === 'needs-approval') {
    const missing = report.approvals.required.filter((r) => r.satisfiedBy.length < r.count).map((r) => `${r.from} ${approvalProgress(r)}`);
    return `Needs approval: ${missing.join(', ')} · risk ${report.risk}`;
  }
  return `Pass · risk ${report.risk} · ${report.changeType} change`;
}

/** Titles are one line; a long message is cut. */
const cutTitle = (title: string): string => {
  const line = title.split('\n')[0];
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
};

/** A violation on a file, as an annotation (errors fail, warnings warn); none for violations without a file. */
export function toAnnotation(v: Violation): Annotation | undefined {
  if (!v.file) return undefined;
  const line = Math.max(1, v.line ?? 1);
  return {
    path: v.file,
    start_line: line,
    end_line: line,
    ...(v.column !== undefined && v.line !== undefined ? { start_column: v.column, end_column: v.column } : {}),
    annotation_level: v.severity === 'error' ? 'failure' : 'warning',
    message: v.message,
    title: violationTag(v).slice(1, -1),
  };
}

const cut = (text: string): string => (text.length > MAX_OUTPUT_CHARS ? `${text.slice(0, MAX_OUTPUT_CHARS - 40)}\n\n… (cut to GitHub's limit)` : text);

export interface CheckRunPlan {
  /** The create request: conclusion, output and the first batch of annotations. */
  create: CheckRunInput;
  /** Further batches, sent as updates of the run (GitHub appends them). */
  moreAnnotations: Annotation[][];
}

/** The check run of a report: conclusion from the decision (`failure` for `internal`), the Markdown report as summary, annotations in batches of 50. */
export function planCheckRun(report: ChangeReport, options: { summary: string; externalId?: string; detailsUrl?: string }): CheckRunPlan {
  // After a failure the violations found so far are partial: the summary says what failed, nothing is annotated.
  const annotations = (report.decision === 'internal' ? [] : report.violations).map(toAnnotation).filter((a): a is Annotation => a !== undefined);
  const batches: Annotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  const output = { title: checkTitle(report), summary: cut(options.summary) };
  return {
    create: {
      name: CHECK_NAME,
      headSha: report.head,
      conclusion: CONCLUSIONS[report.decision],
      output: batches.length ? { ...output, annotations: batches[0] } : output,
      externalId: options.externalId,
      detailsUrl: options.detailsUrl,
    },
    moreAnnotations: batches.slice(1),
  };
}
