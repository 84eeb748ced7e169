import type { Plugin } from 'graphql-yoga';
import { ANONYMOUS, isRejected, roleAtLeast, type Authentication, type Principal, type Role } from '../core/principal.ts';
import { GraphQLError } from './graphql.ts';

/** Who is calling, from a request (server/auth's Authenticator in the server). */
export type Authenticate = (request: Request) => Promise<Authentication>;

/** Without an authenticator every request is the anonymous viewer (the server always passes one; tests of queries need none). */
export const OPEN_ACCESS: Authenticate = async () => ANONYMOUS;

/** The members of ApiContext that say who is calling. */
export interface AuthContext {
  /** The caller; absent when no credentials came and anonymous reads are off, or when they were refused. */
  viewer?: Principal;
  /** Why the presented credentials were refused (never the credentials). */
  credentialsRejected?: string;
}

/** The context members for one request's authentication. */
export function authContext(authentication: Authentication): AuthContext {
  if (isRejected(authentication)) return { credentialsRejected: authentication.rejected };
  return authentication ? { viewer: authentication } : {};
}

const SEND_CREDENTIALS = 'send "Authorization: Bearer <token>" (a token of the tokens file or a JWT of the OIDC issuer)';

export const unauthenticated = (message: string): GraphQLError => new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } });

export const forbidden = (message: string): GraphQLError => new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });

/**
 * The role check of resolvers: returns the caller when its role is at least
 * `role`; throws UNAUTHENTICATED when credentials were refused or none came
 * (the anonymous viewer too: credentials would help), FORBIDDEN when the
 * caller's role is weaker. Call it before changing anything.
 */
export function requireRole(ctx: AuthContext, role: Role): Principal {
  if (ctx.credentialsRejected !== undefined) throw unauthenticated(`Not authenticated: ${ctx.credentialsRejected}.`);
  const viewer = ctx.viewer;
  if (!viewer || (viewer.via === 'anonymous' && !roleAtLeast(viewer.role, role))) throw unauthenticated(`Not authenticated: this needs the ${role} role; ${SEND_CREDENTIALS}.`);
  if (!roleAtLeast(viewer.role, role)) throw forbidden(`Forbidden: this needs the ${role} role; ${viewer.name} has ${viewer.role}.`);
  return viewer;
}

/**
 * Operation-level authentication: every operation (query, mutation,
 * subscription, introspection) needs a caller, anonymous or not, and no
 * refused credentials; otherwise the whole operation is UNAUTHENTICATED
 * (HTTP 401) and nothing runs. Mutations check stronger roles per field with
 * requireRole.
 */
export function useAuthentication(): Plugin<AuthContext> {
  // The whole operation failed: HTTP 401 with `WWW-Authenticate: Bearer` (yoga reads `extensions.http` and drops it from the answer).
  const check = (ctx: AuthContext) => {
    try {
      requireRole(ctx, 'viewer');
      return undefined;
    } catch (e) {
      const error = e as GraphQLError;
      return new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } } });
    }
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args.contextValue);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args.contextValue);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
