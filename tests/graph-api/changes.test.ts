/**
 * `changes` and `change` against a running server (kpiServer.ts) over the
 * change records and incidents of tests/incidents/kpiFixture.ts; and what a
 * server without those stores answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, BRANCH_ID, FROM, TO, WEB } from '../incidents/kpiFixture.ts';
import { startKpiServer, type KpiServer } from './kpiServer.ts';
import { startTestApi } from './helpers.ts';

let server: KpiServer;
const H = 3600;
beforeAll(async () => {
  server = await startKpiServer();
});
afterAll(async () => {
  await server?.close();
});
const gql = (query: string, variables?: Record<string, unknown>) => server.gql(query, variables);

describe('changes and change', () => {
  it('lists changes newest first, paged by cursor', async () => {
    const first = await gql('{ changes(first: 3) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }');
    expect(first.errors).toBeUndefined();
    expect(first.data.changes.totalCount).toBe(7);
    expect(first.data.changes.edges.map((e: any) => e.node.id)).toEqual(['acme/config#7', 'acme/config#5', BRANCH_ID]);
    expect(first.data.changes.pageInfo.hasNextPage).toBe(true);
    const next = await gql('query ($after: String) { changes(first: 10, after: $after) { nodes { id } pageInfo { hasNextPage hasPreviousPage } } }', { after: first.data.changes.pageInfo.endCursor });
    expect(next.data.changes.nodes.map((n: any) => n.id)).toEqual(['acme/config#3', 'acme/config#2', 'acme/config#1', 'acme/config#6']);
    expect(next.data.changes.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });
  });

  it('filters by period, state, source and entity', async () => {
    const ids = async (args: string) => {
      const r = await gql(`{ changes(${args}) { totalCount nodes { id } } }`);
      expect(r.errors).toBeUndefined();
      return r.data.changes.nodes.map((n: any) => n.id);
    };
    expect(await ids(`from: "${FROM}", to: "${TO}"`)).toEqual(['acme/config#5', BRANCH_ID, 'acme/config#3', 'acme/config#2', 'acme/config#1']);
    // FAILED: the undismissed top probable cause of an incident (#2 was dismissed on INC-2, whose cause is #6).
    expect(await ids('state: FAILED')).toEqual(['acme/config#5', BRANCH_ID, 'acme/config#3', 'acme/config#1', 'acme/config#6']);
    expect(await ids('state: SUCCEEDED')).toEqual(['acme/config#7', 'acme/config#2']);
    expect(await ids('source: BRANCH')).toEqual([BRANCH_ID]);
    // The branch move changed api and impacted web; #3, #5 and #7 changed web.
    expect(await ids('entity: "web"')).toEqual(['acme/config#7', 'acme/config#5', BRANCH_ID, 'acme/config#3']);
  });

  it('answers one change with its approvals, entities, commits and the incidents it caused', async () => {
    const r = await gql(`{ change(id: "acme/config#1") {
      id source number risk changeType decision approvedBy openedAt firstCommitAt mergedAt leadTimeSeconds commits changed
      changedEntities { ref owner { ref } } state
      causedIncidents { id state root openedAt resolvedAt reason }
    } missing: change(id: "acme/config#99") { id } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data.missing).toBeNull();
    expect(r.data.change).toEqual({
      id: 'acme/config#1',
      source: 'PULL_REQUEST',
      number: 1,
      risk: 'low',
      changeType: 'normal',
      decision: 'pass',
      approvedBy: ['bob'],
      openedAt: '2026-03-01T08:00:00Z',
      firstCommitAt: '2026-03-01T06:00:00Z',
      mergedAt: '2026-03-01T10:00:00Z',
      leadTimeSeconds: 4 * H,
      commits: ['1'.repeat(40)],
      changed: [API],
      changedEntities: [{ ref: API, owner: { ref: 'group:default/team-a' } }],
      state: 'FAILED',
      // INC-5 and INC-1 (newest first); not INC-4, whose top cause is the branch move.
      causedIncidents: [
        { id: 'INC-5', state: 'resolved', root: API, openedAt: '2026-03-06T00:00:00Z', resolvedAt: '2026-03-06T06:00:00Z', reason: `changed the root ${API}` },
        { id: 'INC-1', state: 'resolved', root: API, openedAt: '2026-03-01T12:00:00Z', resolvedAt: '2026-03-01T14:00:00Z', reason: `changed the root ${API}` },
      ],
    });
    const branch = await gql(`{ change(id: "${BRANCH_ID}") { source risk approvedBy leadTimeSeconds impactedEntities { ref } causedIncidents { id } } }`);
    expect(branch.data.change).toEqual({ source: 'BRANCH', risk: null, approvedBy: [], leadTimeSeconds: H, impactedEntities: [{ ref: WEB }], causedIncidents: [{ id: 'INC-4' }] });
  });

  it('refuses a cursor it did not issue and a page too large', async () => {
    const bad = await gql('{ changes(after: "nope") { totalCount } }');
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const large = await gql('{ changes(first: 501) { totalCount } }');
    expect(large.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(large.errors?.[0].message).toMatch(/at most 500/);
  });
});

describe('a server without change records or incidents', () => {
  it('answers NOT_AVAILABLE for changes, change, kpis and kpiSeries', async () => {
    const api = await startTestApi();
    try {
      for (const query of [
        '{ changes { totalCount } }',
        '{ change(id: "acme/config#1") { id } }',
        `{ kpis(from: "${FROM}", to: "${TO}") { changes } }`,
        `{ kpiSeries(metric: CHANGES, bucket: DAY, from: "${FROM}", to: "${TO}") { value } }`,
      ]) {
        const r = await api.gql(query);
        expect(r.errors?.[0].extensions?.code, query).toBe('NOT_AVAILABLE');
        expect(r.errors?.[0].message, query).toMatch(/is not available: this server keeps no (change records|incidents)/);
      }
    } finally {
      await api.close();
    }
  });
});

describe('roles', () => {
  it('checks the viewer role in each field, not only per operation', async () => {
    const { graphql } = await import('../../graph-api/graphql.ts');
    const { createSchema } = await import('../../graph-api/schema.ts');
    const { createApiContext } = await import('../../graph-api/context.ts');
    const { InMemoryGraphStore } = await import('../../graph/InMemoryGraphStore.ts');
    const schema = createSchema();
    const source = { store: new InMemoryGraphStore({}), changes: server.runtime.changes, incidents: server.runtime.incidents?.store };
    for (const query of ['{ changes { totalCount } }', '{ change(id: "acme/config#1") { id } }', `{ kpis(from: "${FROM}", to: "${TO}") { changes } }`, `{ kpiSeries(metric: CHANGES, bucket: DAY, from: "${FROM}", to: "${TO}") { value } }`]) {
      // Nobody (no credentials, anonymous reads off): UNAUTHENTICATED; refused credentials likewise.
      const nobody = await graphql({ schema, source: query, contextValue: createApiContext(source, {}) });
      expect(nobody.errors?.[0].extensions?.code, query).toBe('UNAUTHENTICATED');
      const refused = await graphql({ schema, source: query, contextValue: createApiContext(source, { credentialsRejected: 'expired' }) });
      expect(refused.errors?.[0].extensions?.code, query).toBe('UNAUTHENTICATED');
      const viewer = await graphql({ schema, source: query, contextValue: createApiContext(source, { viewer: { name: 'ci', role: 'viewer', via: 'token' } }) });
      expect(viewer.errors, query).toBeUndefined();
    }
  });
});
