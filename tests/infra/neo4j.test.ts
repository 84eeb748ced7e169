import { randomBytes } from 'node:crypto';
import neo4j, { type Driver } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireNeo4j } from './neo4j-test-env.ts';

// A label and constraint name of this run only: the server may be shared
// (npm run neo4j:start, CMDB_TEST_NEO4J_URI).
const suffix = randomBytes(4).toString('hex');
const label = `InfraProbe_${suffix}`;
const constraint = `infra_probe_name_${suffix}`;

describe('the test Neo4j (tests/infra)', () => {
  let driver: Driver;

  beforeAll(async () => {
    const uri = requireNeo4j();
    expect(uri).toMatch(/^bolt:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+$/);
    driver = neo4j.driver(uri);
    await driver.verifyConnectivity();
  });

  afterAll(async () => {
    if (!driver) return;
    await driver.executeQuery(`MATCH (n:${label}) DETACH DELETE n`);
    await driver.executeQuery(`DROP CONSTRAINT ${constraint} IF EXISTS`);
    await driver.close();
  });

  it('is a Neo4j 5 Community server', async () => {
    const { records } = await driver.executeQuery(
      'CALL dbms.components() YIELD name, versions, edition RETURN name, versions[0] AS version, edition',
    );
    expect(records[0]?.get('name')).toBe('Neo4j Kernel');
    expect(records[0]?.get('edition')).toBe('community');
    expect(records[0]?.get('version')).toMatch(/^5\./);
  });

  it('creates a uniqueness constraint, writes and reads nodes, and rejects a duplicate', async () => {
    await driver.executeQuery(`CREATE CONSTRAINT ${constraint} IF NOT EXISTS FOR (n:${label}) REQUIRE n.name IS UNIQUE`);
    const { records: shown } = await driver.executeQuery(
      'SHOW CONSTRAINTS YIELD name, type WHERE name = $name RETURN type',
      { name: constraint },
    );
    expect(shown.map((r) => r.get('type'))).toEqual(['UNIQUENESS']);

    await driver.executeQuery(
      `UNWIND $names AS name CREATE (n:${label} {name: name, criticality: 'high'})`,
      { names: ['cartservice', 'redis-cart', 'frontend'] },
    );
    await driver.executeQuery(
      `MATCH (a:${label} {name: 'cartservice'}), (b:${label} {name: 'redis-cart'}) CREATE (a)-[:DEPENDS_ON]->(b)`,
    );
    const { records } = await driver.executeQuery(
      `MATCH (n:${label}) OPTIONAL MATCH (n)-[:DEPENDS_ON]->(d) RETURN n.name AS name, collect(d.name) AS deps ORDER BY name`,
    );
    expect(records.map((r) => [r.get('name'), r.get('deps')])).toEqual([
      ['cartservice', ['redis-cart']],
      ['frontend', []],
      ['redis-cart', []],
    ]);

    const duplicate = driver.executeQuery(`CREATE (n:${label} {name: 'cartservice'})`);
    await expect(duplicate).rejects.toMatchObject({ code: 'Neo.ClientError.Schema.ConstraintValidationFailed' });

    const { records: counted } = await driver.executeQuery(
      `MATCH (n:${label} {name: 'cartservice'}) RETURN count(n) AS c`,
    );
    expect(neo4j.integer.toNumber(counted[0]?.get('c'))).toBe(1);
  });
});
