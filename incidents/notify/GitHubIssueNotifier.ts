import type { Logger } from 'pino';
import type { GitHubApi, IssueInfo, RepoRef } from '../../controller/github/GitHubApi.ts';
import type { IncidentView } from '../view.ts';
import { coveredByBody, coveredByComment, isIssueOf, issueBody, issueTitle, timelineComment, type IssueLinks } from './issueMarkdown.ts';
import { errorMessage, type Notifier, type OutgoingNotification, type SendResult } from './Notifier.ts';
import { retryAfterMs } from './retryAfter.ts';

export const GITHUB_ISSUE_TARGET = 'github-issue';

export interface GitHubIssueNotifierOptions {
  /** The GitHub controller's client. */
  api: Pick<GitHubApi, 'listIssuesSince' | 'getIssue' | 'createIssue' | 'updateIssue' | 'listComments' | 'createComment'>;
  /** The config repository the issues are opened in. */
  repo: RepoRef;
  /** The repository's web address (default `https://github.com/owner/name`). */
  repoWebUrl?: string;
  incidentUrl?: IssueLinks['incidentUrl'];
  log?: Logger;
}

/** How far before an incident opened its issue is looked for (clocks of cmdb and GitHub may differ). */
const LOOK_BACK_MS = 86_400_000;

/**
 * One GitHub issue per incident in the config repo (`github-issue`): every
 * notification makes the issue match the incident as it is now, so a retry,
 * a resend after a crash or a lost notification never leaves it wrong:
 *
 * 1. find the issue: the number remembered in this process, else the
 *    repository's issues updated since the incident opened (a day of slack)
 *    whose body carries the incident's hidden marker (id and opening time);
 *    none: create it (`[INC-n] title`, Markdown body). A crash between the
 *    create and the commit is harmless: the resend finds the issue by marker.
 * 2. timeline entries newer than the issue shows become one comment (unless a
 *    comment already shows them: a crash between comment and edit);
 * 3. title, body and state are set when they differ: closed when the
 *    incident is resolved, reopened when it reopens.
 *
 * Errors: 408, 429, 5xx, a rate-limit 403 and connection errors are retried
 * (after Retry-After when given); other 4xx fail for good.
 */
export class GitHubIssueNotifier implements Notifier {
  readonly target = GITHUB_ISSUE_TARGET;
  private readonly numbers = new Map<string, number>();
  private readonly links: IssueLinks;

  constructor(private readonly options: GitHubIssueNotifierOptions) {
    this.links = { repoWebUrl: options.repoWebUrl ?? `https://github.com/${options.repo.owner}/${options.repo.name}`, incidentUrl: options.incidentUrl };
  }

  async send(outgoing: OutgoingNotification): Promise<SendResult> {
    const incident = outgoing.payload.incident;
    try {
      return await this.sync(incident);
    } catch (e) {
      return classify(e, new Date(outgoing.payload.at));
    }
  }

  private async sync(incident: IncidentView): Promise<SendResult> {
    const { api, repo } = this.options;
    const state = incident.state === 'resolved' ? 'closed' : 'open';
    const title = issueTitle(incident);
    let issue = await this.find(incident);
    if (!issue) {
      issue = await api.createIssue(repo, { title, body: issueBody(incident, incident.timeline.length, this.links) });
      this.numbers.set(incident.id, issue.number);
      this.options.log?.info({ incident: incident.id, issue: issue.number }, 'GitHub issue opened for the incident');
      if (state === 'closed') await api.updateIssue(repo, issue.number, { state });
      return { outcome: 'delivered', detail: `issue #${issue.number} opened` };
    }
    let covered = coveredByBody(issue.body, incident) ?? 0;
    let commented = false;
    if (incident.timeline.length > covered) {
      const comments = await api.listComments(repo, issue.number);
      covered = Math.max(covered, ...comments.map((c) => coveredByComment(c.body, incident)));
      if (incident.timeline.length > covered) {
        await api.createComment(repo, issue.number, timelineComment(incident, covered));
        commented = true;
      }
      covered = Math.max(covered, incident.timeline.length);
    }
    const body = issueBody(incident, covered, this.links);
    if (issue.title !== title || issue.body !== body || issue.state !== state) {
      await api.updateIssue(repo, issue.number, { title, body, ...(issue.state !== state ? { state } : {}) });
      if (issue.state !== state) this.options.log?.info({ incident: incident.id, issue: issue.number }, `GitHub issue ${state === 'closed' ? 'closed' : 'reopened'}`);
    }
    return { outcome: 'delivered', detail: `issue #${issue.number} ${commented ? 'commented and ' : ''}updated` };
  }

  /** The incident's issue: by remembered number, else by marker among the issues updated since it opened. */
  private async find(incident: IncidentView): Promise<IssueInfo | undefined> {
    const { api, repo } = this.options;
    const known = this.numbers.get(incident.id);
    if (known !== undefined) {
      try {
        const issue = await api.getIssue(repo, known);
        if (isIssueOf(issue.body, incident)) return issue;
      } catch (e) {
        if (statusOf(e) !== 404 && statusOf(e) !== 410) throw e;
      }
      this.numbers.delete(incident.id);
    }
    const since = new Date(Date.parse(incident.openedAt) - LOOK_BACK_MS).toISOString();
    const found = (await api.listIssuesSince(repo, since)).filter((i) => isIssueOf(i.body, incident)).sort((a, b) => a.number - b.number)[0];
    if (found) this.numbers.set(incident.id, found.number);
    return found;
  }
}

const statusOf = (e: unknown): number | undefined => {
  const status = (e as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
};

/** An Octokit error as a send result. */
function classify(e: unknown, now: Date): SendResult {
  const status = statusOf(e);
  const headers = ((e as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ?? {}) as Record<string, string | undefined>;
  const error = `GitHub: ${status ? `HTTP ${status}: ` : ''}${errorMessage(e)}`;
  const after = retryAfterMs(headers['retry-after'], now) ?? (headers['x-ratelimit-remaining'] === '0' && headers['x-ratelimit-reset'] ? Math.max(0, Number(headers['x-ratelimit-reset']) * 1000 - now.getTime()) : undefined);
  const rateLimited = (status === 403 || status === 429) && (after !== undefined || /rate limit/i.test(errorMessage(e)));
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429 && !rateLimited) return { outcome: 'failed', error };
  return after === undefined ? { outcome: 'retry', error } : { outcome: 'retry', error, retryAfterMs: after };
}
