import { App, Octokit } from 'octokit';
import type { Logger } from 'pino';
import type {
  CheckRunInput,
  CheckRunOutput,
  CommentInfo,
  GitHubApi,
  IssueInfo,
  IssueInput,
  PullRequestInfo,
  RepoRef,
  ReviewInfo,
  StatusInput,
} from './GitHubApi.ts';
import type { GitHubAuth } from './settings.ts';

export interface OctokitGitHubApiOptions {
  apiUrl: string;
  auth: GitHubAuth;
  log?: Logger;
}

/** A pull request as the REST API returns it (the fields read). */
interface RestPull {
  number: number;
  title: string;
  user: { login: string } | null;
  labels: Array<{ name?: string } | string>;
  state: string;
  head: { sha: string; ref: string };
  base: { sha: string; ref: string };
  created_at: string;
  merged_at: string | null;
  merge_commit_sha: string | null;
  html_url?: string;
}

/** The REST shape of a pull request, narrowed to PullRequestInfo. */
export function toPullRequestInfo(p: RestPull): PullRequestInfo {
  return {
    number: p.number,
    title: p.title,
    author: p.user?.login,
    labels: p.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean),
    state: p.state === 'closed' ? 'closed' : 'open',
    headSha: p.head.sha,
    headRef: p.head.ref,
    baseRef: p.base.ref,
    baseSha: p.base.sha,
    createdAt: p.created_at,
    mergedAt: p.merged_at ?? undefined,
    mergeCommitSha: p.merge_commit_sha ?? undefined,
    url: p.html_url,
  };
}

/** An issue as the REST API returns it (the fields read). */
interface RestIssue {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  html_url?: string;
  created_at: string;
  pull_request?: unknown;
}

const toIssueInfo = (i: RestIssue): IssueInfo => ({
  number: i.number,
  title: i.title,
  body: i.body ?? '',
  state: i.state === 'closed' ? 'closed' : 'open',
  url: i.html_url,
  createdAt: i.created_at,
});

/** Octokit's log, to pino. */
const octokitLog = (log?: Logger) =>
  log
    ? { debug: (m: string) => log.debug(m), info: (m: string) => log.debug(m), warn: (m: string) => log.warn(m), error: (m: string) => log.error(m) }
    : { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * GitHubApi with Octokit: as a GitHub App (installation tokens, cached and
 * renewed by Octokit) or with a token. Throttling is off (its write queue
 * spaces writes a second apart); retries of server errors stay on.
 */
export class OctokitGitHubApi implements GitHubApi {
  private readonly app?: App;
  private readonly tokenClient?: Octokit;
  private readonly installations = new Map<string, Promise<number>>();
  private readonly clients = new Map<number, Promise<Octokit>>();
  private readonly token?: string;

  constructor(options: OctokitGitHubApiOptions) {
    const ClientClass = Octokit.defaults({ baseUrl: options.apiUrl, throttle: { enabled: false }, log: octokitLog(options.log) });
    if (options.auth.kind === 'app') {
      this.app = new App({ appId: options.auth.appId, privateKey: options.auth.privateKey, Octokit: ClientClass });
    } else {
      this.token = options.auth.token;
      this.tokenClient = new ClientClass({ auth: options.auth.token });
    }
  }

  async getPullRequest(repo: RepoRef, number: number): Promise<PullRequestInfo> {
    const o = await this.client(repo);
    const { data } = await o.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner: repo.owner, repo: repo.name, pull_number: number });
    return toPullRequestInfo(data as RestPull);
  }

  async listReviews(repo: RepoRef, number: number): Promise<ReviewInfo[]> {
    const o = await this.client(repo);
    const reviews = await o.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', { owner: repo.owner, repo: repo.name, pull_number: number, per_page: 100 });
    return reviews.map((r) => ({ id: r.id, login: r.user?.login, state: r.state, commitId: r.commit_id ?? undefined, submittedAt: r.submitted_at ?? undefined }));
  }

  async listComments(repo: RepoRef, number: number): Promise<CommentInfo[]> {
    const o = await this.client(repo);
    const comments = await o.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: repo.owner, repo: repo.name, issue_number: number, per_page: 100 });
    return comments.map((c) => ({ id: Number(c.id), body: c.body ?? '', login: c.user?.login }));
  }

  async createComment(repo: RepoRef, number: number, body: string): Promise<CommentInfo> {
    const o = await this.client(repo);
    const { data } = await o.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: repo.owner, repo: repo.name, issue_number: number, body });
    return { id: Number(data.id), body: data.body ?? body, login: data.user?.login };
  }

  async updateComment(repo: RepoRef, id: number, body: string): Promise<void> {
    const o = await this.client(repo);
    await o.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { owner: repo.owner, repo: repo.name, comment_id: id, body });
  }

  async deleteComment(repo: RepoRef, id: number): Promise<void> {
    const o = await this.client(repo);
    await o.request('DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}', { owner: repo.owner, repo: repo.name, comment_id: id });
  }

  async createCheckRun(repo: RepoRef, input: CheckRunInput): Promise<{ id: number; url?: string }> {
    const o = await this.client(repo);
    const { data } = await o.request('POST /repos/{owner}/{repo}/check-runs', {
      owner: repo.owner,
      repo: repo.name,
      name: input.name,
      head_sha: input.headSha,
      status: 'completed',
      conclusion: input.conclusion,
      completed_at: new Date().toISOString(),
      output: input.output,
      ...(input.externalId ? { external_id: input.externalId } : {}),
      ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
    });
    return { id: Number(data.id), url: data.html_url ?? undefined };
  }

  async addAnnotations(repo: RepoRef, id: number, output: CheckRunOutput): Promise<void> {
    const o = await this.client(repo);
    await o.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', { owner: repo.owner, repo: repo.name, check_run_id: id, output });
  }

  async createStatus(repo: RepoRef, input: StatusInput): Promise<void> {
    const o = await this.client(repo);
    await o.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
      owner: repo.owner,
      repo: repo.name,
      sha: input.sha,
      state: input.state,
      context: input.context,
      description: input.description.length > 140 ? `${input.description.slice(0, 139)}…` : input.description,
      ...(input.targetUrl ? { target_url: input.targetUrl } : {}),
    });
  }

  async pullRequestsOfCommit(repo: RepoRef, sha: string): Promise<PullRequestInfo[]> {
    const o = await this.client(repo);
    const pulls = await o.paginate('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', { owner: repo.owner, repo: repo.name, commit_sha: sha, per_page: 100 });
    return pulls.map((p) => toPullRequestInfo(p as RestPull));
  }

  async gitToken(repo: RepoRef): Promise<string | undefined> {
    if (this.token) return this.token;
    const o = await this.client(repo);
    const auth = (await o.auth({ type: 'installation' })) as { token: string };
    return auth.token;
  }

  async listIssuesSince(repo: RepoRef, since: string): Promise<IssueInfo[]> {
    const o = await this.client(repo);
    const issues = await o.paginate('GET /repos/{owner}/{repo}/issues', { owner: repo.owner, repo: repo.name, state: 'all', since, sort: 'created', direction: 'desc', per_page: 100 });
    return (issues as RestIssue[]).filter((i) => !i.pull_request).map(toIssueInfo);
  }

  async getIssue(repo: RepoRef, number: number): Promise<IssueInfo> {
    const o = await this.client(repo);
    const { data } = await o.request('GET /repos/{owner}/{repo}/issues/{issue_number}', { owner: repo.owner, repo: repo.name, issue_number: number });
    return toIssueInfo(data as RestIssue);
  }

  async createIssue(repo: RepoRef, input: IssueInput): Promise<IssueInfo> {
    const o = await this.client(repo);
    const { data } = await o.request('POST /repos/{owner}/{repo}/issues', { owner: repo.owner, repo: repo.name, title: input.title, body: input.body });
    return toIssueInfo(data as RestIssue);
  }

  async updateIssue(repo: RepoRef, number: number, input: Partial<IssueInput> & { state?: 'open' | 'closed' }): Promise<IssueInfo> {
    const o = await this.client(repo);
    const { data } = await o.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
      owner: repo.owner,
      repo: repo.name,
      issue_number: number,
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.body !== undefined ? { body: input.body } : {}),
      ...(input.state ? { state: input.state, state_reason: input.state === 'closed' ? ('completed' as const) : ('reopened' as const) } : {}),
    });
    return toIssueInfo(data as RestIssue);
  }

  /** The client acting on a repository: the token's, or the repository's App installation's. */
  private async client(repo: RepoRef): Promise<Octokit> {
    if (this.tokenClient) return this.tokenClient;
    const id = repo.installationId ?? (await this.installationOf(repo));
    let client = this.clients.get(id);
    if (!client) {
      client = this.app!.getInstallationOctokit(id) as Promise<Octokit>;
      this.clients.set(id, client);
      client.catch(() => this.clients.delete(id));
    }
    return client;
  }

  /** The App installation on a repository, asked of GitHub once per repository. */
  private installationOf(repo: RepoRef): Promise<number> {
    const key = `${repo.owner}/${repo.name}`.toLowerCase();
    let id = this.installations.get(key);
    if (!id) {
      id = this.app!.octokit.request('GET /repos/{owner}/{repo}/installation', { owner: repo.owner, repo: repo.name }).then((r) => r.data.id);
      this.installations.set(key, id);
      id.catch(() => this.installations.delete(key));
    }
    return id;
  }
}
