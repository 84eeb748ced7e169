import { CmdbError } from '../core/errors.ts';
import { Neo4jClient, type Neo4jClientOptions } from '../graph/neo4jClient.ts';
import { isPullRequestRecord, type ChangeQuery, type ChangeRecord } from './ChangeRecord.ts';
import type { ChangeStore } from './ChangeStore.ts';

export const CHANGE_LABEL = 'CmdbChange';

const SCHEMA = `CREATE CONSTRAINT cmdb_change_id IF NOT EXISTS FOR (c:${CHANGE_LABEL}) REQUIRE c.id IS UNIQUE`;

/** Creates the record unless one with its id exists; returns whether it did. */
const RECORD = `
MERGE (c:${CHANGE_LABEL} {id: $id})
ON CREATE SET c += $props, c.record = $record, c.fresh = true
WITH c, coalesce(c.fresh, false) AS created
REMOVE c.fresh
RETURN created`;

/** Properties queryable with Cypher (KPIs), besides the whole record as JSON in `record`. */
function properties(r: ChangeRecord): Record<string, unknown> {
  const pr = isPullRequestRecord(r) ? r : undefined;
  return {
    repository: r.repository,
    source: r.source ?? 'pull-request',
    number: pr?.number ?? null,
    title: r.title,
    author: r.author ?? null,
    risk: pr?.risk ?? null,
    changeType: pr?.changeType ?? null,
    decision: pr?.decision ?? null,
    openedAt: pr?.openedAt ?? null,
    approvedAt: pr?.approvedAt ?? null,
    mergedAt: r.mergedAt,
    recordedAt: r.recordedAt,
    mergeCommit: r.mergeCommit,
    approvedBy: pr?.approvedBy ?? [],
    commits: r.commits ?? [],
    firstCommitAt: r.firstCommitAt ?? null,
    changed: r.changed,
    impacted: r.impacted,
  };
}

/**
 * ChangeStore in Neo4j, next to the graph: one `CmdbChange` node per record
 * (unique `id`), with the KPI fields as properties and the record itself as
 * JSON in `record`. Errors are CmdbErrors naming the server.
 */
export class Neo4jChangeStore implements ChangeStore {
  readonly name: string;
  private readonly client: Neo4jClient;
  private schema?: Promise<void>;

  constructor(options: Neo4jClientOptions) {
    this.client = new Neo4jClient(options);
    this.name = `neo4j ${options.uri}`;
  }

  async recordChange(record: ChangeRecord): Promise<'recorded' | 'exists'> {
    await this.ready();
    const [row] = await this.client.write(RECORD, { id: record.id, props: properties(record), record: JSON.stringify(record) });
    return row?.get('created') === true ? 'recorded' : 'exists';
  }

  async getChange(id: string): Promise<ChangeRecord | undefined> {
    await this.ready();
    const rows = await this.client.read((run) => run(`MATCH (c:${CHANGE_LABEL} {id: $id}) RETURN c.record AS record`, { id }));
    return rows.length ? parse(rows[0].get('record')) : undefined;
  }

  async changes(query: ChangeQuery = {}): Promise<ChangeRecord[]> {
    await this.ready();
    const rows = await this.client.read((run) =>
      run(
        `MATCH (c:${CHANGE_LABEL})
         WHERE ($repository IS NULL OR toLower(c.repository) = toLower($repository)) AND ($since IS NULL OR datetime(c.mergedAt) >= datetime($since)) AND ($recordedSince IS NULL OR datetime(coalesce(c.recordedAt, c.mergedAt)) >= datetime($recordedSince))
         RETURN c.record AS record ORDER BY c.mergedAt, c.id`,
        { repository: query.repository ?? null, since: query.since?.toISOString() ?? null, recordedSince: query.recordedSince?.toISOString() ?? null },
      ),
    );
    return rows.map((r) => parse(r.get('record')));
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private ready(): Promise<void> {
    this.schema ??= this.client.write(SCHEMA).then(() => undefined);
    this.schema.catch(() => (this.schema = undefined));
    return this.schema;
  }
}

function parse(value: unknown): ChangeRecord {
  if (typeof value !== 'string') throw new CmdbError(`a ${CHANGE_LABEL} node has no record`, { code: 'state-store' });
  return JSON.parse(value) as ChangeRecord;
}
