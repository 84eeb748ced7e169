import { GraphQLError } from './graphql.ts';

/** Error codes (in `extensions.code`) a client may branch on. */
export type ApiErrorCode =
  | 'BAD_USER_INPUT'
  | 'GRAPH_CHANGED'
  | 'QUERY_TOO_DEEP'
  | 'QUERY_TOO_COMPLEX'
  | 'QUERY_TOO_MANY_ALIASES'
  | 'QUERY_TOO_MANY_DIRECTIVES'
  /** An id (an incident, a problem, a probable cause) that names nothing. */
  | 'NOT_FOUND'
  /** The server was started without what the field needs (its snapshot, the repository's history). */
  | 'NOT_AVAILABLE'
  /** A subscription fell too many events behind: it ends; resubscribe and read the current state by query. */
  | 'SUBSCRIBER_TOO_SLOW';

/** A GraphQL error for bad arguments: shown to the client as is (never masked). */
export const badInput = (message: string): GraphQLError => apiError(message, 'BAD_USER_INPUT');

export const apiError = (message: string, code: ApiErrorCode): GraphQLError =>
  new GraphQLError(message, { extensions: { code } });

/** A GraphQL error for an id that names nothing (shown as is). */
export const notFound = (message: string): GraphQLError => apiError(message, 'NOT_FOUND');
