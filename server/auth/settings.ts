import path from 'node:path';
import { CmdbError } from '../../core/errors.ts';
import { isRole, ROLES, type Role } from '../../core/principal.ts';

/** OIDC: JWTs from one issuer, for one audience, with roles from one claim. */
export interface OidcSettings {
  /** The `iss` the tokens must carry; its `/.well-known/openid-configuration` names the keys unless `jwksUrl` does. */
  issuer: string;
  /** The `aud` the tokens must carry. */
  audience: string;
  /** The claim holding the caller's groups (a string or a list of strings); default `groups`. */
  rolesClaim: string;
  /** Claim value -> role; a caller gets the strongest role any of its values maps to. */
  roleMap: ReadonlyMap<string, Role>;
  /** The JWKS; default: `jwks_uri` of the issuer's discovery document. */
  jwksUrl?: string;
  /** The web UI's OAuth client (public, authorization code + PKCE): with it the UI offers "Sign in with SSO". */
  clientId?: string;
  /** Scopes the UI asks for besides `openid` (e.g. `profile`, `groups`). */
  scopes: readonly string[];
}

/** Who may call the API: `--tokens`, `--oidc-*`, `--anonymous-read` and their CMDB_* variables. */
export interface AuthSettings {
  /** The tokens file (absolute), read and checked at start. */
  tokensFile?: string;
  oidc?: OidcSettings;
  /** Whether a request without credentials reads as `anonymous` (role viewer). Default: on when listening on loopback only. */
  anonymousRead: boolean;
}

/** The auth flags of `cmdb serve` (commander's parsed options; unset means not given). */
export interface AuthFlags {
  tokens?: string;
  anonymousRead?: boolean;
  oidcIssuer?: string;
  oidcAudience?: string;
  oidcRolesClaim?: string;
  oidcRoleMap?: string;
  oidcJwksUrl?: string;
  oidcClientId?: string;
  oidcScopes?: string;
}

const LOOPBACK = /^(localhost|::1|\[::1\]|127(?:\.\d{1,3}){3})$/i;

/** Whether `host` is a loopback address or `localhost` (not 0.0.0.0 or ::, which listen everywhere). */
export const isLoopbackHost = (host: string): boolean => LOOPBACK.test(host.trim());

export const DEFAULT_ROLES_CLAIM = 'groups';

/** Flags over environment over defaults; a bad value is a CmdbError `config` naming the flag and its variable. */
export function resolveAuthSettings(flags: AuthFlags, env: NodeJS.ProcessEnv, host: string): AuthSettings {
  const text = (flag: string | undefined, name: string) => flag ?? (env[name] || undefined);
  const tokensFile = text(flags.tokens, 'CMDB_TOKENS_FILE');
  const oidc = oidcSettings({
    issuer: text(flags.oidcIssuer, 'CMDB_OIDC_ISSUER'),
    audience: text(flags.oidcAudience, 'CMDB_OIDC_AUDIENCE'),
    rolesClaim: text(flags.oidcRolesClaim, 'CMDB_OIDC_ROLES_CLAIM'),
    roleMap: text(flags.oidcRoleMap, 'CMDB_OIDC_ROLE_MAP'),
    jwksUrl: text(flags.oidcJwksUrl, 'CMDB_OIDC_JWKS_URL'),
    clientId: text(flags.oidcClientId, 'CMDB_OIDC_CLIENT_ID'),
    scopes: text(flags.oidcScopes, 'CMDB_OIDC_SCOPES'),
  });
  return {
    ...(tokensFile ? { tokensFile: path.resolve(tokensFile) } : {}),
    ...(oidc ? { oidc } : {}),
    anonymousRead: flags.anonymousRead ?? anonymousFromEnv(env) ?? isLoopbackHost(host),
  };
}

function anonymousFromEnv(env: NodeJS.ProcessEnv): boolean | undefined {
  const value = env.CMDB_ANONYMOUS_READ;
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new CmdbError(`CMDB_ANONYMOUS_READ="${value}" is not true or false`, { code: 'config' });
}

const NAMES = {
  issuer: '--oidc-issuer (CMDB_OIDC_ISSUER)',
  audience: '--oidc-audience (CMDB_OIDC_AUDIENCE)',
  rolesClaim: '--oidc-roles-claim (CMDB_OIDC_ROLES_CLAIM)',
  roleMap: '--oidc-role-map (CMDB_OIDC_ROLE_MAP)',
  jwksUrl: '--oidc-jwks-url (CMDB_OIDC_JWKS_URL)',
  clientId: '--oidc-client-id (CMDB_OIDC_CLIENT_ID)',
  scopes: '--oidc-scopes (CMDB_OIDC_SCOPES)',
};

type OidcTexts = { [K in keyof typeof NAMES]: string | undefined };

function oidcSettings(given: OidcTexts): OidcSettings | undefined {
  if (!given.issuer) {
    const stray = (Object.keys(NAMES) as Array<keyof typeof NAMES>).find((k) => given[k] !== undefined);
    if (stray) throw new CmdbError(`${NAMES[stray]} is set but ${NAMES.issuer} is not; OIDC needs an issuer`, { code: 'config' });
    return undefined;
  }
  const issuer = checkUrl(given.issuer, NAMES.issuer);
  if (!given.audience) throw new CmdbError(`${NAMES.audience} is required with ${NAMES.issuer}: the audience the tokens are issued for`, { code: 'config' });
  if (!given.roleMap) throw new CmdbError(`${NAMES.roleMap} is required with ${NAMES.issuer}: which claim values give which role, like "cmdb-admins=admin,oncall=responder"`, { code: 'config' });
  return {
    issuer,
    audience: given.audience,
    rolesClaim: given.rolesClaim ?? DEFAULT_ROLES_CLAIM,
    roleMap: parseRoleMap(given.roleMap),
    ...(given.jwksUrl ? { jwksUrl: checkUrl(given.jwksUrl, NAMES.jwksUrl) } : {}),
    ...(given.clientId?.trim() ? { clientId: given.clientId.trim() } : {}),
    scopes: parseScopes(given.scopes ?? 'profile'),
  };
}

/** Space- or comma-separated scopes besides `openid`; each a scope-token of RFC 6749 §3.3. */
function parseScopes(text: string): string[] {
  const scopes = [...new Set(text.split(/[\s,]+/).filter((s) => s && s !== 'openid'))];
  const bad = scopes.find((s) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s));
  if (bad) throw new CmdbError(`${NAMES.scopes}: "${bad}" is not a scope (printable characters other than " and \\)`, { code: 'config' });
  return scopes;
}

/** `value=role,value=role`: claim values to roles. */
export function parseRoleMap(text: string, name = NAMES.roleMap): ReadonlyMap<string, Role> {
  const map = new Map<string, Role>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.lastIndexOf('=');
    const value = part.slice(0, eq).trim();
    const role = part.slice(eq + 1).trim();
    if (eq <= 0 || !value) throw new CmdbError(`${name}: "${part}" is not value=role; write it like "cmdb-admins=admin,oncall=responder"`, { code: 'config' });
    if (!isRole(role)) throw new CmdbError(`${name}: "${role}" (for "${value}") is not a role; roles are ${ROLES.join(', ')}`, { code: 'config' });
    if (map.has(value)) throw new CmdbError(`${name}: "${value}" is mapped twice`, { code: 'config' });
    map.set(value, role);
  }
  if (map.size === 0) throw new CmdbError(`${name} maps nothing; write it like "cmdb-admins=admin,oncall=responder"`, { code: 'config' });
  return map;
}

/** An https URL, or http on a loopback host (a local issuer, tests). */
function checkUrl(text: string, name: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CmdbError(`${name}: "${text}" is not a URL`, { code: 'config' });
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return text;
  throw new CmdbError(`${name}: "${text}" must be https (http only on a loopback address)`, { code: 'config' });
}
