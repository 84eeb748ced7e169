import { MarkdownReporter } from '../reporters/MarkdownReporter.ts';
import type { ChangeReport } from '../report.ts';
import { CHECK_NAME, planCheckRun } from './checkRun.ts';
import { renderComment } from './comment.ts';
import { approvalStatus, STATUS_CONTEXT } from './commitStatus.ts';
import type { GitHubApi, PullRequestInfo, RepoRef } from './GitHubApi.ts';
import { upsertStickyComment, type StickyOutcome } from './stickyComment.ts';

export interface Published {
  checkRunId: number;
  annotationRequests: number;
  comment: StickyOutcome;
}

/**
 * Reports an evaluation on the pull request: the `cmdb/change` check run on
 * the head (annotations beyond the first 50 in further requests of 50), the
 * sticky comment, and the `cmdb/approval` commit status, concurrently.
 */
export async function publishReport(api: GitHubApi, repo: RepoRef, pull: PullRequestInfo, report: ChangeReport, options: { externalId?: string } = {}): Promise<Published> {
  const checksUrl = pull.url ? `${pull.url}/checks` : undefined;
  const plan = planCheckRun(report, { summary: new MarkdownReporter().render(report), externalId: options.externalId });
  const checkRun = (async () => {
    const { id } = await api.createCheckRun(repo, plan.create);
    for (const annotations of plan.moreAnnotations) await api.addAnnotations(repo, id, { title: plan.create.output.title, summary: plan.create.output.summary, annotations });
    return id;
  })();
  const comment = upsertStickyComment(api, repo, pull.number, renderComment(report, { checkUrl: checksUrl }));
  const status = api.createStatus(repo, approvalStatus(report, checksUrl));
  const [checkRunId, sticky] = await Promise.all([checkRun, comment, status]);
  return { checkRunId, annotationRequests: 1 + plan.moreAnnotations.length, comment: sticky };
}

/** A failing check run (and status) when the change could not be evaluated: the gate stays closed. */
export async function publishFailure(api: GitHubApi, repo: RepoRef, head: string, message: string): Promise<void> {
  const summary = `gitops-cmdb could not evaluate this change:\n\n\`\`\`\n${message.slice(0, 60_000)}\n\`\`\`\n\nRe-run the check once the cause is fixed.`;
  await Promise.all([
    api.createCheckRun(repo, { name: CHECK_NAME, headSha: head, conclusion: 'failure', output: { title: 'Could not evaluate the change', summary } }),
    api.createStatus(repo, { sha: head, state: 'error', context: STATUS_CONTEXT, description: 'Could not evaluate the change: see the cmdb/change check' }),
  ]);
}
