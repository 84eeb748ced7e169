import { Neo4jError } from 'neo4j-driver';
import { describe, expect, it } from 'vitest';
import { CmdbError } from '../../core/errors.ts';
import { Neo4jClient } from '../../graph/neo4jClient.ts';
import { Neo4jGraphStore } from '../../graph/Neo4jGraphStore.ts';
import { graphStoreContract } from './contract.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { buildSnapshot, SHOP } from './fixtures.ts';
import { randomFixture } from './random.ts';
import { impactReach } from '../../graph/neo4jCypher.ts';
import { useSharedNeo4j } from './neo4jShared.ts';

describe('GraphStore contract: neo4j', () => {
  const neo4j = useSharedNeo4j();

  it.each([1, 2, 4, 9])('answers impact() alike with %i layers per query', async (impactHops) => {
    await neo4j.clear();
    const snapshot = buildSnapshot(randomFixture(11, 150, 330));
    const store = new Neo4jGraphStore({ uri: neo4j.uri(), impactHops });
    const memory = new InMemoryGraphStore({ snapshot });
    try {
      await store.load(snapshot);
      const refs = [...snapshot.entities.keys()];
      for (let i = 0; i < refs.length; i += 5) {
        const roots = [refs[i], refs[(i * 7) % refs.length]];
        for (const depth of [undefined, 1, 2, 3, 5]) expect(await store.impact(roots, { depth })).toEqual(await memory.impact(roots, { depth }));
      }
    } finally {
      await store.close();
      await neo4j.clear();
    }
  });

  it('plans impact reach as a breadth-first expansion, never one that enumerates paths, even on a small dense graph (10 entities, 600 relations)', async () => {
    await neo4j.clear();
    const snapshot = buildSnapshot(randomFixture(4, 10, 600));
    const store = new Neo4jGraphStore({ uri: neo4j.uri() });
    try {
      await store.load(snapshot);
      const refs = [...snapshot.entities.keys()];
      for (const hops of [Infinity, 1, 3, 9]) {
        // Planned afresh on these statistics (VarLengthExpand(Into) here once hung a test run).
        const { summary } = await neo4j.driver().executeQuery(`CYPHER replan=force EXPLAIN ${impactReach(hops)}`, { refs });
        if (!summary.plan) throw new Error('EXPLAIN gave no plan');
        const expands = operators(summary.plan).filter((o) => o.startsWith('VarLengthExpand'));
        expect(expands, `hops ${hops}`).toEqual([hops === 1 ? 'VarLengthExpand(All)' : 'VarLengthExpand(Pruning,BFS,All)']);
        // And it answers, within a bound instead of a hung test.
        const { records } = await neo4j.driver().executeQuery(impactReach(hops), { refs: refs.slice(0, 2) }, { transactionConfig: { timeout: 20_000 } });
        expect(records.length).toBeGreaterThan(0);
      }
      const memory = new InMemoryGraphStore({ snapshot });
      for (const ref of refs) expect(await store.impact([ref])).toEqual(await memory.impact([ref]));
    } finally {
      await store.close();
      await neo4j.clear();
    }
  });

  graphStoreContract(
    'neo4j',
    async () => {
      await neo4j.clear();
      return new Neo4jGraphStore({ uri: neo4j.uri() });
    },
    () => neo4j.clear(),
  );
});

describe('Neo4jGraphStore failures', () => {
  const UNREACHABLE = 'bolt://127.0.0.1:1';

  it('fails fast with a clear graph-store error when Neo4j is unreachable', async () => {
    const store = new Neo4jGraphStore({ uri: UNREACHABLE });
    for (const operation of [() => store.commit(), () => store.getEntity('component:a'), () => store.load(buildSnapshot(SHOP))]) {
      const error = await operation().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(CmdbError);
      expect(error).toMatchObject({ code: 'graph-store' });
      expect((error as Error).message).toContain(`Neo4j at ${UNREACHABLE} is unreachable`);
      expect((error as Error).message).toMatch(/check that Neo4j is running/);
    }
    expect(await store.healthy()).toBe(false);
    await store.close();
  });

  it('rejects a URI that is not a Neo4j URI when constructed', () => {
    expect(() => new Neo4jGraphStore({ uri: 'http://127.0.0.1:7474' })).toThrow(/is not a Neo4j URI/);
  });

  it('names the URI and the settings to check for refused credentials and a missing database', () => {
    const client = new Neo4jClient({ uri: 'bolt://db.example:7687', user: 'cmdb', database: 'graph' });
    const refused = client.translate(
      new Neo4jError('The client is unauthorized due to authentication failure.', 'Neo.ClientError.Security.Unauthorized', '42NFF', 'error'),
    );
    expect(refused.message).toBe(
      'Neo4j at bolt://db.example:7687 refused the credentials (user "cmdb"): check CMDB_NEO4J_USER and CMDB_NEO4J_PASSWORD. The client is unauthorized due to authentication failure.',
    );
    const missing = client.translate(new Neo4jError('Database does not exist.', 'Neo.ClientError.Database.DatabaseNotFound', '22N51', 'error'));
    expect(missing).toMatchObject({ code: 'graph-store', message: expect.stringContaining('has no database "graph": check CMDB_NEO4J_DATABASE') });
    void client.close();
  });
});

/** Operator names of a plan, depth first (without the runtime suffix, `@neo4j`). */
function operators(plan: { operatorType: string; children: readonly unknown[] }): string[] {
  return [plan.operatorType.replace(/@.*$/, ''), ...plan.children.flatMap((c) => operators(c as typeof plan))];
}
