/**
 * requireRole, the role check of resolvers, over real HTTP: a test-only schema
 * whose mutations need `responder` and `admin`, served by graphql-yoga with the
 * API's authentication plugin and context, callers recognised by the real
 * Authenticator from a tokens file. Every role against every mutation;
 * refused calls change nothing. And `me` in the API's schema.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSchema as createYogaSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../core/principal.ts';
import { authContext, requireRole, useAuthentication, type AuthContext } from '../../graph-api/auth.ts';
import { createSchema } from '../../graph-api/schema.ts';
import { createAuthenticator } from '../../server/auth/Authenticator.ts';
import { sha256Hex } from '../../server/auth/tokensFile.ts';
import type { RunningHttpServer } from '../../server/listen.ts';
import { serveRoutes } from '../helpers/http.ts';

const TOKENS: Record<Role, string> = { viewer: 'cmdb_t-viewer', responder: 'cmdb_t-responder', admin: 'cmdb_t-admin' };
let dir: string;
const servers: RunningHttpServer[] = [];
/** What the mutations changed: one entry per call that got through. */
const changes: string[] = [];

/** The test-only schema: `acknowledge` needs responder, `purge` admin; both record who did it. */
const schema = createYogaSchema<AuthContext>({
  typeDefs: 'type Query { ping: String! } type Mutation { acknowledge: String! purge: String! }',
  resolvers: {
    Query: { ping: () => 'pong' },
    Mutation: {
      acknowledge: (_root: unknown, _args: unknown, ctx: AuthContext) => {
        const who = requireRole(ctx, 'responder');
        changes.push(`acknowledge by ${who.name}`);
        return who.name;
      },
      purge: (_root: unknown, _args: unknown, ctx: AuthContext) => {
        const who = requireRole(ctx, 'admin');
        changes.push(`purge by ${who.name}`);
        return who.name;
      },
    },
  },
});

async function serve(anonymousRead: boolean): Promise<string> {
  const tokensFile = path.join(dir, 'tokens.yaml');
  const authenticator = await createAuthenticator({ settings: { tokensFile, anonymousRead } });
  const yoga = createYoga({ schema, context: async ({ request }) => authContext(await authenticator.authenticate(request)), plugins: [useAuthentication()], logging: false });
  const server = await serveRoutes([{ methods: ['POST'], path: '/graphql', handler: (req, res) => yoga.requestListener(req, res) }]);
  servers.push(server);
  return server.url;
}

async function call(url: string, query: string, token?: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { data?: Record<string, string> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  return { status: res.status, data: body.data, codes: (body.errors ?? []).map((e) => e.extensions?.code), messages: (body.errors ?? []).map((e) => e.message) };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-graph-auth-'));
  const entries = (Object.entries(TOKENS) as Array<[Role, string]>).map(([role, token]) => `  - { name: ${role}-user, role: ${role}, sha256: ${sha256Hex(token)} }`);
  fs.writeFileSync(path.join(dir, 'tokens.yaml'), `tokens:\n${entries.join('\n')}\n`);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('requireRole', () => {
  it('every role against every mutation: the role suffices or FORBIDDEN; a refused call changes nothing', async () => {
    const url = await serve(false);
    const expected: Record<Role, Record<'acknowledge' | 'purge', 'ok' | 'FORBIDDEN'>> = {
      viewer: { acknowledge: 'FORBIDDEN', purge: 'FORBIDDEN' },
      responder: { acknowledge: 'ok', purge: 'FORBIDDEN' },
      admin: { acknowledge: 'ok', purge: 'ok' },
    };
    for (const role of Object.keys(expected) as Role[]) {
      for (const mutation of ['acknowledge', 'purge'] as const) {
        const before = changes.length;
        const answer = await call(url, `mutation { ${mutation} }`, TOKENS[role]);
        const what = `${role} ${mutation}`;
        if (expected[role][mutation] === 'ok') {
          expect(answer.codes, what).toEqual([]);
          expect(answer.data, what).toEqual({ [mutation]: `${role}-user` });
          expect(changes.slice(before), what).toEqual([`${mutation} by ${role}-user`]);
        } else {
          expect(answer.codes, what).toEqual(['FORBIDDEN']);
          expect(answer.messages[0], what).toBe(`Forbidden: this needs the ${mutation === 'purge' ? 'admin' : 'responder'} role; ${role}-user has ${role}.`);
          expect(answer.data ?? null, what).toBeNull();
          expect(changes.length, what).toBe(before);
        }
      }
    }
  });

  it('the anonymous viewer may query but a mutation is UNAUTHENTICATED (credentials would help), changing nothing', async () => {
    const url = await serve(true);
    expect((await call(url, '{ ping }')).data).toEqual({ ping: 'pong' });
    const before = changes.length;
    for (const mutation of ['acknowledge', 'purge']) {
      const answer = await call(url, `mutation { ${mutation} }`);
      expect(answer.codes, mutation).toEqual(['UNAUTHENTICATED']);
      expect(answer.messages[0], mutation).toContain('send "Authorization: Bearer <token>"');
    }
    expect(changes.length).toBe(before);
  });

  it('without credentials and without anonymous reads, or with a wrong token, the whole operation is UNAUTHENTICATED (401) and nothing runs', async () => {
    const closed = await serve(false);
    const open = await serve(true);
    const before = changes.length;
    for (const [url, token] of [[closed, undefined], [closed, 'cmdb_nope'], [open, 'cmdb_nope']] as const) {
      for (const op of ['{ ping }', 'mutation { acknowledge purge }']) {
        const answer = await call(url, op, token);
        expect(answer.status, op).toBe(401);
        expect(answer.codes, op).toEqual(['UNAUTHENTICATED']);
        expect(answer.data ?? undefined, op).toBeUndefined();
      }
    }
    expect(changes.length).toBe(before);
  });
});

describe('Query.me', () => {
  it('is in the API schema as Me { name role via } with the Role and AuthenticatedVia enums', () => {
    const schema = createSchema();
    const me = schema.getQueryType()!.getFields().me;
    expect(String(me.type)).toBe('Me!');
    const fields = (schema.getType('Me') as import('graphql').GraphQLObjectType).getFields();
    expect(Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, String(f.type)]))).toEqual({ name: 'String!', role: 'Role!', via: 'AuthenticatedVia!' });
    expect((schema.getType('Role') as import('graphql').GraphQLEnumType).getValues().map((v) => v.name).sort()).toEqual(['ADMIN', 'RESPONDER', 'VIEWER']);
  });
});
