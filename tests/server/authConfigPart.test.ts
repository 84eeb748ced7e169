/** `GET /auth/config`: the SSO settings the web UI reads before sign-in, null unless an issuer and a client id are set. */
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { resolveAuthSettings } from '../../server/auth/settings.ts';
import { AuthConfigPart } from '../../server/AuthConfigPart.ts';
import { createRouter } from '../../server/router.ts';

async function get(oidcFlags: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const { oidc } = resolveAuthSettings(oidcFlags, {}, '127.0.0.1');
  const server = createServer(createRouter({ routes: [...new AuthConfigPart({ oidc }).routes] }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/auth/config`);
    return { status: res.status, body: await res.json() };
  } finally {
    server.close();
  }
}

const issuer = { oidcIssuer: 'https://id.example.com/realms/ops', oidcAudience: 'cmdb-web', oidcRoleMap: 'oncall=responder' };

describe('GET /auth/config', () => {
  it('is null without OIDC, and with OIDC but no client id (API tokens only)', async () => {
    expect(await get({})).toEqual({ status: 200, body: { oidc: null } });
    expect(await get(issuer)).toEqual({ status: 200, body: { oidc: null } });
  });
  it('names the issuer, the client id and the scopes (openid first), nothing else', async () => {
    expect(await get({ ...issuer, oidcClientId: 'cmdb-web', oidcScopes: 'groups' })).toEqual({ status: 200, body: { oidc: { issuer: issuer.oidcIssuer, clientId: 'cmdb-web', scopes: ['openid', 'groups'] } } });
  });
});
