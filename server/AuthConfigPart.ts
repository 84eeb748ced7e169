import type { OidcSettings } from './auth/settings.ts';
import { sendJson, type Route, type RouteProvider } from './router.ts';

/** What the web UI reads before sign-in: how to sign in with SSO, or null. No secrets (the client is public). */
export interface AuthConfig {
  oidc: { issuer: string; clientId: string; scopes: string[] } | null;
}

export const AUTH_CONFIG_PATH = '/auth/config';

/** The public OIDC settings of the web UI's sign-in: the issuer with `--oidc-client-id`, else null. */
export function authConfigOf(oidc: OidcSettings | undefined): AuthConfig {
  return { oidc: oidc?.clientId ? { issuer: oidc.issuer, clientId: oidc.clientId, scopes: ['openid', ...oidc.scopes] } : null };
}

/**
 * `GET /auth/config`: readable without credentials, so the UI can offer
 * "Sign in with SSO" (authorization code with PKCE, web/oidc.ts) before anyone is signed in.
 */
export class AuthConfigPart implements RouteProvider {
  readonly routes: readonly Route[];

  constructor(options: { oidc?: OidcSettings }) {
    const body = authConfigOf(options.oidc);
    this.routes = [{ methods: ['GET'], path: AUTH_CONFIG_PATH, description: 'how the web UI signs in (OIDC issuer and client id, or null)', handler: (_req, res) => sendJson(res, 200, body) }];
  }
}
