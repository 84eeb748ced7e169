/**
 * A GitHub REST API fake on 127.0.0.1 that holds pull requests, issues, reviews,
 * comments, check runs and statuses, and checks every exchange against
 * GitHub's OpenAPI description: an operation must exist for the method and
 * path, query parameters and the request body must match it, and so must
 * every response the fake sends (built from the description's own examples).
 * Each mismatch is kept in `violations`; tests assert it stays empty.
 * Auth is enforced: App JWTs (RS256, checked against the App's public key) on
 * /app endpoints, installation tokens or the configured token elsewhere.
 */
import crypto, { type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenApiContract, type Operation } from './openapi.ts';

type Json = Record<string, any>;

export interface FakePull {
  number: number;
  title: string;
  author: string;
  labels: string[];
  headSha: string;
  headRef: string;
  baseRef: string;
  baseSha: string;
  state: 'open' | 'closed';
  createdAt: string;
  mergedAt?: string;
  mergeCommitSha?: string;
}

export interface FakeReview {
  id: number;
  login: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
  commitId: string;
  submittedAt: string;
}

export interface FakeComment {
  id: number;
  number: number;
  body: string;
  login: string;
}

/** An issue (pull requests and issues share one sequence of numbers, as on GitHub). */
export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  stateReason?: 'completed' | 'not_planned' | 'reopened' | 'duplicate';
  login: string;
  createdAt: string;
  updatedAt: string;
  closedAt?: string;
}

export interface FakeCheckRun {
  id: number;
  name: string;
  headSha: string;
  conclusion: string;
  externalId?: string;
  output: { title: string; summary: string; text?: string };
  annotations: Json[];
  /** Requests that carried annotations (create and updates). */
  annotationRequests: number[];
}

export interface FakeStatus {
  sha: string;
  state: string;
  context: string;
  description?: string;
}

export interface FakeRepoState {
  owner: string;
  name: string;
  pulls: Map<number, FakePull>;
  issues: Map<number, FakeIssue>;
  reviews: Map<number, FakeReview[]>;
  comments: FakeComment[];
  checkRuns: FakeCheckRun[];
  statuses: FakeStatus[];
  /** Commit -> pull requests associated with it (for merges). */
  commitPulls: Map<string, number[]>;
  installationId: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  operationId?: string;
  status: number;
  auth: string;
}

export interface FakeGitHubOptions {
  /** App mode: the App's id and public key; JWTs are verified with it. */
  app?: { id: string; publicKey: KeyObject; slug?: string };
  /** Token mode: the token accepted (as `token X` or `Bearer X`). */
  token?: string;
  /** Largest page the fake serves (GitHub: 100), to exercise pagination. */
  maxPerPage?: number;
}

interface Hold {
  operationId: string;
  /** Connections of the requests held, to know when their clients are gone. */
  sockets: Set<import('node:net').Socket>;
  arrived: Promise<void>;
  signal: () => void;
  released: Promise<void>;
  release: () => void;
  /** Holds every matching request until released (else only the first). */
  all: boolean;
  hits: number;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export class FakeGitHub {
  readonly violations: string[] = [];
  readonly requests: LoggedRequest[] = [];
  /** Requests refused for missing or bad credentials. */
  readonly authFailures: string[] = [];
  readonly issuedTokens = new Set<string>();
  url = '';
  private readonly contract = OpenApiContract.load();
  private readonly repos = new Map<string, FakeRepoState>();
  private readonly holds: Hold[] = [];
  private readonly arrivals: Array<{ operationId: string; resolve: (at: number) => void }> = [];
  private server?: Server;
  private nextId = 1000;

  constructor(private readonly options: FakeGitHubOptions) {}

  static async start(options: FakeGitHubOptions): Promise<FakeGitHub> {
    const fake = new FakeGitHub(options);
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server!.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server!.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    for (const h of this.holds) h.release();
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }

  repo(fullName: string): FakeRepoState {
    const key = fullName.toLowerCase();
    let repo = this.repos.get(key);
    if (!repo) {
      const [owner, name] = fullName.split('/');
      repo = { owner, name, pulls: new Map(), issues: new Map(), reviews: new Map(), comments: [], checkRuns: [], statuses: [], commitPulls: new Map(), installationId: 4242 };
      this.repos.set(key, repo);
    }
    return repo;
  }

  addPull(fullName: string, pull: Omit<FakePull, 'state' | 'createdAt' | 'labels' | 'author' | 'title'> & Partial<FakePull>): FakePull {
    const full: FakePull = { state: 'open', createdAt: now(), labels: [], author: 'Codertocat', title: `Change #${pull.number}`, ...pull };
    this.repo(fullName).pulls.set(full.number, full);
    return full;
  }

  /** A review as GitHub records it when a reviewer submits one (on the commit they saw). */
  addReview(fullName: string, number: number, review: Omit<FakeReview, 'id' | 'submittedAt'> & { submittedAt?: string }): FakeReview {
    const r: FakeReview = { id: this.nextId++, submittedAt: now(), ...review };
    const list = this.repo(fullName).reviews.get(number) ?? [];
    list.push(r);
    this.repo(fullName).reviews.set(number, list);
    return r;
  }

  /** Pauses requests of an operation until released: the first one, or all with `all`. */
  hold(operationId: string, options: { all?: boolean } = {}): { arrived: Promise<void>; release: () => void; clientsGone: () => Promise<void> } {
    let signal!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((r) => (signal = r));
    const released = new Promise<void>((r) => (release = r));
    const hold: Hold = { operationId, sockets: new Set(), arrived, signal, released, release, all: options.all ?? false, hits: 0 };
    this.holds.push(hold);
    return {
      arrived,
      /** Resolves once the connection of every request held so far is closed (the client was killed). */
      clientsGone: () => Promise.all([...hold.sockets].map((s) => (s.destroyed ? undefined : new Promise<void>((r) => s.once('close', () => r()))))).then(() => undefined),
      release: () => {
        this.holds.splice(this.holds.indexOf(hold), 1);
        release();
      },
    };
  }

  /** Resolves with `performance.now()` when the next request of an operation arrives (for latency measurements). */
  nextArrival(operationId: string): Promise<number> {
    return new Promise((resolve) => this.arrivals.push({ operationId, resolve }));
  }

  /** Check runs on a commit, oldest first. */
  checkRunsOn(fullName: string, sha: string): FakeCheckRun[] {
    return this.repo(fullName).checkRuns.filter((c) => c.headSha === sha);
  }

  /** The latest status of a context on a commit. */
  statusOf(fullName: string, sha: string, context: string): FakeStatus | undefined {
    return this.repo(fullName).statuses.filter((s) => s.sha === sha && s.context === context).at(-1);
  }

  commentsOn(fullName: string, number: number): FakeComment[] {
    return this.repo(fullName).comments.filter((c) => c.number === number);
  }

  // ---------------------------------------------------------------- transport

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readAll(req);
    const method = req.method ?? 'GET';
    const op = this.contract.match(method, url.pathname);
    const log: LoggedRequest = { method, path: url.pathname, status: 0, auth: '' };
    this.requests.push(log);
    if (!op) {
      this.violations.push(`${method} ${url.pathname}: GitHub has no such operation`);
      return this.reply(res, log, undefined, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    }
    log.operationId = op.operationId;
    for (let i = this.arrivals.length - 1; i >= 0; i--) {
      if (this.arrivals[i].operationId !== op.operationId) continue;
      this.arrivals[i].resolve(performance.now());
      this.arrivals.splice(i, 1);
    }
    let body: unknown;
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        this.violations.push(`${op.operationId}: request body is not JSON`);
      }
    }
    this.violations.push(...this.contract.validateQuery(op, url.searchParams), ...this.contract.validateRequest(op, body));
    const who = this.authenticate(req, op);
    log.auth = who.ok ? who.kind : 'none';
    if (!who.ok) {
      this.authFailures.push(`${op.operationId}: ${who.reason}`);
      return send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' }, log);
    }
    const hold = this.holds.find((h) => h.operationId === op.operationId && (h.all || h.hits === 0));
    if (hold) {
      hold.hits++;
      hold.sockets.add(req.socket);
      hold.signal();
      await hold.released;
      // A client that went away meanwhile (killed) never had its request processed.
      if (req.socket.destroyed) return;
    }
    try {
      const [status, out, headers] = this.route(op, body as Json | undefined, url, who.login);
      this.reply(res, log, op, status, out, headers);
    } catch (e) {
      this.violations.push(`${op.operationId}: fake failed: ${(e as Error).message}`);
      send(res, 500, { message: (e as Error).message }, log);
    }
  }

  /** Sends a response after checking it against the description. */
  private reply(res: ServerResponse, log: LoggedRequest, op: Operation | undefined, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (op) this.violations.push(...this.contract.validateResponse(op, status, body));
    send(res, status, body, log, headers);
  }

  private authenticate(req: IncomingMessage, op: Operation): { ok: true; kind: string; login: string } | { ok: false; reason: string } {
    const header = req.headers.authorization ?? '';
    const [scheme, credential] = header.split(' ');
    if (op.template.startsWith('/app/') || op.template === '/repos/{owner}/{repo}/installation') {
      if (!this.options.app) return { ok: false, reason: 'no App configured' };
      if (scheme?.toLowerCase() !== 'bearer' || !credential) return { ok: false, reason: 'App endpoints need a JWT' };
      const problem = verifyJwt(credential, this.options.app.publicKey, this.options.app.id);
      return problem ? { ok: false, reason: problem } : { ok: true, kind: 'app-jwt', login: `${this.options.app.slug ?? 'cmdb'}[bot]` };
    }
    if (!credential || !['token', 'bearer'].includes(scheme?.toLowerCase() ?? '')) return { ok: false, reason: 'no credentials' };
    if (this.issuedTokens.has(credential)) return { ok: true, kind: 'installation-token', login: `${this.options.app?.slug ?? 'cmdb'}[bot]` };
    if (this.options.token && credential === this.options.token) return { ok: true, kind: 'token', login: 'cmdb-bot' };
    return { ok: false, reason: 'unknown token' };
  }

  // ---------------------------------------------------------------- operations

  private route(op: Operation, body: Json | undefined, url: URL, login: string): [number, unknown, Record<string, string>?] {
    const p = op.params;
    const repo = p.owner ? this.repo(`${p.owner}/${p.repo}`) : undefined;
    switch (op.operationId) {
      case 'apps/create-installation-access-token': {
        const token = `ghs_${crypto.randomBytes(18).toString('hex')}`;
        this.issuedTokens.add(token);
        const out = this.example(op, 201) as Json;
        Object.assign(out, { token, expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z') });
        return [201, out];
      }
      case 'apps/get-repo-installation': {
        const out = this.example(op, 200) as Json;
        out.id = repo!.installationId;
        return [200, out];
      }
      case 'pulls/get': {
        const pull = repo!.pulls.get(Number(p.pull_number));
        if (!pull) return [404, notFound()];
        return [200, this.pullJson(op, repo!, pull, 200)];
      }
      case 'pulls/list-reviews': {
        const item = (this.example(op, 200) as Json[])[0];
        const all = (repo!.reviews.get(Number(p.pull_number)) ?? []).map((r) => ({
          ...structuredClone(item),
          id: r.id,
          user: { ...item.user, login: r.login },
          state: r.state,
          commit_id: r.commitId,
          submitted_at: r.submittedAt,
          body: '',
        }));
        return this.page(all, url);
      }
      case 'issues/list-comments': {
        const item = (this.example(op, 200) as Json[])[0];
        const all = this.commentsOn(`${p.owner}/${p.repo}`, Number(p.issue_number)).map((c) => this.commentJson(item, c));
        return this.page(all, url);
      }
      case 'issues/create-comment': {
        if (!repo!.pulls.has(Number(p.issue_number)) && !repo!.issues.has(Number(p.issue_number))) return [404, notFound()];
        if (String(body!.body).length > 65536) return [422, { message: 'Validation Failed', documentation_url: 'https://docs.github.com/rest', errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }] }];
        const c: FakeComment = { id: this.nextId++, number: Number(p.issue_number), body: String(body!.body), login };
        repo!.comments.push(c);
        return [201, this.commentJson(this.example(op, 201) as Json, c)];
      }
      case 'issues/update-comment': {
        const c = repo!.comments.find((x) => x.id === Number(p.comment_id));
        if (!c) return [404, notFound()];
        if (c.login !== login) return [403, { message: 'Must have admin rights to Repository.', documentation_url: 'https://docs.github.com/rest' }];
        c.body = String(body!.body);
        return [200, this.commentJson(this.example(op, 200) as Json, c)];
      }
      case 'issues/delete-comment': {
        const i = repo!.comments.findIndex((x) => x.id === Number(p.comment_id));
        if (i < 0) return [404, notFound()];
        repo!.comments.splice(i, 1);
        return [204, undefined];
      }
      case 'issues/list-for-repo': {
        const item = (this.example(op, 200) as Json[])[0];
        const state = url.searchParams.get('state') ?? 'open';
        const since = url.searchParams.get('since');
        const desc = (url.searchParams.get('direction') ?? 'desc') === 'desc';
        const all = [...repo!.issues.values()]
          .filter((i) => state === 'all' || i.state === state)
          .filter((i) => !since || Date.parse(i.updatedAt) >= Date.parse(since))
          .sort((a, b) => (desc ? b.number - a.number : a.number - b.number))
          .map((i) => this.issueJson(item, repo!, i));
        return this.page(all, url);
      }
      case 'issues/get': {
        const issue = repo!.issues.get(Number(p.issue_number));
        if (!issue) return [404, notFound()];
        return [200, this.issueJson(this.example(op, 200) as Json, repo!, issue)];
      }
      case 'issues/create': {
        if (String(body!.body ?? '').length > 65536) return [422, { message: 'Validation Failed', documentation_url: 'https://docs.github.com/rest', errors: [{ resource: 'Issue', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }] }];
        const number = 1 + Math.max(0, ...repo!.pulls.keys(), ...repo!.issues.keys());
        const at = now();
        const issue: FakeIssue = { number, title: String(body!.title), body: String(body!.body ?? ''), state: 'open', login, createdAt: at, updatedAt: at };
        repo!.issues.set(number, issue);
        return [201, this.issueJson(this.example(op, 201) as Json, repo!, issue)];
      }
      case 'issues/update': {
        const issue = repo!.issues.get(Number(p.issue_number));
        if (!issue) return [404, notFound()];
        if (body!.body !== undefined && String(body!.body).length > 65536) return [422, { message: 'Validation Failed', documentation_url: 'https://docs.github.com/rest', errors: [{ resource: 'Issue', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }] }];
        if (body!.title !== undefined && body!.title !== null) issue.title = String(body!.title);
        if (body!.body !== undefined && body!.body !== null) issue.body = String(body!.body);
        if (body!.state && body!.state !== issue.state) {
          issue.state = body!.state as FakeIssue['state'];
          issue.stateReason = (body!.state_reason as FakeIssue['stateReason']) ?? (issue.state === 'closed' ? 'completed' : 'reopened');
          issue.closedAt = issue.state === 'closed' ? now() : undefined;
        }
        issue.updatedAt = now();
        return [200, this.issueJson(this.example(op, 200) as Json, repo!, issue)];
      }
      case 'checks/create': {
        const annotations = (body!.output?.annotations as Json[] | undefined) ?? [];
        if (annotations.length > 50) this.violations.push(`checks/create: ${annotations.length} annotations in one request (GitHub takes at most 50)`);
        if (body!.status === 'completed' && !body!.conclusion) this.violations.push('checks/create: a completed check run needs a conclusion');
        const run: FakeCheckRun = {
          id: this.nextId++,
          name: String(body!.name),
          headSha: String(body!.head_sha),
          conclusion: String(body!.conclusion ?? ''),
          externalId: body!.external_id as string | undefined,
          output: { title: body!.output?.title, summary: body!.output?.summary, text: body!.output?.text },
          annotations: [...annotations],
          annotationRequests: annotations.length ? [annotations.length] : [],
        };
        repo!.checkRuns.push(run);
        return [201, this.checkRunJson(op, 201, repo!, run)];
      }
      case 'checks/update': {
        const run = repo!.checkRuns.find((c) => c.id === Number(p.check_run_id));
        if (!run) return [404, notFound()];
        const annotations = (body!.output?.annotations as Json[] | undefined) ?? [];
        if (annotations.length > 50) this.violations.push(`checks/update: ${annotations.length} annotations in one request (GitHub takes at most 50)`);
        if (body!.output) run.output = { title: body!.output.title, summary: body!.output.summary, text: body!.output.text };
        if (annotations.length) {
          run.annotations.push(...annotations);
          run.annotationRequests.push(annotations.length);
        }
        if (body!.conclusion) run.conclusion = String(body!.conclusion);
        return [200, this.checkRunJson(op, 200, repo!, run)];
      }
      case 'repos/create-commit-status': {
        const status: FakeStatus = { sha: p.sha, state: String(body!.state), context: String(body!.context ?? 'default'), description: body!.description as string | undefined };
        repo!.statuses.push(status);
        const out = this.example(op, 201) as Json;
        Object.assign(out, { id: this.nextId++, state: status.state, context: status.context, description: status.description ?? null, target_url: body!.target_url ?? null });
        return [201, out];
      }
      case 'repos/list-pull-requests-associated-with-commit': {
        const numbers = repo!.commitPulls.get(p.commit_sha) ?? [];
        const all = numbers.map((n) => this.pullJson(op, repo!, repo!.pulls.get(n)!, 200, true));
        return this.page(all, url);
      }
      default:
        this.violations.push(`${op.operationId}: the fake does not implement it (the controller should not need it)`);
        return [404, notFound()];
    }
  }

  private example(op: Operation, status: number): unknown {
    const name = op.operationId === 'checks/create' ? 'example-of-completed-conclusion' : undefined;
    return this.contract.example(op.template, op.method, status, name);
  }

  private pullJson(op: Operation, repo: FakeRepoState, pull: FakePull, status: number, listItem = false): Json {
    const example = this.example(op, status) as Json | Json[];
    const out = structuredClone(Array.isArray(example) ? example[0] : example);
    const labelTemplate = out.labels?.[0] ?? {};
    const html = `https://github.com/${repo.owner}/${repo.name}/pull/${pull.number}`;
    Object.assign(out, {
      number: pull.number,
      title: pull.title,
      state: pull.state,
      html_url: html,
      user: { ...out.user, login: pull.author },
      labels: pull.labels.map((name, i) => ({ ...labelTemplate, id: i + 1, name })),
      created_at: pull.createdAt,
      merged_at: pull.mergedAt ?? null,
      closed_at: pull.mergedAt ?? null,
      merge_commit_sha: pull.mergeCommitSha ?? null,
      requested_teams: [],
      head: { ...out.head, sha: pull.headSha, ref: pull.headRef },
      base: { ...out.base, sha: pull.baseSha, ref: pull.baseRef },
    });
    if (!listItem && 'merged' in out) out.merged = pull.mergedAt !== undefined;
    return out;
  }

  private issueJson(template: Json, repo: FakeRepoState, i: FakeIssue): Json {
    const out = structuredClone(template);
    delete out.pull_request;
    return Object.assign(out, {
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      state_reason: i.stateReason ?? null,
      html_url: `https://github.com/${repo.owner}/${repo.name}/issues/${i.number}`,
      url: `https://api.github.com/repos/${repo.owner}/${repo.name}/issues/${i.number}`,
      user: { ...out.user, login: i.login },
      labels: [],
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      closed_at: i.closedAt ?? null,
      closed_by: null,
    });
  }

  private commentJson(template: Json, c: FakeComment): Json {
    return { ...structuredClone(template), id: c.id, body: c.body, user: { ...template.user, login: c.login } };
  }

  private checkRunJson(op: Operation, status: number, repo: FakeRepoState, run: FakeCheckRun): Json {
    const out = this.example(op, status) as Json;
    Object.assign(out, {
      id: run.id,
      name: run.name,
      head_sha: run.headSha,
      status: 'completed',
      conclusion: run.conclusion,
      external_id: run.externalId ?? '',
      html_url: `https://github.com/${repo.owner}/${repo.name}/runs/${run.id}`,
      output: { ...out.output, title: run.output.title, summary: run.output.summary, text: run.output.text ?? null, annotations_count: run.annotations.length },
      pull_requests: [],
    });
    return out;
  }

  /** A page of a list, with GitHub's Link header. */
  private page(all: Json[], url: URL): [number, unknown, Record<string, string>] {
    const query = url.searchParams;
    const perPage = Math.min(Number(query.get('per_page') ?? 30), 100, this.options.maxPerPage ?? 100);
    const page = Number(query.get('page') ?? 1);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const headers: Record<string, string> = {};
    if (page < last) {
      const link = (n: number) => {
        const q = new URLSearchParams(query);
        q.set('page', String(n));
        return `<${this.url}${url.pathname}?${q}>`;
      };
      headers.link = `${link(page + 1)}; rel="next", ${link(last)}; rel="last"`;
    }
    return [200, all.slice((page - 1) * perPage, page * perPage), headers];
  }
}

const notFound = () => ({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });

function send(res: ServerResponse, status: number, body: unknown, log: LoggedRequest, headers: Record<string, string> = {}): void {
  log.status = status;
  if (res.destroyed) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(Buffer.concat(chunks)));
  });
}

/** Why a GitHub App JWT is not acceptable, or undefined when it is (RS256, iss = App id, valid now, at most 10 minutes). */
export function verifyJwt(jwt: string, publicKey: KeyObject, appId: string): string | undefined {
  const [h, p, s] = jwt.split('.');
  if (!h || !p || !s) return 'not a JWT';
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Json;
  if (header.alg !== 'RS256') return `alg ${header.alg}, not RS256`;
  if (!crypto.verify('RSA-SHA256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, 'base64url'))) return 'JWT signature does not verify';
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Json;
  const t = Math.floor(Date.now() / 1000);
  if (String(claims.iss) !== appId) return `iss ${claims.iss} is not App ${appId}`;
  if (!(claims.exp > t) || !(claims.iat <= t + 60) || claims.exp - claims.iat > 600 + 60) return 'JWT expired or too long-lived';
  return undefined;
}
