import type { IncomingMessage, ServerResponse } from 'node:http';
import FindMyWay from 'find-my-way';
import type { Logger } from 'pino';
import { CmdbError } from '../core/errors.ts';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** Answers one request; `params` are the path's `:name` and `*` parts. A rejection is answered 500 (and logged). */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: Readonly<Record<string, string | undefined>>) => void | Promise<void>;

/** One entry of the route table. */
export interface Route {
  /** Methods answered; a route with GET also answers HEAD unless it lists HEAD itself. */
  methods: readonly HttpMethod[];
  /** A find-my-way path: `/graphql`, `/setup/:provider`, `/ui/*`. */
  path: string;
  handler: RouteHandler;
  /** One line for the 404 page's list of what is served (default: none). */
  description?: string;
}

/**
 * A part of the server that answers HTTP requests declares its routes when it
 * is constructed (GraphQL, webhooks, health, metrics; later the UI's static
 * files, `/webhooks/alertmanager`, the GitHub App setup page): the router is
 * built once from every part's table, nothing is added after start.
 */
export interface RouteProvider {
  readonly routes: readonly Route[];
}

/** Called once per answered request: the matched route's path (`unmatched` for a 404), the method, the status and the seconds taken. */
export type RequestObserver = (request: { route: string; method: string; status: number; seconds: number }) => void;

export interface RouterOptions {
  routes: readonly Route[];
  observe?: RequestObserver;
  log?: Logger;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

const UNMATCHED = 'unmatched';

/**
 * The HTTP router (find-my-way) over a route table: a path no route has is a
 * 404 JSON naming what is served, a known path with another method a 405 with
 * `Allow`. Two routes on one method and path are a bug, thrown at construction.
 */
export function createRouter(options: RouterOptions): RequestListener {
  const router = FindMyWay({ ignoreTrailingSlash: false, defaultRoute: (req, res) => notFoundOrNotAllowed(req, res) });
  for (const route of options.routes) {
    const methods = new Set(route.methods);
    if (methods.has('GET')) methods.add('HEAD');
    try {
      router.on([...methods], route.path, (req, res, params) => run(route, req, res, params), { path: route.path });
    } catch (cause) {
      throw new CmdbError(`two routes for ${[...methods].join('/')} ${route.path}: ${(cause as Error).message}`, { code: 'internal', cause });
    }
  }
  const served = options.routes
    .filter((r) => r.description)
    .map((r) => `${r.path} (${r.description})`)
    .join(', ');

  function observe(route: string, req: IncomingMessage, res: ServerResponse, started: number): void {
    if (!options.observe) return;
    res.once('finish', () => options.observe!({ route, method: req.method ?? 'GET', status: res.statusCode, seconds: (performance.now() - started) / 1000 }));
  }

  function run(route: Route, req: IncomingMessage, res: ServerResponse, params: Record<string, string | undefined>): void {
    observe(route.path, req, res, performance.now());
    Promise.resolve()
      .then(() => route.handler(req, res, params))
      .catch((err: unknown) => {
        options.log?.error({ err, route: route.path }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error', message: (err as Error).message });
        else res.destroy();
      });
  }

  function notFoundOrNotAllowed(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    const allowed = (['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const).filter((m) => router.find(m, path) !== null);
    if (allowed.length > 0) {
      observe((router.find(allowed[0], path)!.store as { path: string }).path, req, res, performance.now());
      res.setHeader('allow', allowed.join(', '));
      return sendJson(res, 405, { error: 'method not allowed', message: `${path} answers ${allowed.join(', ')}, not ${req.method}.` });
    }
    observe(UNMATCHED, req, res, performance.now());
    sendJson(res, 404, { error: 'not found', message: `Nothing at ${path}.${served ? ` Served here: ${served}.` : ''}` });
  }

  return (req, res) => router.lookup(req, res);
}

/** A JSON answer; no body for HEAD. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headOnly = res.req?.method === 'HEAD'): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(headOnly ? undefined : text);
}
