/**
 * OIDC: JWTs verified against an issuer's JWKS, served by a real HTTP issuer
 * on 127.0.0.1 (discovery document and keys made with jose), checked by a
 * running server (startRuntime): a valid token and its role from the groups
 * claim, a forged one, an expired one, the wrong audience or issuer, an
 * unsigned one, an unreachable issuer.
 */
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../server/auth/tokensFile.ts';
import { AuthFixture, codes, gql } from './authSupport.ts';

let fx: AuthFixture;
let issuer: Server;
let issuerUrl: string;
let signing: CryptoKey;
let forger: CryptoKey;
const served = { discovery: 0, jwks: 0 };

const AUDIENCE = 'cmdb-api';
const ROLE_MAP = 'cmdb-admins=admin,oncall=responder,staff=viewer';
const ME = '{ me { name role via } }';

beforeAll(async () => {
  fx = new AuthFixture();
  const key = await generateKeyPair('ES256', { extractable: true });
  signing = key.privateKey;
  forger = (await generateKeyPair('ES256')).privateKey;
  const jwk: JWK = { ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  issuer = createServer((req, res) => {
    if (req.url === '/realms/ops/.well-known/openid-configuration') {
      served.discovery++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: issuerUrl, jwks_uri: `${new URL(issuerUrl).origin}/realms/ops/keys` }));
    } else if (req.url === '/realms/ops/keys') {
      served.jwks++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
  issuerUrl = `http://127.0.0.1:${(issuer.address() as { port: number }).port}/realms/ops`;
});
afterAll(async () => {
  await fx.close();
  issuer.closeAllConnections();
  await new Promise((resolve) => issuer.close(resolve));
});

interface Claims {
  iss?: string;
  aud?: string;
  exp?: number;
  groups?: unknown;
  kid?: string;
  key?: CryptoKey;
  [claim: string]: unknown;
}

/** A JWT as the issuer would sign it (ES256, kid k1, one hour), with `claims` changed. */
async function jwt(claims: Claims = {}): Promise<string> {
  const { iss = issuerUrl, aud = AUDIENCE, exp, kid = 'k1', key = signing, ...rest } = claims;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ preferred_username: 'alice', groups: ['staff', 'oncall'], ...rest })
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer(iss)
    .setAudience(aud)
    .setSubject('9d1c6a1e')
    .setIssuedAt(now - 60)
    .setExpirationTime(exp ?? now + 3600)
    .sign(key);
}

const oidcFlags = () => ({ oidcIssuer: issuerUrl, oidcAudience: AUDIENCE, oidcRoleMap: ROLE_MAP, anonymousRead: false });

describe('OIDC', () => {
  it('a valid JWT is its preferred_username with the strongest role its groups map to; keys come from the discovery document', async () => {
    const { base } = await fx.start(oidcFlags());
    const answer = await gql(base, `{ me { name role via } entity(ref: "component:api") { ref } }`, `Bearer ${await jwt()}`);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ me: { name: 'alice', role: 'RESPONDER', via: 'OIDC' }, entity: { ref: 'component:default/api' } });
    expect((await gql(base, ME, `Bearer ${await jwt({ groups: 'cmdb-admins', preferred_username: undefined, email: 'bob@example.com' })}`)).data?.me).toEqual({ name: 'bob@example.com', role: 'ADMIN', via: 'OIDC' });
    expect((await gql(base, ME, `Bearer ${await jwt({ groups: ['staff', 'guests'], preferred_username: undefined })}`)).data?.me).toEqual({ name: '9d1c6a1e', role: 'VIEWER', via: 'OIDC' });
    expect(served.discovery).toBeGreaterThanOrEqual(1);
    expect(served.jwks).toBeGreaterThanOrEqual(1);
  });

  it('refuses (UNAUTHENTICATED, 401, no data) a forged, expired, unsigned JWT, the wrong audience or issuer, and groups that map to no role', async () => {
    const { base } = await fx.start(oidcFlags());
    const now = Math.floor(Date.now() / 1000);
    const unsigned = new UnsecuredJWT({ groups: ['cmdb-admins'] }).setIssuer(issuerUrl).setAudience(AUDIENCE).setExpirationTime(now + 3600).encode();
    const cases: Array<[string, string, string]> = [
      ['signed by another key under the issuer\'s kid', await jwt({ key: forger }), 'the token is not signed by a key of the issuer'],
      ['signed by a key the issuer does not have', await jwt({ key: forger, kid: 'k2' }), 'the token is not signed by a key of the issuer'],
      ['expired an hour ago', await jwt({ exp: now - 3600 }), 'the token has expired'],
      ['for another audience', await jwt({ aud: 'other-api' }), 'the token\'s aud claim is not accepted'],
      ['from another issuer', await jwt({ iss: 'https://evil.example.com/realms/ops' }), 'the token\'s iss claim is not accepted'],
      ['unsigned (alg none)', unsigned, 'the token\'s signing algorithm is not accepted'],
      ['with groups that map to nothing', await jwt({ groups: ['guests'] }), 'the token\'s groups claim maps to no role of this server'],
      ['with no groups claim', await jwt({ groups: undefined }), 'the token\'s groups claim maps to no role of this server'],
    ];
    for (const [what, token, reason] of cases) {
      const answer = await gql(base, '{ me { name } entity(ref: "component:api") { ref } }', `Bearer ${token}`);
      expect(answer.status, what).toBe(401);
      expect(codes(answer), what).toEqual(['UNAUTHENTICATED']);
      expect(answer.data ?? undefined, what).toBeUndefined();
      expect(answer.errors?.[0].message, what).toContain(`Not authenticated: ${reason}`);
    }
  });

  it('tokens and OIDC work side by side; a JWT on a server without OIDC is just an unknown token', async () => {
    const token = 'cmdb_side-by-side-0001';
    const tokens = fx.file('oidc-tokens.yaml', `tokens:\n  - { name: ci, role: admin, sha256: ${sha256Hex(token)} }\n`);
    const both = await fx.start({ ...oidcFlags(), tokens });
    expect((await gql(both.base, ME, `Bearer ${token}`)).data?.me).toEqual({ name: 'ci', role: 'ADMIN', via: 'TOKEN' });
    expect((await gql(both.base, ME, `Bearer ${await jwt()}`)).data?.me.via).toBe('OIDC');
    const tokensOnly = await fx.start({ tokens, anonymousRead: false });
    expect((await gql(tokensOnly.base, ME, `Bearer ${await jwt()}`)).errors?.[0].message).toBe('Not authenticated: the token is not known to this server.');
  });

  it('an unreachable issuer: UNAUTHENTICATED saying so, and one warning without the token', async () => {
    const { base, logged } = await fx.start({ ...oidcFlags(), oidcJwksUrl: 'http://127.0.0.1:9/keys' });
    const token = await jwt();
    const answer = await gql(base, ME, `Bearer ${token}`);
    expect(codes(answer)).toEqual(['UNAUTHENTICATED']);
    expect(answer.errors?.[0].message).toBe('Not authenticated: cannot verify the token now: the issuer\'s keys are unavailable.');
    expect(logged()).toContain('cannot verify OIDC tokens');
    expect(logged()).not.toContain(token);
    expect(logged()).not.toContain(token.split('.')[2]);
  });

  it('JWTs, accepted or refused, never reach the logs', async () => {
    const { base, logged } = await fx.start(oidcFlags());
    const tokens = [await jwt(), await jwt({ key: forger }), await jwt({ aud: 'other' })];
    for (const token of tokens) await gql(base, ME, `Bearer ${token}`);
    expect(logged()).toContain('API authentication');
    expect(logged()).toContain(issuerUrl);
    for (const token of tokens) expect(logged()).not.toContain(token.split('.')[2]);
  });
});
