import type { IncomingMessage, ServerResponse } from 'node:http';
import { createYoga, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import { authContext, OPEN_ACCESS, useAuthentication, type Authenticate } from './auth.ts';
import { createApiContext, type ApiContext, type ApiContextSource } from './context.ts';
import { EventStreams } from './EventStreams.ts';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from './limits.ts';
import { maskApiError, useMaxTokens, useQueryLimits } from './plugins.ts';
import { createSchema } from './schema.ts';

export { createSchema };

export interface GraphqlHandlerOptions {
  source: ApiContextSource;
  /** Yoga's logger (pino fits); `false` silences it; default: yoga's console logger. */
  logger?: YogaLogger | boolean;
  /** Overrides of DEFAULT_QUERY_LIMITS. */
  limits?: Partial<QueryLimits>;
  /** Who is calling (server/auth's Authenticator); default OPEN_ACCESS: everyone is the anonymous viewer. */
  authenticate?: Authenticate;
  /** Events a subscription may have queued before it is ended with SUBSCRIBER_TOO_SLOW (default DEFAULT_SUBSCRIBER_QUEUE). */
  subscriberQueue?: number;
}

type ServerContext = { req: IncomingMessage; res: ServerResponse };

export const GRAPHQL_PATH = '/graphql';

/** The GraphQL API as a request handler for `GRAPHQL_PATH`; routing, listening and health are the server's (server/). */
export interface GraphqlHandler {
  readonly path: typeof GRAPHQL_PATH;
  /** Answers GET (queries, GraphiQL for browsers) and POST. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Subscriptions open now (each holds one listener on the event bus). */
  subscriptions(): number;
  dispose(): Promise<void>;
}

/** graphql-yoga over the schema, with the query limits and error masking. */
export function createGraphqlHandler(options: GraphqlHandlerOptions): GraphqlHandler {
  const streams = options.source.events ? new EventStreams({ bus: options.source.events, capacity: options.subscriberQueue }) : undefined;
  const yoga = createApiYoga(options, streams);
  return {
    path: GRAPHQL_PATH,
    handle: async (req, res) => void (await yoga.requestListener(req, res)),
    subscriptions: () => streams?.active ?? 0,
    dispose: async () => void (await yoga.dispose()),
  };
}

/** Subscriptions are answered as Server-Sent Events (yoga's built-in graphql-sse "distinct connections mode"). */
function createApiYoga(options: GraphqlHandlerOptions, streams: EventStreams | undefined): YogaServerInstance<ServerContext, ApiContext> {
  const limits = { ...DEFAULT_QUERY_LIMITS, ...options.limits };
  const authenticate = options.authenticate ?? OPEN_ACCESS;
  return createYoga<ServerContext, ApiContext>({
    schema: createSchema(),
    context: async ({ request }) => createApiContext(options.source, authContext(await authenticate(request)), streams),
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: { title: 'gitops-cmdb' },
    landingPage: false,
    logging: options.logger ?? true,
    maskedErrors: { maskError: maskApiError },
    plugins: [useMaxTokens(), useAuthentication(), useQueryLimits(limits)],
  });
}
