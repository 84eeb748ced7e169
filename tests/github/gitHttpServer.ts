/**
 * Real Git smart HTTP for tests: a node http server on 127.0.0.1 that runs
 * `git http-backend` (CGI) per request on repositories under `root`
 * (`http://127.0.0.1:PORT/<owner>/<name>.git`). With `tokens`, requests need
 * basic auth with one of them as password (GitHub's `x-access-token:TOKEN`).
 * Upload-pack requests are logged with their `want`/`have` lines.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitRequest {
  method: string;
  path: string;
  service?: string;
  /** pkt-line `want <oid>` and `have <oid>` lines of an upload-pack request. */
  wants: string[];
  haves: string[];
  status: number;
  /** Bytes of the response body (the packfile, for upload-pack). */
  responseBytes: number;
  user?: string;
}

export class GitHttpServer {
  readonly requests: GitRequest[] = [];
  url = '';
  private server?: Server;

  constructor(private readonly options: { root: string; tokens?: () => Iterable<string> }) {}

  static async start(options: { root: string; tokens?: () => Iterable<string> }): Promise<GitHttpServer> {
    const git = new GitHttpServer(options);
    git.server = createServer((req, res) => void git.handle(req, res));
    await new Promise<void>((resolve) => git.server!.listen(0, '127.0.0.1', resolve));
    git.url = `http://127.0.0.1:${(git.server!.address() as AddressInfo).port}`;
    return git;
  }

  /** Clone URL of `owner/name`. */
  cloneUrl(fullName: string): string {
    return `${this.url}/${fullName}.git`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://git');
    const body = await readAll(req);
    const entry: GitRequest = { method: req.method ?? 'GET', path: url.pathname, service: url.searchParams.get('service') ?? url.pathname.split('/').pop(), wants: [], haves: [], status: 0, responseBytes: 0 };
    this.requests.push(entry);
    const user = this.authorize(req);
    if (user === false) {
      entry.status = 401;
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"', 'content-type': 'text/plain' });
      return void res.end('authentication required\n');
    }
    entry.user = user;
    if (url.pathname.endsWith('/git-upload-pack')) {
      const text = body.toString('latin1');
      entry.wants = [...text.matchAll(/want ([0-9a-f]{40})/g)].map((m) => m[1]);
      entry.haves = [...text.matchAll(/have ([0-9a-f]{40})/g)].map((m) => m[1]);
    }
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: this.options.root,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: entry.method,
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      CONTENT_LENGTH: String(body.length),
      REMOTE_ADDR: '127.0.0.1',
      REMOTE_USER: user ?? '',
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
    };
    const child = spawn('git', ['http-backend'], { env });
    child.stdin.on('error', () => {}); // http-backend may exit before reading a body it does not need
    child.stdin.end(body);
    const out = await readAll(child.stdout);
    const split = out.indexOf('\r\n\r\n') >= 0 ? out.indexOf('\r\n\r\n') : out.indexOf('\n\n');
    const sep = out.indexOf('\r\n\r\n') >= 0 ? 4 : 2;
    const head = out.subarray(0, split).toString('latin1');
    const payload = out.subarray(split + sep);
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const name = line.slice(0, i).trim().toLowerCase();
      const value = line.slice(i + 1).trim();
      if (name === 'status') status = Number(value.split(' ')[0]);
      else headers[name] = value;
    }
    entry.status = status;
    entry.responseBytes = payload.length;
    res.writeHead(status, headers);
    res.end(payload);
  }

  /** The user of a request; undefined when no auth is needed, false when refused. */
  private authorize(req: IncomingMessage): string | undefined | false {
    if (!this.options.tokens) return undefined;
    const [scheme, value] = (req.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'basic' || !value) return false;
    const [user, ...rest] = Buffer.from(value, 'base64').toString().split(':');
    return [...this.options.tokens()].includes(rest.join(':')) ? user : false;
  }
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', () => resolve(Buffer.concat(chunks)));
  });
}
