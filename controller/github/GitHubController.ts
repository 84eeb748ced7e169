import path from 'node:path';
import git from 'isomorphic-git';
import fs from 'node:fs';
import { pino, type Logger } from 'pino';
import { CmdbError } from '../../core/errors.ts';
import type { EventBus } from '../../core/EventBus.ts';
import type { GitImplementation } from '../../catalog/git/openRepo.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toReport, type ChangeReport } from '../report.ts';
import { firstCommitAt, type PullRequestChangeRecord } from '../../state/ChangeRecord.ts';
import { FileChangeStore } from '../../state/FileChangeStore.ts';
import type { ChangeStore } from '../../state/ChangeStore.ts';
import { DeliveryJournal, type Delivery } from '../../state/DeliveryJournal.ts';
import { DeliveryScheduler, type ProcessResult } from '../../state/DeliveryScheduler.ts';
import { jobOf, planOf, type Job, type RepoInfo } from './events.ts';
import type { GitHubApi, PullRequestInfo, RepoRef } from './GitHubApi.ts';
import { OpenChanges } from './OpenChanges.ts';
import { publishFailure, publishReport } from './publish.ts';
import { RepoMirror, type FetchResult } from '../../catalog/git/RepoMirror.ts';
import { RepoWorkspace } from '../RepoWorkspace.ts';
import type { AnyStep, EvaluationContext } from '../Evaluation.ts';
import { describeFailure } from '../report.ts';
import { approvalsFromReviews } from './reviews.ts';
import { DEFAULT_API_URL, defaultCloneUrl, expandCloneUrl } from './settings.ts';
import { WebhookVerifier } from './verifyWebhook.ts';
import { webhookEndpoint } from './webhookEndpoint.ts';

/** The default branch of a config repo moved to `commit` (a merge); `gitdir` is the local clone. */
export interface DefaultBranchMoved {
  repository: string;
  branch: string;
  commit: string;
  gitdir: string;
}

export interface GitHubControllerOptions {
  /** Journal, change records, open changes and the clones live here. */
  stateDir: string;
  api: GitHubApi;
  webhookSecret: string;
  /** For the default clone URL (`https://github.com/{owner}/{repo}.git` for api.github.com). */
  apiUrl?: string;
  /** Clone URL template with `{owner}` and `{repo}`; default: the delivery's `repository.clone_url`. */
  cloneUrl?: string;
  /** Where change records go; default a FileChangeStore in stateDir. */
  store?: ChangeStore;
  log?: Logger;
  /** Pull requests processed at the same time (default 2). */
  concurrency?: number;
  /**
   * Asked right before each journaled delivery starts (default: always): false
   * leaves it in the journal until `resume()`. With leader election, the
   * leadership's `isLeader`: every replica accepts and journals webhooks, only
   * the leader processes them.
   */
  mayProcess?: () => boolean;
  git?: GitImplementation;
  cache?: boolean;
  /** Only these repositories (`owner/name`, any case); default: every repository that sends deliveries. */
  repositories?: readonly string[];
  /** Called after the default branch of a config repo moved and its graph followed. */
  onDefaultBranch?: (moved: DefaultBranchMoved) => Promise<void>;
  /** The evaluation's steps (default STEPS, the project's evaluation). */
  steps?: readonly AnyStep[];
  /** Called after each evaluation step with its duration (a metric). */
  onStep?: EvaluationContext['onStep'];
  /** Checks of cmdb.yaml sections read above controller/ (reported by the validate step). */
  configSections?: EvaluationContext['configSections'];
  /** Where the controller publishes `changeEvaluated`, `changeRecorded`, `defaultBranchMoved` and `deliveryProcessed`. */
  events?: EventBus;
  /** Evaluation time of open pull requests (change windows, `now` in policies); default: the clock. Merged ones are evaluated at their merge time. */
  now?: () => Date;
}

const refOf = (r: RepoInfo): RepoRef => ({ owner: r.owner, name: r.name, installationId: r.installationId });

/**
 * The GitHub change controller: pull requests as change requests. Deliveries
 * arrive at `handler` (POST /webhooks/github), are verified, journaled and
 * acknowledged, then processed in order per pull request: evaluate base..head
 * on a local clone and report a check run, the sticky comment and a commit
 * status; on a push to the default branch, follow it and record the merged
 * changes in the state store.
 */
export class GitHubController {
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  readonly store: ChangeStore;
  readonly mirror: RepoMirror;
  private readonly options: GitHubControllerOptions;
  private readonly log: Logger;
  private readonly journal: DeliveryJournal;
  private readonly scheduler: DeliveryScheduler;
  private readonly openChanges: OpenChanges;
  private readonly workspaces = new Map<string, RepoWorkspace>();
  private readonly ownsStore: boolean;

  constructor(options: GitHubControllerOptions) {
    this.options = options;
    this.log = options.log ?? pino({ level: 'silent' });
    this.store = options.store ?? new FileChangeStore({ dir: options.stateDir });
    this.ownsStore = options.store === undefined;
    this.mirror = new RepoMirror({ root: path.join(options.stateDir, 'repos') });
    this.journal = new DeliveryJournal({ dir: options.stateDir });
    this.openChanges = new OpenChanges({ dir: options.stateDir });
    this.scheduler = new DeliveryScheduler({
      journal: this.journal,
      plan: planOf,
      process: (d, signal) => this.processTimed(d, signal),
      concurrency: options.concurrency,
      mayStart: options.mayProcess,
      log: this.log,
    });
    this.handler = webhookEndpoint({ verifier: new WebhookVerifier({ secret: options.webhookSecret }), accept: (d) => this.accept(d), log: this.log });
  }

  /** Opens the journal and schedules the deliveries a previous run left unprocessed (in the order received). */
  async start(): Promise<this> {
    const pending = await this.journal.open();
    if (pending.length) this.log.info({ pending: pending.length }, 'replaying deliveries received before the restart');
    for (const d of pending) this.scheduler.submit(d);
    return this;
  }

  /** Starts the journaled deliveries waiting for `mayProcess` (this replica started leading). */
  resume(): void {
    this.scheduler.resume();
  }

  /** Journals a verified delivery (durably) and schedules it; `duplicate` for an id seen before. */
  async accept(delivery: Delivery): Promise<'queued' | 'duplicate'> {
    const status = await this.journal.add(delivery);
    if (status === 'queued') this.scheduler.submit(delivery);
    return status;
  }

  /**
   * Clones (or fetches) a config repo and warms its default branch: what
   * `cmdb serve --github-repo` does before serving it. Returns the local
   * clone and the default branch's tip.
   */
  async prepare(fullName: string, options: { cloneUrl?: string; installationId?: number } = {}): Promise<DefaultBranchMoved> {
    const [owner, name] = fullName.split('/');
    if (!owner || !name) throw new CmdbError(`"${fullName}" is not owner/name`, { code: 'usage' });
    const repo: RepoInfo = { owner, name, fullName, cloneUrl: options.cloneUrl, installationId: options.installationId };
    const fetched = await this.fetch(repo);
    const branch = await remoteDefaultBranch(fetched.gitdir);
    const commit = fetched.branches.get(branch);
    if (!commit) throw new CmdbError(`${fullName} has no branch ${branch} at ${this.cloneUrlOf(repo)}`, { code: 'ref-not-found' });
    await this.workspaceOf(repo).follow(commit);
    return { repository: fullName, branch, commit, gitdir: fetched.gitdir };
  }

  /** Resolves when every delivery received so far is processed. */
  idle(): Promise<void> {
    return this.scheduler.idle();
  }

  /** Ids of the deliveries received and not yet processed (running or waiting), oldest first. */
  pendingDeliveries(): string[] {
    return this.journal.pendingIds();
  }

  /** Lets running deliveries finish; the others stay journaled for the next start. */
  async close(): Promise<void> {
    await this.scheduler.close();
    await this.journal.close();
    for (const w of this.workspaces.values()) await w.close();
    if (this.ownsStore) await this.store.close();
  }

  /** process(), published as `deliveryProcessed` with its outcome and duration. */
  private async processTimed(delivery: Delivery, signal: AbortSignal): Promise<ProcessResult> {
    const started = performance.now();
    const published = (outcome: string) => ({ id: delivery.id, event: delivery.event, outcome, seconds: (performance.now() - started) / 1000 });
    try {
      const result = await this.process(delivery, signal);
      this.options.events?.publish('deliveryProcessed', published(result.outcome));
      return result;
    } catch (e) {
      this.options.events?.publish('deliveryProcessed', published('failed'));
      throw e;
    }
  }

  private async process(delivery: Delivery, signal: AbortSignal): Promise<ProcessResult> {
    const job = jobOf(delivery);
    if (job.kind === 'ignore') return { outcome: 'ignored', detail: job.reason };
    if (!this.allowed(job.repo)) return { outcome: 'ignored', detail: `${job.repo.fullName} is not a configured config repo` };
    switch (job.kind) {
      case 'evaluate':
        return this.evaluatePull(job, delivery, signal);
      case 'closed':
        return this.closed(job);
      case 'merged':
        return this.recordMerges(job);
    }
  }

  private allowed(repo: RepoInfo): boolean {
    const list = this.options.repositories;
    return !list || list.some((r) => r.toLowerCase() === repo.fullName.toLowerCase());
  }

  /** Evaluates the pull request's head against its merge base and reports it. */
  private async evaluatePull(job: Extract<Job, { kind: 'evaluate' }>, delivery: Delivery, signal: AbortSignal): Promise<ProcessResult> {
    const repo = refOf(job.repo);
    const pull = job.pull ?? (await this.options.api.getPullRequest(repo, job.number));
    if (pull.state === 'closed') return { outcome: 'ignored', detail: `#${pull.number} is closed` };
    let report: ChangeReport | undefined;
    try {
      report = await this.evaluate(job.repo, pull, { signal });
    } catch (e) {
      if (signal.aborted) return { outcome: 'superseded', detail: 'a newer head arrived while evaluating' };
      // The gate stays closed: a failing check run says why.
      await publishFailure(this.options.api, repo, pull.headSha, (e as Error).message).catch((err: unknown) => this.log.error({ err }, 'cannot report the failure on GitHub'));
      throw e;
    }
    if (!report) return { outcome: 'superseded', detail: 'a newer head arrived while evaluating' };
    const started = performance.now();
    const published = await publishReport(this.options.api, repo, pull, report, { externalId: delivery.id });
    const publishMs = performance.now() - started;
    if (report.decision === 'internal') {
      // Reported as a failing check run; the open change keeps what it touched before.
      this.log.error({ pull: `${job.repo.fullName}#${pull.number}`, head: pull.headSha, failure: report.failure }, 'change could not be evaluated');
      return { outcome: 'failed', detail: describeFailure(report.failure) };
    }
    await this.openChanges.update(job.repo.fullName, pull.number, {
      title: pull.title,
      head: pull.headSha,
      touched: touchedBy(report),
      repository: job.repo.fullName,
      risk: report.risk,
      decision: report.decision,
      changed: report.changes.map((c) => c.ref),
      conflicts: report.conflicts.map((c) => ({ number: Number(c.id.slice(1)), ...(c.title ? { title: c.title } : {}), refs: c.refs })),
    });
    this.log.info({ pull: `${job.repo.fullName}#${pull.number}`, head: pull.headSha, decision: report.decision, comment: published.comment.action, publishMs: Math.round(publishMs) }, 'change evaluated');
    this.options.events?.publish('changeEvaluated', { repository: job.repo.fullName, number: pull.number, head: pull.headSha, decision: report.decision });
    return { outcome: 'evaluated', detail: `${report.decision} on ${pull.headSha.slice(0, 12)}` };
  }

  /** Fetches, then evaluates head against its merge base with the base branch; undefined when aborted. */
  private async evaluate(info: RepoInfo, pull: PullRequestInfo, options: { signal?: AbortSignal; at?: Date; openChanges?: boolean; baseTip?: string } = {}): Promise<ChangeReport | undefined> {
    const t0 = performance.now();
    const fetched = await this.fetch(info, pull.number);
    const t1 = performance.now();
    if (!(await this.mirror.hasCommit(info.fullName, pull.headSha)))
      throw new CmdbError(`head ${pull.headSha} of #${pull.number} is not in ${this.cloneUrlOf(info)} (neither refs/pull/${pull.number}/head nor a branch has it)`, { code: 'ref-not-found' });
    const workspace = this.workspaceOf(info);
    const baseTip = options.baseTip ?? fetched.branches.get(pull.baseRef) ?? pull.baseSha;
    if (!options.baseTip && info.defaultBranch === pull.baseRef && (await workspace.defaultSnapshot())?.commit !== baseTip) await workspace.follow(baseTip);
    const base = (await this.mirror.mergeBase(info.fullName, baseTip, pull.headSha).catch(() => undefined)) ?? baseTip;
    const reviews = await this.options.api.listReviews(refOf(info), pull.number);
    const { approvedBy } = approvalsFromReviews({ reviews, head: pull.headSha, author: pull.author });
    const openChanges = options.openChanges === false ? [] : await this.openChanges.others(info.fullName, pull.number);
    if (options.signal?.aborted) return undefined;
    const at = options.at ?? this.options.now?.();
    const t2 = performance.now();
    const evaluation = await workspace.evaluate({ base, head: pull.headSha, title: pull.title, author: pull.author, labels: pull.labels, approvedBy, openChanges, at });
    const t3 = performance.now();
    this.log.debug({ pull: `${info.fullName}#${pull.number}`, fetchMs: Math.round(t1 - t0), prepareMs: Math.round(t2 - t1), evaluateMs: Math.round(t3 - t2) }, 'evaluation timings');
    if (options.signal?.aborted) return undefined;
    return toReport(evaluation);
  }

  /**
   * A closed pull request leaves the open changes. When it was merged into the
   * default branch (as the API says) it is recorded here too, in case
   * GitHub does not yet associate the push's commit with it; the store keeps one record.
   */
  private async closed(job: Extract<Job, { kind: 'closed' }>): Promise<ProcessResult> {
    await this.openChanges.remove(job.repo.fullName, job.number);
    if (job.baseRef !== job.repo.defaultBranch) return { outcome: 'ignored', detail: `#${job.number} closed` };
    const pull = await this.options.api.getPullRequest(refOf(job.repo), job.number);
    if (!pull.mergedAt) return { outcome: 'ignored', detail: `#${job.number} closed without merging` };
    if (await this.store.getChange(`${job.repo.fullName}#${pull.number}`)) return { outcome: 'ignored', detail: `#${job.number} merged, already recorded` };
    const record = await this.changeRecord(job.repo, pull, { mergeCommit: pull.mergeCommitSha ?? '' });
    const status = await this.store.recordChange(record);
    if (status === 'recorded') this.publishRecorded(record);
    return { outcome: 'recorded', detail: `#${job.number} merged (${status})` };
  }

  /** After a push to the default branch: follow it, then record every pull request merged by that push. */
  private async recordMerges(job: Extract<Job, { kind: 'merged' }>): Promise<ProcessResult> {
    const fetched = await this.fetch(job.repo);
    const commit = (await this.mirror.hasCommit(job.repo.fullName, job.after)) ? job.after : fetched.branches.get(job.branch);
    if (!commit) throw new CmdbError(`${job.repo.fullName}: ${job.after} not fetched`, { code: 'ref-not-found' });
    await this.workspaceOf(job.repo).follow(commit);
    const moved = { repository: job.repo.fullName, branch: job.branch, commit, gitdir: fetched.gitdir };
    await this.options.onDefaultBranch?.(moved);
    this.options.events?.publish('defaultBranchMoved', moved);
    const pulls = (await this.options.api.pullRequestsOfCommit(refOf(job.repo), job.after)).filter((p) => p.mergedAt && p.baseRef === job.branch);
    const recorded: number[] = [];
    for (const pull of pulls) {
      const id = `${job.repo.fullName}#${pull.number}`;
      if (await this.store.getChange(id)) continue;
      const record = await this.changeRecord(job.repo, pull, { mergeCommit: commit, before: job.before });
      if ((await this.store.recordChange(record)) === 'recorded') {
        recorded.push(pull.number);
        this.publishRecorded(record);
      }
      await this.openChanges.remove(job.repo.fullName, pull.number);
    }
    return { outcome: 'recorded', detail: `default branch at ${commit.slice(0, 12)}; recorded ${recorded.map((n) => `#${n}`).join(', ') || 'no change'}` };
  }

  /**
   * The record of a merged pull request: its head evaluated against its merge
   * base with the branch before the push (what was reviewed), at the merge time.
   */
  private async changeRecord(info: RepoInfo, pull: PullRequestInfo, push: { mergeCommit: string; before?: string }): Promise<PullRequestChangeRecord> {
    const mergedAt = pull.mergedAt!;
    const mergeCommit = push.mergeCommit;
    const report = (await this.evaluate(info, pull, { at: new Date(mergedAt), openChanges: false, baseTip: push.before ?? pull.baseSha }))!;
    if (report.decision === 'internal') throw new CmdbError(`cannot record ${info.fullName}#${pull.number}: ${describeFailure(report.failure)}`, { code: 'internal' });
    const reviews = await this.options.api.listReviews(refOf(info), pull.number);
    const approvals = approvalsFromReviews({ reviews, head: pull.headSha, author: pull.author });
    const needed = report.approvals.required.length > 0 && report.approvals.satisfied;
    // The pull request's commits, as `pulls/{n}/commits` lists them: those of its head not in the merge base, from the clone (fetched for the evaluation).
    const listed = await this.workspaceOf(info).commitsBetween(report.base, report.head);
    const commits = listed.map((c) => c.oid);
    return {
      id: `${info.fullName}#${pull.number}`,
      repository: info.fullName,
      source: 'pull-request',
      number: pull.number,
      title: pull.title,
      author: pull.author,
      url: pull.url,
      risk: report.risk,
      changeType: report.changeType,
      decision: report.decision,
      base: report.base,
      head: report.head,
      mergeCommit: pull.mergeCommitSha ?? mergeCommit,
      commits,
      ...firstCommitAt(listed),
      openedAt: pull.createdAt,
      approvedAt: needed ? (approvals.lastApprovedAt ?? null) : null,
      mergedAt,
      approvedBy: approvals.approvedBy,
      changed: report.changes.map((c) => c.ref),
      impacted: report.impact.entities.map((e) => e.ref),
      recordedAt: new Date().toISOString(),
    };
  }

  private publishRecorded(r: PullRequestChangeRecord): void {
    this.options.events?.publish('changeRecorded', { id: r.id, repository: r.repository, number: r.number, mergeCommit: r.mergeCommit, decision: r.decision });
  }

  private async fetch(info: RepoInfo, pull?: number): Promise<FetchResult> {
    const token = await this.options.api.gitToken(refOf(info));
    return this.mirror.fetch({ fullName: info.fullName, url: this.cloneUrlOf(info), token }, { pull });
  }

  private cloneUrlOf(info: RepoInfo): string {
    if (this.options.cloneUrl) return expandCloneUrl(this.options.cloneUrl, info.owner, info.name);
    return info.cloneUrl ?? expandCloneUrl(defaultCloneUrl(this.options.apiUrl ?? DEFAULT_API_URL), info.owner, info.name);
  }

  private workspaceOf(info: RepoInfo): RepoWorkspace {
    const key = info.fullName.toLowerCase();
    let w = this.workspaces.get(key);
    if (!w) {
      w = new RepoWorkspace({ gitdir: this.mirror.gitdir(info.fullName), git: this.options.git, cache: this.options.cache, steps: this.options.steps, onStep: this.options.onStep, configSections: this.options.configSections });
      this.workspaces.set(key, w);
    }
    return w;
  }
}

/** Entities a change changes or impacts (for overlaps with other open changes). */
const touchedBy = (r: ChangeReport): string[] => [...new Set([...r.changes.map((c) => c.ref), ...r.impact.entities.map((e) => e.ref)])].sort();

/** The remote's default branch (its HEAD symref, as fetched), else `main`. */
async function remoteDefaultBranch(gitdir: string): Promise<string> {
  try {
    const target = await git.resolveRef({ fs, gitdir, ref: 'refs/remotes/origin/HEAD', depth: 2 });
    return target.replace(/^refs\/remotes\/origin\//, '');
  } catch {
    return 'main';
  }
}
