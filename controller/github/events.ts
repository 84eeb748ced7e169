import type { Delivery } from '../../state/DeliveryJournal.ts';
import type { DeliveryPlan } from '../../state/DeliveryScheduler.ts';
import type { PullRequestInfo } from './GitHubApi.ts';
import { CHECK_NAME } from './checkRun.ts';

/** The repository a delivery is about. */
export interface RepoInfo {
  owner: string;
  name: string;
  /** `owner/name` as GitHub spells it. */
  fullName: string;
  cloneUrl?: string;
  defaultBranch?: string;
  installationId?: number;
}

/** What a delivery asks the controller to do. */
export type Job =
  | { kind: 'evaluate'; repo: RepoInfo; number: number; pull?: PullRequestInfo; trigger: string }
  | { kind: 'closed'; repo: RepoInfo; number: number; merged: boolean; baseRef: string }
  | { kind: 'merged'; repo: RepoInfo; branch: string; before?: string; after: string }
  | { kind: 'ignore'; reason: string };

/** pull_request actions that change what is evaluated. */
export const PULL_REQUEST_ACTIONS = new Set(['opened', 'synchronize', 'reopened', 'edited', 'labeled', 'unlabeled', 'ready_for_review']);
export const REVIEW_ACTIONS = new Set(['submitted', 'dismissed']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});

/** The repository of a payload, or undefined when it has none. */
export function repoOf(payload: unknown): RepoInfo | undefined {
  const p = obj(payload);
  const r = obj(p.repository);
  const fullName = str(r.full_name);
  const owner = str(obj(r.owner).login) ?? fullName?.split('/')[0];
  const name = str(r.name) ?? fullName?.split('/')[1];
  if (!owner || !name) return undefined;
  return {
    owner,
    name,
    fullName: fullName ?? `${owner}/${name}`,
    cloneUrl: str(r.clone_url),
    defaultBranch: str(r.default_branch) ?? str(r.master_branch),
    installationId: num(obj(p.installation).id),
  };
}

/** A webhook's pull_request object as PullRequestInfo; undefined when a field needed is missing. */
export function pullOf(value: unknown): PullRequestInfo | undefined {
  const p = obj(value);
  const head = obj(p.head);
  const base = obj(p.base);
  const number = num(p.number);
  const headSha = str(head.sha);
  const baseSha = str(base.sha);
  if (number === undefined || !headSha || !baseSha) return undefined;
  const labels = Array.isArray(p.labels) ? p.labels.map((l) => str(obj(l).name)).filter((l): l is string => !!l) : [];
  return {
    number,
    title: str(p.title) ?? '',
    author: str(obj(p.user).login),
    labels,
    state: p.state === 'closed' ? 'closed' : 'open',
    headSha,
    headRef: str(head.ref) ?? '',
    baseRef: str(base.ref) ?? '',
    baseSha,
    createdAt: str(p.created_at) ?? new Date(0).toISOString(),
    mergedAt: str(p.merged_at),
    mergeCommitSha: str(p.merge_commit_sha),
    url: str(p.html_url),
  };
}

/** What a delivery asks for; everything not listed is acknowledged and ignored. */
export function jobOf(delivery: Delivery): Job {
  const p = obj(delivery.payload);
  const repo = repoOf(p);
  const action = str(p.action) ?? '';
  if (!repo) return { kind: 'ignore', reason: `${delivery.event} without a repository` };
  switch (delivery.event) {
    case 'pull_request': {
      const pull = pullOf(p.pull_request);
      if (!pull) return { kind: 'ignore', reason: 'pull_request without number, head or base' };
      if (action === 'closed') return { kind: 'closed', repo, number: pull.number, merged: obj(p.pull_request).merged === true, baseRef: pull.baseRef };
      if (!PULL_REQUEST_ACTIONS.has(action)) return { kind: 'ignore', reason: `pull_request ${action}` };
      return { kind: 'evaluate', repo, number: pull.number, pull, trigger: `pull_request ${action}` };
    }
    case 'pull_request_review': {
      const pull = pullOf(p.pull_request);
      if (!pull || !REVIEW_ACTIONS.has(action)) return { kind: 'ignore', reason: `pull_request_review ${action}` };
      return { kind: 'evaluate', repo, number: pull.number, pull, trigger: `pull_request_review ${action}` };
    }
    case 'check_run': {
      const run = obj(p.check_run);
      if (action !== 'rerequested' || run.name !== CHECK_NAME) return { kind: 'ignore', reason: `check_run ${action} ${str(run.name) ?? ''}`.trim() };
      const pulls = Array.isArray(run.pull_requests) ? run.pull_requests : [];
      const number = num(obj(pulls[0]).number);
      if (number === undefined) return { kind: 'ignore', reason: 'check_run rerequested outside a pull request' };
      return { kind: 'evaluate', repo, number, trigger: 'check_run rerequested' };
    }
    case 'push': {
      const ref = str(p.ref) ?? '';
      const after = str(p.after) ?? '';
      const branch = ref.replace(/^refs\/heads\//, '');
      if (p.deleted === true || /^0+$/.test(after)) return { kind: 'ignore', reason: `push deleting ${ref}` };
      if (!repo.defaultBranch || ref !== `refs/heads/${repo.defaultBranch}`) return { kind: 'ignore', reason: `push to ${ref}, not the default branch` };
      const before = str(p.before);
      return { kind: 'merged', repo, branch, after, before: before && !/^0+$/.test(before) ? before : undefined };
    }
    default:
      return { kind: 'ignore', reason: `${delivery.event} ${action}`.trim() };
  }
}

/** Scheduling of a delivery: one key per pull request (per repository for pushes). */
export function planOf(delivery: Delivery): DeliveryPlan {
  const job = jobOf(delivery);
  const lower = (r: RepoInfo) => r.fullName.toLowerCase();
  switch (job.kind) {
    case 'evaluate':
      return { key: `${lower(job.repo)}#${job.number}`, evaluates: true, head: job.pull?.headSha };
    case 'closed':
      return { key: `${lower(job.repo)}#${job.number}`, evaluates: false };
    case 'merged':
      return { key: `${lower(job.repo)}@merge`, evaluates: false };
    default:
      return { key: 'ignored', evaluates: false };
  }
}
