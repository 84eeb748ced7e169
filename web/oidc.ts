/**
 * "Sign in with SSO": OAuth 2.0 authorization code flow with PKCE (RFC 7636,
 * S256) as a public client. The server names the issuer and client id
 * (`GET /auth/config`); the issuer's discovery document names its endpoints.
 * The ID token (its `aud` is the client id: run the server with
 * --oidc-audience set to it) becomes the Bearer token of web/auth.ts, once
 * its `nonce` is the one this tab sent (OpenID Connect Core 3.1.3.7: a token
 * issued for another sign-in is refused; the server checks the signature).
 * The sign-in is kept alive (`keepSsoSession`): a minute before the ID token
 * expires it is renewed with the refresh token when the IdP gave one (OIDC
 * Core 12), else the tab is signed out, saying why, just before it expires.
 */
import { signIn, signOut, token } from './auth.ts';
import { Store } from './store.ts';

export interface OidcConfig {
  issuer: string;
  clientId: string;
  scopes: string[];
}

/** The server's SSO settings: undefined while unknown, null when SSO is not configured. */
export const oidcConfig = new Store<OidcConfig | null | undefined>(undefined);

/** Reads `/auth/config` once; a failure means no SSO button (the token form stays). */
export function loadOidcConfig(): void {
  fetch('/auth/config', { headers: { accept: 'application/json' } })
    .then((r) => (r.ok ? (r.json() as Promise<{ oidc: OidcConfig | null }>) : { oidc: null }))
    .then((c) => oidcConfig.set(c.oidc ?? null), () => oidcConfig.set(null));
}

/** Whether this page load is the way back from the identity provider and the code not yet traded. */
export const ssoFinishing = new Store<boolean>(window.location.pathname === '/auth/callback');

const PENDING = 'cmdb.oidc.pending';
/** The SSO sign-in of this tab, for renewing it (sessionStorage, as the token). */
const SESSION = 'cmdb.oidc.session';
interface SsoSession {
  tokenEndpoint: string;
  clientId: string;
  refreshToken?: string;
  /** What to say when the ID token expires with nothing to renew it with, when not the usual. */
  expired?: string;
}
/** Renewed this long before the ID token expires; without a refresh token, signed out this long before. */
export const RENEW_BEFORE_MS = 60_000;
export const SIGN_OUT_BEFORE_MS = 5_000;
/** A renewal the IdP could not answer (unreachable, HTTP 5xx or 429) is tried again this much later, while the ID token lasts. */
export const RENEW_RETRY_MS = 5_000;
/** The longest a timer waits (2^31 - 1 ms; a browser fires a longer one at once): a later deadline is looked at again then. */
const MAX_TIMER_MS = 2_147_483_647;

/** Why the SSO sign-in ended without the user signing out (the account box shows it); cleared by the next sign-in. */
export const ssoEnded = new Store<string | undefined>(undefined);
interface Pending {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
  tokenEndpoint: string;
  redirectUri: string;
  clientId: string;
}

const base64url = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = (n: number): string => base64url(crypto.getRandomValues(new Uint8Array(n)));
export const redirectUri = (): string => `${window.location.origin}/auth/callback`;

async function discovery(issuer: string): Promise<{ authorization_endpoint: string; token_endpoint: string }> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let doc: { issuer?: string; authorization_endpoint?: string; token_endpoint?: string };
  try {
    const r = await fetch(url, { headers: { accept: 'application/json' } });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    doc = (await r.json()) as typeof doc;
  } catch (e) {
    throw new Error(`The identity provider's discovery document (${url}) could not be read: ${(e as Error).message}`);
  }
  if (doc.issuer !== issuer) throw new Error(`The discovery document names the issuer ${String(doc.issuer)}, not ${issuer}.`);
  if (!doc.authorization_endpoint || !doc.token_endpoint) throw new Error('The discovery document names no authorization or token endpoint.');
  return { authorization_endpoint: doc.authorization_endpoint, token_endpoint: doc.token_endpoint };
}

/** Starts the sign-in: remembers state, verifier and the page, then leaves for the authorization endpoint. */
export async function startSso(config: OidcConfig, returnTo: string): Promise<void> {
  const endpoints = await discovery(config.issuer);
  const verifier = random(32);
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const pending: Pending = { state: random(16), nonce: random(16), verifier, returnTo, tokenEndpoint: endpoints.token_endpoint, redirectUri: redirectUri(), clientId: config.clientId };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(endpoints.authorization_endpoint);
  const params = { response_type: 'code', client_id: config.clientId, redirect_uri: pending.redirectUri, scope: config.scopes.join(' '), state: pending.state, nonce: pending.nonce, code_challenge: challenge, code_challenge_method: 'S256' };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  window.location.assign(url.toString());
}

/**
 * The redirect back (`/auth/callback?code&state` or `?error`): checks the
 * state, trades the code and verifier for tokens, signs in with the ID token;
 * answers the page to return to. Throws a readable Error otherwise.
 */
export async function finishSso(search: string): Promise<string> {
  try {
    return await trade(search);
  } finally {
    ssoFinishing.set(false);
  }
}

async function trade(search: string): Promise<string> {
  const q = new URLSearchParams(search);
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  const pending = raw ? (JSON.parse(raw) as Pending) : undefined;
  const error = q.get('error');
  if (error) throw new Error(`The identity provider refused the sign-in: ${error}${q.get('error_description') ? ` (${q.get('error_description')})` : ''}.`);
  if (!pending) throw new Error('No sign-in was started in this tab (or it was already finished); start again with "Sign in with SSO".');
  if (!q.get('state') || q.get('state') !== pending.state) throw new Error('The sign-in answer does not match the sign-in this tab started (state differs); it was refused. Start again.');
  const code = q.get('code');
  if (!code) throw new Error('The identity provider answered without a code.');
  let status: number, answer: TokenAnswer;
  try {
    ({ status, answer } = await tokenRequest(pending.tokenEndpoint, { grant_type: 'authorization_code', code, redirect_uri: pending.redirectUri, client_id: pending.clientId, code_verifier: pending.verifier }));
  } catch (e) {
    throw new Error(`The identity provider's token endpoint could not be reached: ${(e as Error).message}`);
  }
  if (status !== 200 || !answer.id_token) {
    throw new Error(`The identity provider's token endpoint refused the code (HTTP ${status}${answer.error ? `: ${answer.error}` : ''}${answer.error_description ? `, ${answer.error_description}` : ''}).`);
  }
  if (claimsOf(answer.id_token)?.nonce !== pending.nonce) throw new Error('The ID token was not issued for the sign-in this tab started (nonce differs); it was refused. Start again.');
  const session: SsoSession = { tokenEndpoint: pending.tokenEndpoint, clientId: pending.clientId, ...(answer.refresh_token ? { refreshToken: answer.refresh_token } : {}) };
  sessionStorage.setItem(SESSION, JSON.stringify(session));
  ssoEnded.set(undefined);
  signIn(answer.id_token);
  keepSsoSession();
  return pending.returnTo.startsWith('/') && !pending.returnTo.startsWith('//') ? pending.returnTo : '/';
}

/** A token endpoint's answer (RFC 6749 §5.1, §5.2), what of it is read. */
interface TokenAnswer {
  id_token?: string;
  refresh_token?: string;
  error?: string;
  error_description?: string;
}

/** Posts a grant to the token endpoint: its HTTP status and JSON answer (empty when not a JSON object); rejects when it cannot be reached. */
async function tokenRequest(endpoint: string, grant: Record<string, string>): Promise<{ status: number; answer: TokenAnswer }> {
  const r = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(grant),
  });
  return { status: r.status, answer: ((await r.json().catch(() => undefined)) ?? {}) as TokenAnswer };
}

/** The claims of a JWT (its payload decoded, not verified: the server verifies the token), or undefined. */
function claimsOf(jwt: string): { nonce?: unknown; exp?: unknown; sub?: unknown } | undefined {
  try {
    const payload = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, '='))) as { nonce?: unknown; exp?: unknown; sub?: unknown };
  } catch {
    return undefined;
  }
}

function readSession(): SsoSession | undefined {
  try {
    const raw = sessionStorage.getItem(SESSION);
    return raw ? (JSON.parse(raw) as SsoSession) : undefined;
  } catch {
    return undefined;
  }
}

let timer: ReturnType<typeof setTimeout> | undefined;

/**
 * Keeps this tab's SSO sign-in alive (after a sign-in, and on each page
 * load): renews the ID token RENEW_BEFORE_MS before it expires when there is
 * a refresh token, else signs out SIGN_OUT_BEFORE_MS before it expires. A
 * token not from SSO (pasted) is left alone; signing out forgets the session.
 */
export function keepSsoSession(): void {
  clearTimeout(timer);
  const session = readSession();
  const jwt = token.get();
  if (!session || !jwt) return;
  const exp = claimsOf(jwt)?.exp;
  if (typeof exp !== 'number') return;
  const left = exp * 1000 - Date.now();
  if (session.refreshToken) at(left - RENEW_BEFORE_MS, () => void renew(session, jwt));
  else at(left - SIGN_OUT_BEFORE_MS, () => end(session.expired ?? 'Your SSO sign-in expired: sign in again.'));
}

/** Runs `then` in `ms` (at once when past); a deadline past the longest timer is looked at again when that timer fires. */
function at(ms: number, then: () => void): void {
  timer = ms > MAX_TIMER_MS ? setTimeout(keepSsoSession, MAX_TIMER_MS) : setTimeout(then, Math.max(0, ms));
}

/**
 * Trades the refresh token for a new ID token of the same user (OIDC Core
 * 12.2). An IdP that cannot answer (unreachable, 5xx, 429) is asked again
 * while the ID token lasts; a refusal ends the sign-in, saying why; an answer
 * without an ID token (allowed by 12.2) keeps the tab signed in until the
 * current one expires.
 */
async function renew(session: SsoSession, current: string): Promise<void> {
  if (token.get() !== current) return; // signed out or in again meanwhile
  let status: number, answer: TokenAnswer;
  let unreachable: string | undefined;
  try {
    ({ status, answer } = await tokenRequest(session.tokenEndpoint, { grant_type: 'refresh_token', refresh_token: session.refreshToken!, client_id: session.clientId }));
  } catch (e) {
    [status, answer, unreachable] = [0, {}, (e as Error).message];
  }
  if (token.get() !== current) return;
  if (unreachable !== undefined || status >= 500 || status === 429) {
    const why = unreachable !== undefined ? `the identity provider could not be reached: ${unreachable}` : `HTTP ${status}${answer.error ? `: ${answer.error}` : ''}`;
    // Asked again every RENEW_RETRY_MS, the last time SIGN_OUT_BEFORE_MS before the ID token expires.
    const wait = Math.min(RENEW_RETRY_MS, Number(claimsOf(current)?.exp) * 1000 - Date.now() - SIGN_OUT_BEFORE_MS);
    if (wait > 0) return at(wait, () => void renew(session, current));
    return end(`Your SSO sign-in could not be renewed (${why}): sign in again.`);
  }
  if (status !== 200) return end(`Your SSO sign-in could not be renewed (HTTP ${status}${answer.error ? `: ${answer.error}` : ''}): sign in again.`);
  if (!answer.id_token) {
    // No new ID token from this IdP's renewals: the tab stays signed in until the current one expires, then says why.
    sessionStorage.setItem(SESSION, JSON.stringify({ tokenEndpoint: session.tokenEndpoint, clientId: session.clientId, expired: 'Your SSO sign-in expired (the identity provider renewed it without an ID token): sign in again.' } satisfies SsoSession));
    return keepSsoSession();
  }
  if (claimsOf(answer.id_token)?.sub !== claimsOf(current)?.sub) return end('The identity provider renewed the sign-in for another user; it was refused: sign in again.');
  sessionStorage.setItem(SESSION, JSON.stringify({ ...session, refreshToken: answer.refresh_token ?? session.refreshToken }));
  signIn(answer.id_token);
  keepSsoSession();
}

function end(why: string): void {
  sessionStorage.removeItem(SESSION);
  signOut();
  ssoEnded.set(why);
}

// Signing out (or in with a pasted token) ends the SSO session of the tab.
token.subscribe((value) => {
  if (value === undefined) {
    clearTimeout(timer);
    sessionStorage.removeItem(SESSION);
  }
});
