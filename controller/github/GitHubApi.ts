/** A repository on GitHub, and the App installation that may act on it (App mode). */
export interface RepoRef {
  owner: string;
  name: string;
  /** App installation id, from the delivery; looked up when absent (App mode). */
  installationId?: number;
}

export const fullName = (r: RepoRef): string => `${r.owner}/${r.name}`;

/** The fields of a pull request the controller uses. */
export interface PullRequestInfo {
  number: number;
  title: string;
  /** Login of the author; absent for a deleted user. */
  author?: string;
  labels: string[];
  state: 'open' | 'closed';
  headSha: string;
  headRef: string;
  baseRef: string;
  baseSha: string;
  createdAt: string;
  mergedAt?: string;
  mergeCommitSha?: string;
  url?: string;
}

export interface ReviewInfo {
  id: number;
  /** Login of the reviewer; absent for a deleted user. */
  login?: string;
  /** APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING. */
  state: string;
  /** The commit the review was made on. */
  commitId?: string;
  submittedAt?: string;
}

export interface CommentInfo {
  id: number;
  body: string;
  /** Login of the comment's author (`my-app[bot]` for an App). */
  login?: string;
}

/** A check-run annotation, as GitHub takes it. */
export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
}

export type CheckConclusion = 'success' | 'action_required' | 'failure';

export interface CheckRunOutput {
  title: string;
  summary: string;
  text?: string;
  annotations?: Annotation[];
}

export interface CheckRunInput {
  name: string;
  headSha: string;
  conclusion: CheckConclusion;
  output: CheckRunOutput;
  externalId?: string;
  detailsUrl?: string;
}

export type StatusState = 'pending' | 'success' | 'failure' | 'error';

export interface StatusInput {
  sha: string;
  state: StatusState;
  context: string;
  /** At most 140 characters (GitHub's limit); longer is cut. */
  description: string;
  targetUrl?: string;
}

/** An issue (not a pull request) of a repository: the fields incident notifications use. */
export interface IssueInfo {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  url?: string;
  createdAt: string;
}

export interface IssueInput {
  title: string;
  body: string;
}

/**
 * What the controller asks of GitHub's REST API. `OctokitGitHubApi` is the
 * implementation (App or token auth, any GITHUB_API_URL); errors are the
 * transport's (Octokit RequestError), thrown.
 */
export interface GitHubApi {
  getPullRequest(repo: RepoRef, number: number): Promise<PullRequestInfo>;
  /** Every review of the pull request (all pages), in the order GitHub returns them (chronological). */
  listReviews(repo: RepoRef, number: number): Promise<ReviewInfo[]>;
  /** Every comment of the pull request's conversation (all pages). */
  listComments(repo: RepoRef, number: number): Promise<CommentInfo[]>;
  createComment(repo: RepoRef, number: number, body: string): Promise<CommentInfo>;
  updateComment(repo: RepoRef, id: number, body: string): Promise<void>;
  deleteComment(repo: RepoRef, id: number): Promise<void>;
  /** Creates a completed check run; returns its id and page. */
  createCheckRun(repo: RepoRef, input: CheckRunInput): Promise<{ id: number; url?: string }>;
  /** Adds annotations to a check run (GitHub appends them), keeping its output's title and summary. */
  addAnnotations(repo: RepoRef, id: number, output: CheckRunOutput): Promise<void>;
  createStatus(repo: RepoRef, input: StatusInput): Promise<void>;
  /** Pull requests associated with a commit (merged ones included). */
  pullRequestsOfCommit(repo: RepoRef, sha: string): Promise<PullRequestInfo[]>;
  /** A token for Git over HTTPS (`x-access-token`), or undefined when none is configured. */
  gitToken(repo: RepoRef): Promise<string | undefined>;
  /** Issues (pull requests left out) in any state updated at or after `since` (ISO 8601), all pages, newest first. */
  listIssuesSince(repo: RepoRef, since: string): Promise<IssueInfo[]>;
  getIssue(repo: RepoRef, number: number): Promise<IssueInfo>;
  createIssue(repo: RepoRef, input: IssueInput): Promise<IssueInfo>;
  /** Sets what is given; closing is `completed`, reopening `reopened`. */
  updateIssue(repo: RepoRef, number: number, input: Partial<IssueInput> & { state?: 'open' | 'closed' }): Promise<IssueInfo>;
}
