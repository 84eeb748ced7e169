import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import type { GraphStore } from '../graph/GraphStore.ts';
import { createApiContext, type ApiContext } from './context.ts';
import { checkHealth, type HealthProbe } from './health.ts';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from './limits.ts';
import { maskApiError, useMaxTokens, useQueryLimits } from './plugins.ts';
import { createSchema } from './schema.ts';

export { createSchema };

/** Where the API reads from; `store` is read on every request, so it may be swapped. */
export interface ApiContextSource {
  store: GraphStore;
  /** Extra health checks, e.g. the last sync error. */
  health?: HealthProbe;
}

export interface ApiServerOptions {
  source: ApiContextSource;
  /** Yoga's logger (pino fits); `false` silences it; default: yoga's console logger. */
  logger?: YogaLogger | boolean;
  /** Overrides of DEFAULT_QUERY_LIMITS. */
  limits?: Partial<QueryLimits>;
  /** More handlers by exact path (e.g. `/webhooks/github`), served before the 404; they answer every method themselves. */
  routes?: Readonly<Record<string, NodeHandler>>;
}

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

type ServerContext = { req: IncomingMessage; res: ServerResponse };

export const GRAPHQL_PATH = '/graphql';
export const HEALTH_PATH = '/healthz';

/**
 * The API as a node http handler: `/graphql` (GraphiQL on GET from browsers),
 * `/healthz` (200 `{status:"ok"}` or 503 `{status:"unhealthy"}`), anything else 404 JSON.
 */
export function createApiServer(options: ApiServerOptions): { handler: NodeHandler; yoga: YogaServerInstance<ServerContext, ApiContext> } {
  const yoga = createApiYoga(options);
  const handler: NodeHandler = (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = options.routes && Object.hasOwn(options.routes, path) ? options.routes[path] : undefined;
    if (route) route(req, res);
    else if (path === GRAPHQL_PATH) void yoga.requestListener(req, res);
    else if (path === HEALTH_PATH) void serveHealth(options.source, req, res);
    else sendJson(res, 404, { error: 'not found', message: `Nothing at ${path}: the GraphQL API is at ${GRAPHQL_PATH}, health at ${HEALTH_PATH}.` });
  };
  return { handler, yoga };
}

function createApiYoga(options: ApiServerOptions): YogaServerInstance<ServerContext, ApiContext> {
  const limits = { ...DEFAULT_QUERY_LIMITS, ...options.limits };
  return createYoga<ServerContext, ApiContext>({
    schema: createSchema(),
    context: () => createApiContext(options.source.store),
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: { title: 'gitops-cmdb' },
    landingPage: false,
    logging: options.logger ?? true,
    maskedErrors: { maskError: maskApiError },
    plugins: [useMaxTokens(), useQueryLimits(limits)],
  });
}

async function serveHealth(source: ApiContextSource, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendJson(res, 405, { error: 'method not allowed', message: `${HEALTH_PATH} answers GET and HEAD.` });
  }
  try {
    const body = await checkHealth(source.store, source.health);
    sendJson(res, body.status === 'ok' ? 200 : 503, body, req.method === 'HEAD');
  } catch (e) {
    sendJson(res, 500, { status: 'unhealthy', error: (e as Error).message });
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headOnly = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(headOnly ? undefined : text);
}

export interface RunningApiServer {
  /** Base URL, e.g. `http://127.0.0.1:4000`; the API is at `${url}/graphql`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on `host` (default 127.0.0.1) and `port` (0: any free port). */
export async function startApiServer(options: ApiServerOptions & { port: number; host?: string }): Promise<RunningApiServer> {
  const host = options.host ?? '127.0.0.1';
  const { handler, yoga } = createApiServer(options);
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const close = async (): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      server.close((e) => (e ? reject(e) : resolve()));
      server.closeAllConnections();
    });
    await yoga.dispose();
  };
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, port, close };
}
