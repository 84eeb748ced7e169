/**
 * Real webhook payloads from @octokit/webhooks-examples, adapted only in
 * their repository fields (name, owner, clone URL, default branch,
 * installation) and commit fields (head/base sha and ref, the pull request
 * they belong to, push before/after), then signed as GitHub signs them.
 */
import { createRequire } from 'node:module';
import { Webhooks } from '@octokit/webhooks';

type Json = Record<string, any>;

const require = createRequire(import.meta.url);
const DEFINITIONS = require('@octokit/webhooks-examples') as Array<{ name: string; examples: Json[] }>;

/** The first real example of an event with this action (preferring one sent to an App installation). */
export function example(event: string, action?: string): Json {
  const all = DEFINITIONS.find((d) => d.name === event)?.examples ?? [];
  const matching = all.filter((e) => action === undefined || e.action === action);
  const chosen = matching.find((e) => e.installation) ?? matching[0];
  if (!chosen) throw new Error(`@octokit/webhooks-examples has no ${event} ${action ?? ''} example`);
  return structuredClone(chosen);
}

export interface RepoFields {
  owner: string;
  name: string;
  cloneUrl: string;
  defaultBranch?: string;
  installationId?: number;
}

export interface PullFields {
  number: number;
  head: string;
  base: string;
  headRef?: string;
  baseRef?: string;
}

function adaptRepository(payload: Json, r: RepoFields): Json {
  const full = `${r.owner}/${r.name}`;
  Object.assign(payload.repository, {
    name: r.name,
    full_name: full,
    owner: { ...payload.repository.owner, login: r.owner },
    clone_url: r.cloneUrl,
    html_url: `https://github.com/${full}`,
    default_branch: r.defaultBranch ?? 'main',
  });
  if ('master_branch' in payload.repository) payload.repository.master_branch = r.defaultBranch ?? 'main';
  if (r.installationId !== undefined) payload.installation = { ...(payload.installation ?? {}), id: r.installationId };
  return payload;
}

function adaptPull(pull: Json, repo: Json, p: PullFields): void {
  pull.number = p.number;
  pull.html_url = `https://github.com/${repo.full_name}/pull/${p.number}`;
  pull.head = { ...pull.head, sha: p.head, ref: p.headRef ?? `change-${p.number}`, repo: pull.head?.repo ? { ...pull.head.repo, ...repo } : repo };
  pull.base = { ...pull.base, sha: p.base, ref: p.baseRef ?? 'main', repo: pull.base?.repo ? { ...pull.base.repo, ...repo } : repo };
}

/** A `pull_request` delivery (opened, synchronize, reopened, labeled, closed ...). */
export function pullRequestEvent(action: string, r: RepoFields, p: PullFields): Json {
  const payload = adaptRepository(example('pull_request', action), r);
  adaptPull(payload.pull_request, payload.repository, p);
  payload.number = p.number;
  return payload;
}

/** A `pull_request_review` delivery (submitted, dismissed). */
export function reviewEvent(action: string, r: RepoFields, p: PullFields): Json {
  const payload = adaptRepository(example('pull_request_review', action), r);
  adaptPull(payload.pull_request, payload.repository, p);
  payload.review.commit_id = p.head;
  return payload;
}

/** A `check_run` rerequested delivery for our check (`cmdb/change`) on a pull request's head. */
export function checkRunRerequested(r: RepoFields, p: PullFields): Json {
  const payload = adaptRepository(example('check_run', 'rerequested'), r);
  payload.check_run.name = 'cmdb/change';
  payload.check_run.head_sha = p.head;
  payload.check_run.check_suite.head_sha = p.head;
  payload.check_run.pull_requests = [{ url: `https://api.github.com/repos/${payload.repository.full_name}/pulls/${p.number}`, id: p.number, number: p.number, head: { ref: p.headRef ?? `change-${p.number}`, sha: p.head, repo: { id: payload.repository.id, url: payload.repository.url, name: r.name } }, base: { ref: p.baseRef ?? 'main', sha: p.base, repo: { id: payload.repository.id, url: payload.repository.url, name: r.name } } }];
  return payload;
}

/** A `push` delivery to a branch. */
export function pushEvent(r: RepoFields, push: { branch?: string; before: string; after: string }): Json {
  const template = DEFINITIONS.find((d) => d.name === 'push')!.examples.find((e) => String(e.ref).startsWith('refs/heads/'));
  if (!template) throw new Error('@octokit/webhooks-examples has no push to a branch');
  const payload = adaptRepository(structuredClone(template), r);
  payload.ref = `refs/heads/${push.branch ?? r.defaultBranch ?? 'main'}`;
  payload.before = push.before;
  payload.after = push.after;
  payload.created = false;
  payload.deleted = false;
  payload.compare = `https://github.com/${payload.repository.full_name}/compare/${push.before.slice(0, 12)}...${push.after.slice(0, 12)}`;
  if (payload.head_commit) payload.head_commit.id = push.after;
  return payload;
}

export interface Signed {
  headers: Record<string, string>;
  body: string;
}

/** Headers and body of a delivery as GitHub sends it, signed with `secret` (X-Hub-Signature-256). */
export async function signDelivery(secret: string, event: string, id: string, payload: Json): Promise<Signed> {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/044aadd',
      'x-github-event': event,
      'x-github-delivery': id,
      'x-github-hook-id': '292430182',
      'x-hub-signature-256': await new Webhooks({ secret }).sign(body),
    },
  };
}

/** POSTs a delivery; resolves to the status and parsed body. */
export async function deliver(url: string, signed: Signed): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, { method: 'POST', headers: signed.headers, body: signed.body });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}
