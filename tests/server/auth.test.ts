/**
 * Who may call the API, as `cmdb serve` runs it (startRuntime on a real Git
 * repo, real HTTP on 127.0.0.1): tokens from a hashed tokens file and their
 * roles, refused tokens, anonymous reads on and off and their loopback
 * default, and no token in the logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCmdbError } from '../../core/errors.ts';
import { cmdbProcess } from '../helpers/cli.ts';
import { sha256Hex } from '../../server/auth/tokensFile.ts';
import { AuthFixture, codes, gql } from './authSupport.ts';

let fx: AuthFixture;
let tokensFile: string;
const TOKENS = { viewer: 'cmdb_viewer-secret-0001', responder: 'cmdb_responder-secret-0002', admin: 'cmdb_admin-secret-0003' };

beforeAll(() => {
  fx = new AuthFixture();
  tokensFile = fx.file(
    'tokens.yaml',
    [
      'tokens:',
      `  - { name: grafana, role: viewer, sha256: ${sha256Hex(TOKENS.viewer)} }`,
      `  - name: pager-bot`,
      `    role: responder`,
      `    sha256: ${sha256Hex(TOKENS.responder).toUpperCase()}`,
      `  - { name: alice, role: admin, sha256: ${sha256Hex(TOKENS.admin)} }`,
      '',
    ].join('\n'),
  );
});
afterAll(() => fx.close());

const ME = '{ me { name role via } }';

describe('tokens', () => {
  it('each configured token is its name and role (the hash in any case); the catalog answers', async () => {
    const { base } = await fx.start({ tokens: tokensFile, anonymousRead: false });
    const me = async (token: string) => (await gql(base, ME, `Bearer ${token}`)).data?.me;
    expect(await me(TOKENS.viewer)).toEqual({ name: 'grafana', role: 'VIEWER', via: 'TOKEN' });
    expect(await me(TOKENS.responder)).toEqual({ name: 'pager-bot', role: 'RESPONDER', via: 'TOKEN' });
    expect(await me(TOKENS.admin)).toEqual({ name: 'alice', role: 'ADMIN', via: 'TOKEN' });
    const read = await gql(base, '{ entity(ref: "component:api") { ref } }', `bearer ${TOKENS.viewer}`);
    expect(read.errors).toBeUndefined();
    expect(read.data.entity).toEqual({ ref: 'component:default/api' });
  });

  it('a wrong token, a malformed header: UNAUTHENTICATED (HTTP 401, WWW-Authenticate: Bearer) for the whole operation, even with anonymous reads on', async () => {
    const { base } = await fx.start({ tokens: tokensFile, anonymousRead: true });
    for (const authorization of [`Bearer ${TOKENS.viewer}x`, 'Bearer ', `Basic ${Buffer.from('a:b').toString('base64')}`, TOKENS.admin]) {
      const answer = await gql(base, '{ commit me { name } }', authorization);
      expect(answer.status, authorization).toBe(401);
      expect(answer.headers.get('www-authenticate'), authorization).toBe('Bearer');
      expect(codes(answer), authorization).toEqual(['UNAUTHENTICATED']);
      expect(answer.data ?? undefined, authorization).toBeUndefined();
    }
    expect((await gql(base, ME, `Bearer ${TOKENS.viewer}x`)).errors?.[0].message).toBe('Not authenticated: the token is not known to this server.');
    expect((await gql(base, ME, `Basic abc`)).errors?.[0].message).toBe('Not authenticated: the Authorization header must be "Bearer <token>".');
    // Without any credentials the same server answers, as anonymous.
    expect((await gql(base, ME)).data?.me).toEqual({ name: 'anonymous', role: 'VIEWER', via: 'ANONYMOUS' });
  });
});

describe('anonymous reads', () => {
  it('off: a query without credentials is UNAUTHENTICATED (401) and answers no data; a token still reads', async () => {
    const { base } = await fx.start({ tokens: tokensFile, anonymousRead: false });
    for (const query of ['{ entity(ref: "component:api") { ref } }', ME, '{ __schema { queryType { name } } }']) {
      const answer = await gql(base, query);
      expect(answer.status, query).toBe(401);
      expect(codes(answer), query).toEqual(['UNAUTHENTICATED']);
      expect(answer.data ?? undefined, query).toBeUndefined();
      expect(answer.errors?.[0].message).toContain('send "Authorization: Bearer <token>"');
    }
    expect((await gql(base, '{ entity(ref: "component:api") { ref } }', `Bearer ${TOKENS.viewer}`)).data?.entity).toEqual({ ref: 'component:default/api' });
  });

  it('on: a query without credentials is the viewer `anonymous`', async () => {
    const { base } = await fx.start({ anonymousRead: true });
    const answer = await gql(base, '{ me { name role via } entity(ref: "component:api") { ref } }');
    expect(answer.status).toBe(200);
    expect(answer.data).toEqual({ me: { name: 'anonymous', role: 'VIEWER', via: 'ANONYMOUS' }, entity: { ref: 'component:default/api' } });
  });

  it('default: on when listening on loopback only, off on every address; CMDB_ANONYMOUS_READ and the flag override it, the flag winning', async () => {
    const loopback = await fx.start({ tokens: tokensFile });
    expect(loopback.runtime.config.auth.anonymousRead).toBe(true);
    expect((await gql(loopback.base, ME)).data?.me.via).toBe('ANONYMOUS');

    const everywhere = await fx.start({ tokens: tokensFile, host: '0.0.0.0' });
    expect(everywhere.runtime.config.auth.anonymousRead).toBe(false);
    expect(codes(await gql(everywhere.base, ME))).toEqual(['UNAUTHENTICATED']);
    expect((await gql(everywhere.base, ME, `Bearer ${TOKENS.viewer}`)).data?.me.name).toBe('grafana');

    const byEnv = await fx.start({ host: '0.0.0.0' }, { CMDB_ANONYMOUS_READ: 'true' });
    expect((await gql(byEnv.base, ME)).data?.me.via).toBe('ANONYMOUS');
    const flagWins = await fx.start({ anonymousRead: false }, { CMDB_ANONYMOUS_READ: 'true' });
    expect(codes(await gql(flagWins.base, ME))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('the tokens file at start', () => {
  const startWith = async (text: string) => {
    const file = fx.file(`bad-${Math.random().toString(36).slice(2)}.yaml`, text);
    const error = await fx.start({ tokens: file }).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { file, error };
  };

  it('a bad entry stops the server with a config error at its file, line and column', async () => {
    const hash = sha256Hex('x');
    // Each case: the file, where the error points (the first occurrence of `at`, after `after` when given), the message.
    const cases: Array<{ text: string; at: string; after?: string; message: string }> = [
      { text: `tokens:\n  - { name: a, role: viewer, sha256: ${hash} }\n  - { name: b, role: root, sha256: ${sha256Hex('y')} }\n`, at: 'role: root', message: 'tokens[1].role "root" is not a role; roles are viewer, responder, admin' },
      { text: `tokens:\n  - name: a\n    role: viewer\n    sha256: abc123\n`, at: 'sha256', message: 'tokens[0].sha256 must be the hex SHA-256 of the token' },
      { text: `tokens:\n  - { name: a, role: viewer, sha256: ${hash} }\n  - { name: b, role: admin, sha256: ${hash.toUpperCase()} }\n`, at: 'sha256', after: 'name: b', message: 'tokens[1].sha256 is also the hash of tokens[0]' },
      { text: `tokens:\n  - { name: a, role: viewer, sha256: ${hash} }\n  - { name: a, role: admin, sha256: ${sha256Hex('y')} }\n`, at: 'name', after: 'role: viewer', message: 'tokens[1].name "a" is also the name of tokens[0]' },
      { text: `tokens:\n  - { name: a, role: viewer }\n`, at: '{ name', message: 'tokens[0] has no sha256' },
      { text: `tokens:\n  - { name: a, role: viewer, sha256: ${hash}, token: hunter2 }\n`, at: 'token:', message: 'tokens[0].token is not a setting' },
      { text: `users: []\n`, at: 'users', message: 'users is not a setting; the tokens file has one key, tokens' },
      { text: `tokens: 3\n`, at: 'tokens', message: 'tokens must be a list of {name, role, sha256}' },
      { text: `tokens:\n  - { name: a }\n  - { name: b\n`, at: '', after: '{ name: b\n', message: 'Flow map in block collection must be sufficiently indented and end with a }' },
      { text: `tokens:\n  - { name: a, role: viewer, name: b }\n`, at: 'name', after: 'viewer, ', message: 'Map keys must be unique' },
    ];
    const where = (text: string, at: string, after = '') => {
      const offset = text.indexOf(at, text.indexOf(after) + after.length);
      const before = text.slice(0, offset).split('\n');
      return { line: before.length, column: before[before.length - 1].length + 1 };
    };
    for (const { text, at, after, message } of cases) {
      const { line, column } = where(text, at, after);
      const { file, error } = await startWith(text);
      expect(isCmdbError(error), text).toBe(true);
      const e = error as import('../../core/errors.ts').CmdbError;
      expect({ code: e.code, file: e.file, line: e.line, column: e.column }, text).toEqual({ code: 'config', file, line, column });
      expect(e.message, text).toContain(message);
      expect(e.format(), text).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:${column}: `));
      expect(e.message, 'the file\'s secret-looking values are not echoed').not.toContain('hunter2');
    }
  });

  it('a missing file is a config error naming it', async () => {
    const error = await fx.start({ tokens: `${fx.dir}/none.yaml` }).catch((e: unknown) => e);
    expect(isCmdbError(error) && error.code === 'config' && error.file === `${fx.dir}/none.yaml`).toBe(true);
    expect((error as Error).message).toContain('cannot read the tokens file (--tokens, CMDB_TOKENS_FILE): ENOENT');
  });

  it('`cmdb serve --tokens BAD` exits 2 with one line: file:line:column: message, no stack trace', () => {
    const file = fx.file('cli-bad.yaml', `tokens:\n  - { name: a, role: superuser, sha256: ${sha256Hex('a')} }\n`);
    const r = cmdbProcess(['serve', '--repo', fx.repo.dir, '--port', '0', '--tokens', file]);
    expect(r.stderr.trim()).toBe(`cmdb: ${file}:2:16: tokens[0].role "superuser" is not a role; roles are viewer, responder, admin`);
    expect(r.code).toBe(2);
  });

  it('CMDB_TOKENS_FILE names it when --tokens does not', async () => {
    const { base } = await fx.start({ anonymousRead: false }, { CMDB_TOKENS_FILE: tokensFile });
    expect((await gql(base, ME, `Bearer ${TOKENS.admin}`)).data?.me.name).toBe('alice');
  });
});

describe('logs', () => {
  it('never contain a token, accepted or refused, at any level', async () => {
    const { base, logged } = await fx.start({ tokens: tokensFile, anonymousRead: false });
    for (const token of Object.values(TOKENS)) await gql(base, ME, `Bearer ${token}`);
    const wrong = 'cmdb_wrong-secret-9999';
    await gql(base, ME, `Bearer ${wrong}`);
    await gql(base, '{ nosuchfield }', `Bearer ${TOKENS.viewer}`);
    await fetch(`${base}/graphql?query=${encodeURIComponent(ME)}`, { headers: { authorization: `Bearer ${TOKENS.admin}` } });
    const text = logged();
    expect(text).toContain('API authentication'); // the capture works
    expect(text).toContain('"tokens":3');
    for (const secret of [...Object.values(TOKENS), wrong]) expect(text).not.toContain(secret);
  });
});
