import type { Logger } from 'pino';
import { ANONYMOUS, type Authentication, type Principal } from '../../core/principal.ts';
import { createOidcVerifier, type OidcVerifier } from './oidc.ts';
import type { AuthSettings } from './settings.ts';
import { readTokensFile, sha256Hex } from './tokensFile.ts';

/** Who is calling, from the request's `Authorization: Bearer ...` header. */
export interface Authenticator {
  /**
   * A principal for a known token or a valid JWT, the anonymous viewer for a
   * request without credentials when anonymous reads are on, `undefined` when
   * they are off, and `{ rejected }` for credentials that are refused.
   */
  authenticate(request: Pick<Request, 'headers'>): Promise<Authentication>;
  /** What is configured, for the start-up log line (no secrets). */
  readonly describe: { tokens: number; oidcIssuer?: string; anonymousRead: boolean };
}

export interface AuthenticatorOptions {
  settings: AuthSettings;
  /** Warnings (the OIDC issuer unreachable); never given a token. */
  log?: Logger;
}

const BEARER = /^Bearer +([\x21-\x7e]+) *$/i;
/** Three base64url parts: a JWT, checked by OIDC when it is configured. */
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

/** Reads and checks the tokens file (a CmdbError `config` at its line and column when bad) and prepares OIDC. */
export async function createAuthenticator(options: AuthenticatorOptions): Promise<Authenticator> {
  const { settings } = options;
  const tokens = new Map<string, Principal>();
  for (const entry of settings.tokensFile ? await readTokensFile(settings.tokensFile) : [])
    tokens.set(entry.sha256, Object.freeze({ name: entry.name, role: entry.role, via: 'token' as const }));
  const oidc: OidcVerifier | undefined = settings.oidc ? await createOidcVerifier(settings.oidc, options.log) : undefined;
  if (tokens.size === 0 && !oidc && !settings.anonymousRead)
    options.log?.warn('no one can call the API: no tokens (--tokens), no OIDC issuer (--oidc-issuer) and no anonymous reads (--anonymous-read)');

  return {
    describe: { tokens: tokens.size, ...(settings.oidc ? { oidcIssuer: settings.oidc.issuer } : {}), anonymousRead: settings.anonymousRead },
    async authenticate(request) {
      const header = request.headers.get('authorization');
      if (header === null || header.trim() === '') return settings.anonymousRead ? ANONYMOUS : undefined;
      const credentials = BEARER.exec(header)?.[1];
      if (!credentials) return { rejected: 'the Authorization header must be "Bearer <token>"' };
      if (oidc && JWT_SHAPE.test(credentials)) return oidc.verify(credentials);
      return tokens.get(sha256Hex(credentials)) ?? { rejected: 'the token is not known to this server' };
    },
  };
}
