import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { Logger } from 'pino';
import { roleAtLeast, type CredentialsRejected, type Principal, type Role } from '../../core/principal.ts';
import type { OidcSettings } from './settings.ts';

/** Checks JWTs of one OIDC issuer (signature against its JWKS, `iss`, `aud`, `exp`/`nbf`) and maps a claim to a role. */
export interface OidcVerifier {
  verify(jwt: string): Promise<Principal | CredentialsRejected>;
}

/** Seconds of clock difference tolerated on `exp` and `nbf`. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * jose's `createRemoteJWKSet` (keys cached, fetched again for an unknown `kid`)
 * and `jwtVerify`. The JWKS URL comes from the settings or from the issuer's
 * discovery document, read on the first JWT (and again after a failure).
 */
export async function createOidcVerifier(settings: OidcSettings, log?: Logger): Promise<OidcVerifier> {
  const jose = await import('jose');
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const keySet = (): Promise<JWTVerifyGetKey> =>
    (keys ??= jwksUrl(settings).then((url) => jose.createRemoteJWKSet(new URL(url)))).catch((e: unknown) => {
      keys = undefined;
      throw e;
    });

  return {
    async verify(jwt) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jose.jwtVerify(jwt, await keySet(), { issuer: settings.issuer, audience: settings.audience, clockTolerance: CLOCK_TOLERANCE_SECONDS }));
      } catch (e) {
        const reason = rejection(e);
        if (reason.unavailable) log?.warn({ issuer: settings.issuer, error: (e as Error).message }, 'cannot verify OIDC tokens: the issuer\'s keys are unavailable');
        return { rejected: reason.message };
      }
      const role = roleOf(payload, settings);
      if (!role) return { rejected: `the token's ${settings.rolesClaim} claim maps to no role of this server` };
      return { name: nameOf(payload), role, via: 'oidc' };
    },
  };
}

async function jwksUrl(settings: OidcSettings): Promise<string> {
  if (settings.jwksUrl) return settings.jwksUrl;
  const discovery = `${settings.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const res = await fetch(discovery, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${discovery} answered ${res.status}`);
  const body = (await res.json()) as { jwks_uri?: unknown };
  if (typeof body.jwks_uri !== 'string') throw new Error(`${discovery} names no jwks_uri`);
  return body.jwks_uri;
}

/** The strongest role any value of the roles claim (a string or a list of strings) maps to. */
function roleOf(payload: JWTPayload, settings: OidcSettings): Role | undefined {
  const claim = payload[settings.rolesClaim];
  const values = Array.isArray(claim) ? claim : [claim];
  let best: Role | undefined;
  for (const value of values) {
    const role = typeof value === 'string' ? settings.roleMap.get(value) : undefined;
    if (role && (!best || roleAtLeast(role, best))) best = role;
  }
  return best;
}

const nameOf = (payload: JWTPayload): string => {
  for (const claim of ['preferred_username', 'email', 'sub']) if (typeof payload[claim] === 'string' && payload[claim]) return payload[claim] as string;
  return 'oidc';
};

/** What the caller is told (jose's codes; never the token). */
function rejection(e: unknown): { message: string; unavailable?: boolean } {
  const code = (e as { code?: string }).code;
  const claim = (e as { claim?: string }).claim;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return { message: 'the token has expired' };
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return { message: `the token's ${claim ?? ''} claim is not accepted`.replace('  ', ' ') };
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return { message: 'the token is not signed by a key of the issuer' };
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return { message: 'the token\'s signing algorithm is not accepted' };
    case 'ERR_JWT_INVALID':
    case 'ERR_JWS_INVALID':
      return { message: 'the token is not a valid JWT' };
    default:
      return { message: 'cannot verify the token now: the issuer\'s keys are unavailable', unavailable: true };
  }
}
