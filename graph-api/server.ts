import type { IncomingMessage, ServerResponse } from 'node:http';
import { createYoga, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import { authContext, OPEN_ACCESS, useAuthentication, type Authenticate } from './auth.ts';
import { createApiContext, type ApiContext, type ApiContextSource } from './context.ts';
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
}

type ServerContext = { req: IncomingMessage; res: ServerResponse };

export const GRAPHQL_PATH = '/graphql';

/** The GraphQL API as a request handler for `GRAPHQL_PATH`; routing, listening and health are the server's (server/). */
export interface GraphqlHandler {
  readonly path: typeof GRAPHQL_PATH;
  /** Answers GET (queries, GraphiQL for browsers) and POST. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  dispose(): Promise<void>;
}

/** graphql-yoga over the schema, with the query limits and error masking. */
export function createGraphqlHandler(options: GraphqlHandlerOptions): GraphqlHandler {
  const yoga = createApiYoga(options);
  return {
    path: GRAPHQL_PATH,
    handle: async (req, res) => void (await yoga.requestListener(req, res)),
    dispose: async () => void (await yoga.dispose()),
  };
}

function createApiYoga(options: GraphqlHandlerOptions): YogaServerInstance<ServerContext, ApiContext> {
  const limits = { ...DEFAULT_QUERY_LIMITS, ...options.limits };
  const authenticate = options.authenticate ?? OPEN_ACCESS;
  return createYoga<ServerContext, ApiContext>({
    schema: createSchema(),
    context: async ({ request }) => createApiContext(options.source, authContext(await authenticate(request))),
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: { title: 'gitops-cmdb' },
    landingPage: false,
    logging: options.logger ?? true,
    maskedErrors: { maskError: maskApiError },
    plugins: [useMaxTokens(), useAuthentication(), useQueryLimits(limits)],
  });
}
