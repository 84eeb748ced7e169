/**
 * "Sign in with SSO" in a real browser (Debian's chromium, headless): a fake
 * but standards-following OIDC issuer on 127.0.0.1 (discovery, JWKS made with
 * jose, an authorize endpoint that answers at once with a code, as an IdP with
 * a session does, after checking client_id, redirect_uri and the PKCE
 * challenge, and a token endpoint that checks the code_verifier against it and
 * answers an ID token, with CORS headers as IdPs send for public clients),
 * and a real `cmdb serve --reconcile` with --oidc-client-id: the user comes
 * back to the incident page signed in with the role of the groups claim and
 * may acknowledge; a forged state, an ID token of another sign-in (nonce)
 * and a denied sign-in are refused with a message.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../server/Runtime.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';
import { waitFor } from '../helpers/waitFor.ts';
import { buildWebInTemp, launchChromium, watchErrors } from './browser.ts';

const AM_TOKEN = 'alertmanager-token-for-the-oidc-test';
const CLIENT_ID = 'cmdb-web';

let repo: TestRepo;
let dir: string;
let web: { dir: string; remove(): void };
let runtime: Runtime;
let browser: Browser;
let context: BrowserContext;
let issuer: Server;
let issuerUrl: string;
let signing: CryptoKey;
let jwk: JWK;
let dbIncident: string;

/** What the issuer saw and decided. */
const idp = {
  deny: false,
  /** Seconds an ID token is valid. */
  ttl: 3600,
  /** Whether the token endpoint gives refresh tokens, and refuses their use. */
  refresh: false,
  refuseRefresh: false,
  /** Refresh grants answered 503 before the next is served. */
  unavailable: 0,
  refreshTokens: new Set<string>(),
  refreshGrants: [] as URLSearchParams[],
  codes: new Map<string, { challenge: string; redirectUri: string; clientId: string; nonce?: string }>(),
  authorizeRequests: [] as URLSearchParams[],
  tokenAnswers: [] as number[],
};

const b64url = (b: Buffer) => b.toString('base64url');

function cors(origin: string | undefined): Record<string, string> {
  return { 'access-control-allow-origin': origin ?? '*', 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'content-type, accept', vary: 'origin' };
}

async function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

/** Refuses like RFC 6749 §5.2: a JSON error, status 400. */
function tokenError(res: import('node:http').ServerResponse, origin: string | undefined, error: string, description: string): void {
  idp.tokenAnswers.push(400);
  res.writeHead(400, { 'content-type': 'application/json', 'cache-control': 'no-store', ...cors(origin) }).end(JSON.stringify({ error, error_description: description }));
}

async function handleIssuer(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', issuerUrl);
  const origin = req.headers.origin;
  const base = new URL(issuerUrl).pathname;
  if (req.method === 'OPTIONS') return void res.writeHead(204, cors(origin)).end();
  if (url.pathname === `${base}/.well-known/openid-configuration`) {
    res.writeHead(200, { 'content-type': 'application/json', ...cors(origin) }).end(
      JSON.stringify({
        issuer: issuerUrl,
        authorization_endpoint: `${issuerUrl}/protocol/openid-connect/auth`,
        token_endpoint: `${issuerUrl}/protocol/openid-connect/token`,
        jwks_uri: `${issuerUrl}/protocol/openid-connect/certs`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
      }),
    );
  } else if (url.pathname === `${base}/protocol/openid-connect/certs`) {
    res.writeHead(200, { 'content-type': 'application/json', ...cors(origin) }).end(JSON.stringify({ keys: [jwk] }));
  } else if (url.pathname === `${base}/protocol/openid-connect/auth` && req.method === 'GET') {
    const q = url.searchParams;
    idp.authorizeRequests.push(q);
    const redirectUri = q.get('redirect_uri') ?? '';
    // A wrong client or redirect URI is never redirected to (RFC 6749 §4.1.2.1): the IdP shows an error itself.
    if (q.get('client_id') !== CLIENT_ID || redirectUri !== `${runtime.url.replace(/\/$/, '')}/auth/callback`) return void res.writeHead(400, { 'content-type': 'text/plain' }).end('unknown client or redirect_uri');
    const back = new URL(redirectUri);
    if (q.get('state')) back.searchParams.set('state', q.get('state')!);
    const challenge = q.get('code_challenge') ?? '';
    if (idp.deny) back.searchParams.set('error', 'access_denied');
    else if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(challenge) || !(q.get('scope') ?? '').split(' ').includes('openid')) {
      back.searchParams.set('error', 'invalid_request');
    } else {
      const code = b64url(randomBytes(24));
      idp.codes.set(code, { challenge, redirectUri, clientId: CLIENT_ID, ...(q.get('nonce') ? { nonce: q.get('nonce')! } : {}) });
      back.searchParams.set('code', code);
    }
    res.writeHead(302, { location: back.toString() }).end();
  } else if (url.pathname === `${base}/protocol/openid-connect/token` && req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req));
    if (form.get('grant_type') === 'refresh_token') {
      idp.refreshGrants.push(form);
      if (idp.unavailable > 0) {
        idp.unavailable--;
        return void res.writeHead(503, { 'content-type': 'application/json', ...cors(origin) }).end(JSON.stringify({ error: 'temporarily_unavailable' }));
      }
      const known = idp.refreshTokens.delete(form.get('refresh_token') ?? ''); // rotated: one use only
      if (idp.refuseRefresh || !known || form.get('client_id') !== CLIENT_ID) return tokenError(res, origin, 'invalid_grant', 'unknown refresh token');
      return answerTokens(res, origin);
    }
    const code = form.get('code') ?? '';
    const granted = idp.codes.get(code);
    idp.codes.delete(code); // one use only
    if (form.get('grant_type') !== 'authorization_code' || !granted) return tokenError(res, origin, 'invalid_grant', 'unknown or used code');
    if (form.get('client_id') !== granted.clientId || form.get('redirect_uri') !== granted.redirectUri) return tokenError(res, origin, 'invalid_grant', 'client_id or redirect_uri differs');
    const verifier = form.get('code_verifier') ?? '';
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || b64url(createHash('sha256').update(verifier).digest()) !== granted.challenge) return tokenError(res, origin, 'invalid_grant', 'PKCE verification failed');
    return answerTokens(res, origin, granted.nonce);
  } else res.writeHead(404).end();
}

/** A token response (RFC 6749 §5.1): an ID token valid `idp.ttl` seconds, with the nonce of the sign-in (none when renewed), and a refresh token when `idp.refresh`. */
async function answerTokens(res: import('node:http').ServerResponse, origin: string | undefined, nonce?: string): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const idToken = await new SignJWT({ preferred_username: 'alice', groups: ['staff', 'oncall'], ...(nonce ? { nonce } : {}) })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(issuerUrl)
    .setAudience(CLIENT_ID)
    .setSubject('9d1c6a1e')
    .setIssuedAt(now)
    .setExpirationTime(now + idp.ttl)
    .sign(signing);
  const refresh = idp.refresh ? b64url(randomBytes(24)) : undefined;
  if (refresh) idp.refreshTokens.add(refresh);
  idp.tokenAnswers.push(200);
  res
    .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', ...cors(origin) })
    .end(JSON.stringify({ access_token: b64url(randomBytes(24)), token_type: 'Bearer', expires_in: idp.ttl, id_token: idToken, ...(refresh ? { refresh_token: refresh } : {}) }));
}

const team = { owner: 'group:team', lifecycle: 'production' };
beforeAll(async () => {
  const key = await generateKeyPair('ES256', { extractable: true });
  signing = key.privateKey;
  jwk = { ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  issuer = createServer((req, res) => {
    handleIssuer(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
  issuerUrl = `http://127.0.0.1:${(issuer.address() as { port: number }).port}/realms/ops`;

  repo = TestRepo.create('cmdb-ui-oidc-');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-ui-oidc-state-'));
  repo.commit({
    'cmdb.yaml': stringify({ incidents: { for: '0s', resolveAfter: '1h', reopenWithin: '0s' } }),
    'team.yaml': entity('Group', 'team', { type: 'team' }),
    'db.yaml': entity('Resource', 'db', { type: 'database', criticality: 'high', ...team }),
  });
  [web, browser] = await Promise.all([buildWebInTemp(), launchChromium()]);
  runtime = await startRuntime({
    flags: {
      repo: repo.dir, ref: 'main', stateDir: path.join(dir, 'state'), port: 0, poll: 0, reconcile: true, anonymousRead: false,
      oidcIssuer: issuerUrl, oidcAudience: CLIENT_ID, oidcRoleMap: 'oncall=responder,staff=viewer', oidcClientId: CLIENT_ID, oidcScopes: 'profile groups',
    },
    env: { CMDB_ALERTMANAGER_TOKEN: AM_TOKEN, CMDB_WEB_DIR: web.dir },
    log: pino({ level: 'silent' }),
    out: () => undefined,
  });
  await waitFor('the incident engine leads', () => runtime.leadership.isLeader());
  const res = await fetch(`${runtime.url.replace(/\/$/, '')}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { authorization: `Bearer ${AM_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      version: '4', groupKey: '{}:{alertname="Down"}', truncatedAlerts: 0, status: 'firing', receiver: 'cmdb', groupLabels: { alertname: 'Down' }, commonLabels: { alertname: 'Down' }, commonAnnotations: {}, externalURL: 'http://alertmanager:9093',
      alerts: [{ status: 'firing', labels: { alertname: 'Down', cmdb_ref: 'resource:default/db' }, annotations: { summary: 'db is down' }, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prometheus/graph', fingerprint: 'fp-db' }],
    }),
  });
  expect(res.status).toBe(200);
  dbIncident = await waitFor('the db incident', () => runtime.incidents!.store.incidents({ ref: 'resource:default/db' })[0]?.id);
  context = await browser.newContext({ baseURL: runtime.url, viewport: { width: 1280, height: 900 } });
}, 180_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await runtime?.shutdown();
  web?.remove();
  repo?.remove();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  issuer?.closeAllConnections();
  if (issuer) await new Promise((resolve) => issuer.close(resolve));
});

const account = (page: Page) => page.locator('.account').textContent();

describe('GET /auth/config', () => {
  it('names the issuer, the client id and the scopes, without credentials; the page may fetch from the issuer (CSP connect-src)', async () => {
    const res = await fetch(`${runtime.url.replace(/\/$/, '')}/auth/config`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ oidc: { issuer: issuerUrl, clientId: CLIENT_ID, scopes: ['openid', 'profile', 'groups'] } });
    const page = await fetch(runtime.url);
    expect(page.headers.get('content-security-policy')).toContain(`connect-src 'self' ${new URL(issuerUrl).origin};`);
  });
});

describe('Sign in with SSO', () => {
  it('the code flow with PKCE brings the user back to the page signed in, with the role of the groups claim; sign-out clears it', async () => {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`/incidents/${dbIncident}?tab=1`);
    await expect.poll(() => account(page)).toContain('Not signed in');
    const before = idp.authorizeRequests.length;
    await page.getByRole('button', { name: 'Sign in with SSO' }).click();
    await expect.poll(() => account(page), { timeout: 20_000 }).toContain('alice · responder');
    // The API's UNAUTHENTICATED answers to the page before sign-in are expected, also those that land
    // while the browser leaves for the identity provider; from the signed-in page on, none is.
    errors.length = 0;
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(`/incidents/${dbIncident}?tab=1`);
    // The authorize request: a public client's code flow with an S256 challenge and the configured scopes.
    const q = idp.authorizeRequests[before]!;
    expect(Object.fromEntries([...q].filter(([k]) => k !== 'state' && k !== 'nonce' && k !== 'code_challenge'))).toEqual({
      response_type: 'code', client_id: CLIENT_ID, redirect_uri: `${runtime.url.replace(/\/$/, '')}/auth/callback`, scope: 'openid profile groups', code_challenge_method: 'S256',
    });
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(q.get('nonce')).not.toBe(q.get('state'));
    expect(idp.tokenAnswers.at(-1)).toBe(200);
    // The ID token is the Bearer token of the tab; the responder's action is offered.
    const stored = await page.evaluate(() => sessionStorage.getItem('cmdb.token'));
    expect(decodeJwt(stored!)).toMatchObject({ iss: issuerUrl, aud: CLIENT_ID, preferred_username: 'alice', nonce: q.get('nonce') });
    expect(await page.evaluate(() => sessionStorage.getItem('cmdb.oidc.pending'))).toBeNull();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => page.locator('[data-testid="state"]').textContent()).toBe('acknowledged');
    expect(runtime.incidents!.store.incident(dbIncident)!.state).toBe('acknowledged');
    expect(errors).toEqual([]);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with SSO' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('cmdb.token'))).toBeNull();
    await page.close();
  });

  /** Signs in with SSO on a new page, the IdP set as given; answers the page. */
  async function signedIn(settings: Partial<Pick<typeof idp, 'ttl' | 'refresh' | 'refuseRefresh' | 'unavailable'>>): Promise<Page> {
    Object.assign(idp, { ttl: 3600, refresh: false, refuseRefresh: false, unavailable: 0 }, settings);
    const page = await context.newPage();
    await page.goto('/');
    await expect.poll(() => account(page)).toContain('Not signed in');
    await page.getByRole('button', { name: 'Sign in with SSO' }).click();
    await expect.poll(() => account(page), { timeout: 20_000 }).toContain('alice · responder');
    return page;
  }
  const storedToken = (page: Page) => page.evaluate(() => sessionStorage.getItem('cmdb.token'));

  it('renews the ID token with the refresh token a minute before it expires (rotated each time, and after a reload); the tab stays signed in and the API takes the new token', async () => {
    const page = await signedIn({ ttl: 63, refresh: true });
    const first = (await storedToken(page))!;
    const grants = idp.refreshGrants.length;
    // Renewed ~3 s after the sign-in (63 s - 60 s).
    await expect.poll(() => idp.refreshGrants.length, { timeout: 15_000 }).toBeGreaterThan(grants);
    const grant = idp.refreshGrants[grants]!;
    expect([grant.get('grant_type'), grant.get('client_id')]).toEqual(['refresh_token', CLIENT_ID]);
    await expect.poll(() => storedToken(page)).not.toBe(first);
    const renewed = (await storedToken(page))!;
    expect(decodeJwt(renewed).sub).toBe(decodeJwt(first).sub);
    expect(decodeJwt(renewed).exp!).toBeGreaterThan(decodeJwt(first).exp!);
    expect(await account(page)).toContain('alice · responder');
    const answer = await page.evaluate(async (t) => (await fetch('/graphql', { method: 'POST', headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ me { name role } }' }) })).json(), renewed);
    expect(answer).toEqual({ data: { me: { name: 'alice', role: 'RESPONDER' } } });
    // A reloaded page goes on renewing, with the rotated refresh token (the first one is spent).
    await page.reload();
    await expect.poll(() => account(page)).toContain('alice · responder');
    await expect.poll(() => idp.refreshGrants.length, { timeout: 15_000 }).toBeGreaterThan(grants + 1);
    expect(idp.refreshGrants[grants + 1]!.get('refresh_token')).not.toBe(grant.get('refresh_token'));
    expect(idp.tokenAnswers.slice(-2)).toEqual([200, 200]);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with SSO' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('cmdb.oidc.session'))).toBeNull();
    await page.close();
  });

  it('without a refresh token, signs the tab out just before the ID token expires, saying so', async () => {
    const page = await signedIn({ ttl: 8 });
    await expect.poll(() => page.locator('.signin-error').textContent(), { timeout: 15_000 }).toBe('Your SSO sign-in expired: sign in again.');
    expect(await storedToken(page)).toBeNull();
    expect(await account(page)).toContain('Not signed in');
    await page.close();
  });

  it('a renewal the IdP cannot answer (HTTP 503) is tried again while the ID token lasts, and the tab stays signed in', async () => {
    const page = await signedIn({ ttl: 63, refresh: true, unavailable: 1 });
    const first = (await storedToken(page))!;
    const grants = idp.refreshGrants.length;
    await expect.poll(() => storedToken(page), { timeout: 20_000 }).not.toBe(first);
    // The first grant got the 503; the same refresh token was sent again.
    expect(idp.refreshGrants.length - grants).toBeGreaterThanOrEqual(2);
    expect(idp.refreshGrants[grants + 1]!.get('refresh_token')).toBe(idp.refreshGrants[grants]!.get('refresh_token'));
    expect(await account(page)).toContain('alice · responder');
    expect(await page.locator('.signin-error').count()).toBe(0);
    await page.close();
  });

  it('a renewal the IdP refuses ends the sign-in, naming its answer', async () => {
    const page = await signedIn({ ttl: 63, refresh: true, refuseRefresh: true });
    await expect.poll(() => page.locator('.signin-error').textContent(), { timeout: 15_000 }).toBe('Your SSO sign-in could not be renewed (HTTP 400: invalid_grant): sign in again.');
    expect(await storedToken(page)).toBeNull();
    Object.assign(idp, { ttl: 3600, refresh: false, refuseRefresh: false });
    await page.close();
  });

  it('an answer whose state is not the one this tab sent is refused with a message, and the code is not traded', async () => {
    const page = await context.newPage();
    await page.goto('/');
    await expect.poll(() => account(page)).toContain('Not signed in');
    // The IdP's real redirect, with the state changed on the way (what a forged callback link looks like).
    await page.route('**/protocol/openid-connect/auth**', async (route) => {
      const answer = await route.fetch({ maxRedirects: 0 });
      const back = new URL(answer.headers().location!);
      back.searchParams.set('state', 'forged-state');
      await route.fulfill({ status: 302, headers: { location: back.toString() } });
    });
    const traded = idp.tokenAnswers.length;
    await page.getByRole('button', { name: 'Sign in with SSO' }).click();
    const alert = page.locator('.error[role="alert"]', { hasText: 'Sign-in failed' });
    await alert.waitFor({ timeout: 20_000 });
    expect(new URL(page.url()).pathname).toBe('/auth/callback');
    expect(await alert.textContent()).toContain('state differs');
    expect(idp.tokenAnswers.length).toBe(traded);
    expect(await page.evaluate(() => sessionStorage.getItem('cmdb.token'))).toBeNull();
    await expect.poll(() => account(page)).toContain('Not signed in');
    await page.close();
  });

  it('a code the token endpoint refuses (a verifier that does not match the challenge) is shown, and nobody is signed in', async () => {
    const page = await context.newPage();
    await page.goto('/path');
    await expect.poll(() => account(page)).toContain('Not signed in');
    // The browser's real token request, with another verifier: the issuer's PKCE check refuses it.
    await page.route('**/protocol/openid-connect/token', async (route) => {
      const form = new URLSearchParams(route.request().postData() ?? '');
      form.set('code_verifier', b64url(randomBytes(32)));
      await route.continue({ postData: form.toString() });
    });
    await page.getByRole('button', { name: 'Sign in with SSO' }).click();
    const alert = page.locator('.error[role="alert"]', { hasText: 'Sign-in failed' });
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.textContent()).toContain('refused the code (HTTP 400: invalid_grant, PKCE verification failed)');
    expect(idp.tokenAnswers.at(-1)).toBe(400);
    expect(await page.evaluate(() => sessionStorage.getItem('cmdb.token'))).toBeNull();
    await expect.poll(() => account(page)).toContain('Not signed in');
    await page.close();
  });

  it('an ID token issued for another sign-in (its nonce is not the one this tab sent) is refused, and nobody is signed in', async () => {
    const page = await context.newPage();
    await page.goto('/');
    await expect.poll(() => account(page)).toContain('Not signed in');
    // The issuer's real answer, its ID token swapped on the way for a valid one of another sign-in.
    await page.route('**/protocol/openid-connect/token', async (route) => {
      const answer = await route.fetch();
      const body = (await answer.json()) as { id_token: string };
      const now = Math.floor(Date.now() / 1000);
      body.id_token = await new SignJWT({ preferred_username: 'mallory', groups: ['staff', 'oncall'], nonce: 'a-nonce-of-another-sign-in' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(issuerUrl)
        .setAudience(CLIENT_ID)
        .setSubject('0bad')
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(signing);
      await route.fulfill({ response: answer, body: JSON.stringify(body) });
    });
    await page.getByRole('button', { name: 'Sign in with SSO' }).click();
    const alert = page.locator('.error[role="alert"]', { hasText: 'Sign-in failed' });
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.textContent()).toContain('nonce differs');
    expect(await page.evaluate(() => sessionStorage.getItem('cmdb.token'))).toBeNull();
    await expect.poll(() => account(page)).toContain('Not signed in');
    await page.close();
  });

  it('a sign-in the IdP denies is shown as such', async () => {
    const page = await context.newPage();
    await page.goto('/kpis');
    await expect.poll(() => account(page)).toContain('Not signed in');
    idp.deny = true;
    try {
      await page.getByRole('button', { name: 'Sign in with SSO' }).click();
      const alert = page.locator('.error[role="alert"]', { hasText: 'Sign-in failed' });
      await alert.waitFor({ timeout: 20_000 });
      expect(await alert.textContent()).toContain('refused the sign-in: access_denied');
    } finally {
      idp.deny = false;
    }
    expect(await page.evaluate(() => sessionStorage.getItem('cmdb.token'))).toBeNull();
    await page.close();
  });
});
