/** The auth settings of `cmdb serve` (flags over CMDB_* variables over defaults), as resolveServerConfig reads them. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addAuthOptions } from '../../cli/commands/serveCommand.ts';
import { CmdbError } from '../../core/errors.ts';
import { isLoopbackHost } from '../../server/auth/settings.ts';
import { resolveServerConfig, type ServeFlags } from '../../server/config.ts';

const auth = (flags: ServeFlags, env: NodeJS.ProcessEnv = {}) => resolveServerConfig({ flags, env, terminal: false }).auth;
const failure = (flags: ServeFlags, env: NodeJS.ProcessEnv = {}): string => {
  try {
    auth(flags, env);
  } catch (e) {
    expect(e).toBeInstanceOf(CmdbError);
    expect((e as CmdbError).code).toBe('config');
    return (e as CmdbError).message;
  }
  throw new Error('expected a config error');
};

describe('anonymous reads', () => {
  it('default on for loopback hosts only', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', 'LOCALHOST']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'cmdb.internal', '128.0.0.1', '127.0.0.1.nip.io']) expect(isLoopbackHost(host), host).toBe(false);
    expect(auth({}).anonymousRead).toBe(true);
    expect(auth({ host: '0.0.0.0' }).anonymousRead).toBe(false);
    expect(auth({}, { CMDB_HOST: '0.0.0.0' }).anonymousRead).toBe(false);
    expect(auth({ host: '::1' }, { CMDB_HOST: '0.0.0.0' }).anonymousRead).toBe(true);
  });

  it('CMDB_ANONYMOUS_READ over the default, the flag over both; a bad value names the variable', () => {
    expect(auth({ host: '0.0.0.0' }, { CMDB_ANONYMOUS_READ: 'true' }).anonymousRead).toBe(true);
    expect(auth({}, { CMDB_ANONYMOUS_READ: '0' }).anonymousRead).toBe(false);
    expect(auth({ anonymousRead: true }, { CMDB_ANONYMOUS_READ: 'false' }).anonymousRead).toBe(true);
    expect(auth({ anonymousRead: false, host: '127.0.0.1' }).anonymousRead).toBe(false);
    expect(failure({}, { CMDB_ANONYMOUS_READ: 'yes' })).toBe('CMDB_ANONYMOUS_READ="yes" is not true or false');
  });
});

describe('tokens file', () => {
  it('--tokens over CMDB_TOKENS_FILE, made absolute; none by default', () => {
    expect(auth({}).tokensFile).toBeUndefined();
    expect(auth({}, { CMDB_TOKENS_FILE: '/etc/cmdb/tokens.yaml' }).tokensFile).toBe('/etc/cmdb/tokens.yaml');
    expect(auth({ tokens: 'tokens.yaml' }, { CMDB_TOKENS_FILE: '/etc/cmdb/tokens.yaml' }).tokensFile).toBe(`${process.cwd()}/tokens.yaml`);
  });
});

describe('OIDC', () => {
  const oidc = { oidcIssuer: 'https://id.example.com/realms/ops', oidcAudience: 'cmdb', oidcRoleMap: 'cmdb-admins=admin, oncall=responder,staff=viewer' };

  it('from flags or CMDB_OIDC_*; the roles claim defaults to groups; the role map parsed', () => {
    expect(auth({}).oidc).toBeUndefined();
    const settings = auth(oidc)!.oidc!;
    expect({ ...settings, roleMap: Object.fromEntries(settings.roleMap) }).toEqual({
      issuer: 'https://id.example.com/realms/ops',
      audience: 'cmdb',
      rolesClaim: 'groups',
      roleMap: { 'cmdb-admins': 'admin', oncall: 'responder', staff: 'viewer' },
      scopes: ['profile'],
    });
    // The web UI's client (SSO sign-in) and its scopes besides openid.
    expect(auth({ ...oidc, oidcClientId: ' cmdb-web ', oidcScopes: 'openid profile,groups groups' })!.oidc).toMatchObject({ clientId: 'cmdb-web', scopes: ['profile', 'groups'] });
    expect(auth(oidc, { CMDB_OIDC_CLIENT_ID: 'env-web', CMDB_OIDC_SCOPES: 'email' })!.oidc).toMatchObject({ clientId: 'env-web', scopes: ['email'] });
    expect(failure({ ...oidc, oidcScopes: 'profile "x"' })).toBe('--oidc-scopes (CMDB_OIDC_SCOPES): ""x"" is not a scope (printable characters other than " and \\)');
    expect(failure({ oidcClientId: 'cmdb-web' })).toBe('--oidc-client-id (CMDB_OIDC_CLIENT_ID) is set but --oidc-issuer (CMDB_OIDC_ISSUER) is not; OIDC needs an issuer');
    const env = { CMDB_OIDC_ISSUER: 'http://127.0.0.1:8080/', CMDB_OIDC_AUDIENCE: 'a', CMDB_OIDC_ROLES_CLAIM: 'roles', CMDB_OIDC_ROLE_MAP: 'x=admin', CMDB_OIDC_JWKS_URL: 'https://keys.example.com/jwks' };
    expect(auth({}, env).oidc).toMatchObject({ issuer: 'http://127.0.0.1:8080/', audience: 'a', rolesClaim: 'roles', jwksUrl: 'https://keys.example.com/jwks' });
    expect(auth({ oidcAudience: 'flag' }, env).oidc?.audience).toBe('flag');
  });

  it('a missing or bad setting is a config error naming the flag and its variable', () => {
    expect(failure({ ...oidc, oidcAudience: undefined })).toContain('--oidc-audience (CMDB_OIDC_AUDIENCE) is required with --oidc-issuer');
    expect(failure({ ...oidc, oidcRoleMap: undefined })).toContain('--oidc-role-map (CMDB_OIDC_ROLE_MAP) is required');
    expect(failure({ ...oidc, oidcRoleMap: 'cmdb-admins=root' })).toBe('--oidc-role-map (CMDB_OIDC_ROLE_MAP): "root" (for "cmdb-admins") is not a role; roles are viewer, responder, admin');
    expect(failure({ ...oidc, oidcRoleMap: 'cmdb-admins' })).toContain('"cmdb-admins" is not value=role');
    expect(failure({ ...oidc, oidcRoleMap: 'a=admin,a=viewer' })).toContain('"a" is mapped twice');
    expect(failure({ ...oidc, oidcRoleMap: ' , ' })).toContain('maps nothing');
    expect(failure({ ...oidc, oidcIssuer: 'id.example.com' })).toBe('--oidc-issuer (CMDB_OIDC_ISSUER): "id.example.com" is not a URL');
    expect(failure({ ...oidc, oidcIssuer: 'http://id.example.com' })).toBe('--oidc-issuer (CMDB_OIDC_ISSUER): "http://id.example.com" must be https (http only on a loopback address)');
    expect(failure({ ...oidc, oidcJwksUrl: 'ftp://x/keys' })).toContain('--oidc-jwks-url (CMDB_OIDC_JWKS_URL)');
    expect(failure({ oidcAudience: 'cmdb' })).toBe('--oidc-audience (CMDB_OIDC_AUDIENCE) is set but --oidc-issuer (CMDB_OIDC_ISSUER) is not; OIDC needs an issuer');
    expect(failure({}, { CMDB_OIDC_ROLE_MAP: 'a=admin' })).toContain('--oidc-role-map (CMDB_OIDC_ROLE_MAP) is set but --oidc-issuer');
  });
});

describe('cmdb serve flags', () => {
  const parse = (...argv: string[]): ServeFlags => addAuthOptions(new Command('serve').exitOverride()).parse(argv, { from: 'user' }).opts();

  it('reach the settings: --tokens, --anonymous-read / --no-anonymous-read (unset when neither: the default decides), --oidc-*', () => {
    expect(parse().anonymousRead).toBeUndefined();
    expect(auth({ ...parse(), host: '0.0.0.0' }).anonymousRead).toBe(false);
    expect(auth({ ...parse('--anonymous-read'), host: '0.0.0.0' }).anonymousRead).toBe(true);
    expect(auth(parse('--no-anonymous-read')).anonymousRead).toBe(false);
    const flags = parse('--tokens', '/t.yaml', '--oidc-issuer', 'https://id.example.com', '--oidc-audience', 'a', '--oidc-roles-claim', 'roles', '--oidc-role-map', 'x=admin', '--oidc-jwks-url', 'https://id.example.com/k', '--oidc-client-id', 'web', '--oidc-scopes', 'groups');
    const settings = auth(flags);
    expect(settings.tokensFile).toBe('/t.yaml');
    expect(settings.oidc).toMatchObject({ issuer: 'https://id.example.com', audience: 'a', rolesClaim: 'roles', jwksUrl: 'https://id.example.com/k', clientId: 'web', scopes: ['groups'] });
    expect([...settings.oidc!.roleMap]).toEqual([['x', 'admin']]);
  });
});
