import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleSnapshot, SnapshotAssembler } from '../../catalog/assemble.ts';
import type { AssembleOptions } from '../../catalog/table/assembleTable.ts';
import type { FileInput } from '../../catalog/parseBlob.ts';
import { createRandom, type Random } from '../../bench/random.ts';
import { CatalogReader } from '../../catalog/CatalogReader.ts';
import { NativeGitReader } from '../../catalog/git/NativeGitReader.ts';
import { changedFiles } from '../../catalog/snapshotQueries.ts';
import { compactStrings } from '../../catalog/table/SnapshotTable.ts';
import { snapshotFromObjects } from '../../catalog/table/snapshotFromObjects.ts';
import { TableSnapshot, type RecordSource } from '../../catalog/table/TableSnapshot.ts';
import { OBSERVE_CHECKS, observeTuples, observeViolations } from '../../catalog/observe.ts';
import { RELATION_TYPES } from '../../catalog/relations.ts';
import type { Relation, Snapshot } from '../../catalog/types.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';
import { commitInputs, modelView, snapshotView } from './referenceModel.ts';

/** Tables must show what the reference model of the assembly rules shows. */
let repo: TestRepo;
let cacheRoot: string;
const commits: Record<string, string> = {};
const svc = (name: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) =>
  entity('Component', name, { type: 'service', lifecycle: 'production', owner: 'team', ...spec }, metadata);
const user = (name: string) => entity('User', name, {}, { annotations: { 'github.com/login': name } });

beforeAll(() => {
  cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-table-'));
  repo = TestRepo.create();
  commits.base = repo.commit({
    'team.yaml': entity('Group', 'team', { type: 'team', members: ['ann', 'bob'] }),
    'people.yaml': `${user('ann')}---\n${user('bob')}`,
    'db.yaml': entity('Resource', 'db', { type: 'database', owner: 'team', criticality: 'critical' }, { labels: { tier: 'data' }, title: 'The DB' }),
    'a.yaml': svc('a', { dependsOn: ['resource:db'], criticality: 'high', observe: [{ http: { url: 'http://a/' } }, { kubernetes: { cluster: 'prod', apiVersion: 'apps/v1', kind: 'Deployment', name: 'a' } }] }),
    'b.yaml': svc('b', { dependsOn: ['component:a'], runsOn: ['cluster:prod'], observe: [{ kubernetes: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'b' } }] }),
    'prod.yaml': entity('Cluster', 'prod', { type: 'kubernetes', owner: 'team', kubernetes: { context: 'prod' } }),
    'notes.yaml': 'just: a document that is not an entity\n',
  });
  commits.modify = repo.commit({ 'b.yaml': svc('b', { dependsOn: ['component:a', 'resource:db'], criticality: 'low', observe: [{ kubernetes: { cluster: 'cluster:dev', apiVersion: 'v1', kind: 'Service', name: 'b' } }] }, { labels: { x: 'y' } }) });
  commits.add = repo.commit({ 'c/c.yaml': svc('c', { dependsOn: ['component:b'], observe: [{ kubernetes: { apiVersion: 'v1', kind: 'Service', name: 'c' } }] }), 'aa.yaml': svc('aa') });
  commits.members = repo.commit({ 'team.yaml': entity('Group', 'team', { type: 'team', members: ['ann'] }) });
  commits.removeReferenced = repo.commit({ 'a.yaml': undefined });
  commits.fix = repo.commit({ 'a.yaml': svc('a', { dependsOn: ['resource:db'] }) });
  commits.invalid = repo.commit({ 'b.yaml': 'apiVersion: cmdb/v1\nkind: Component\nmetadata: {name: b}\nspec: {type: 3}\n' });
  commits.duplicate = repo.commit({ 'z/a-again.yaml': svc('A', { dependsOn: ['component:missing'] }) });
  commits.repeatMembership = repo.commit({ 'people.yaml': `${entity('User', 'ann', { memberOf: ['team'] })}---\n${user('bob')}` });
});
afterAll(() => {
  repo.remove();
  fs.rmSync(cacheRoot, { recursive: true, force: true });
});

/** Everything observable about a snapshot, as plain values. */
async function view(s: Snapshot) {
  const graph = new InMemoryGraphStore({});
  await graph.load(s);
  return {
    entities: [...s.entities.keys()].sort(),
    bodies: [...s.entities.values()].map((e) => JSON.stringify([e.ref, e.kind, e.apiVersion, e.facts, e.source, e.metadata, e.spec, e.positions])).sort(),
    relations: s.relations.map((r) => JSON.stringify([r.type, r.source, r.target, r.field, r.location])).sort(),
    files: [...s.files.values()].map((f) => JSON.stringify([f.path, f.blob, f.entities])).sort(),
    violations: s.violations.map((v) => JSON.stringify(v)),
    observe: s.observeEntries().map((o) => JSON.stringify([o.ref, o.location.file, o.entry, OBSERVE_CHECKS.indexOf(o.check), o.cluster ?? '', o.location.line, o.location.column, o.implicit ? 1 : 0])),
    /** The same, from the entities themselves (what the columns must hold). */
    observeModel: [...s.entities.values()].flatMap((e) => observeTuples(e.spec, e.positions, [e.source.line, e.source.column]).map((t) => JSON.stringify([e.ref, e.source.file, ...t]))),
    nodes: (await graph.listEntities({})).nodes,
    impact: await graph.impact(['resource:db']),
  };
}

const fullRead = (commit: string) => new CatalogReader({ git: new NativeGitReader({ dir: repo.dir }), cache: false }).read(commit);

const inputsOf = (commit: string) => commitInputs(repo.dir, commit);

describe('TableSnapshot', () => {
  it('assembled from parse results, shows what the reference model shows on every commit (duplicates, dangling, invalid, repeated relations)', async () => {
    for (const [name, commit] of Object.entries(commits)) {
      const inputs = await inputsOf(commit);
      const { snapshot } = assembleSnapshot(commit, inputs);
      expect(snapshotView(snapshot), name).toEqual(modelView(inputs));
      const seen = await view(snapshot);
      expect(seen, name).toEqual(await view(await fullRead(commit)));
      expect(seen.observe, name).toEqual(seen.observeModel);
    }
    const base = assembleSnapshot(commits.base, await inputsOf(commits.base)).snapshot;
    expect(base.entities.get('component:default/nope')).toBeUndefined();
    expect(base.files.get('notes.yaml')!.entities).toEqual([]);
    expect(base.files.get('people.yaml')!.entities).toEqual(['user:default/ann', 'user:default/bob']);
  });

  it('assembled from results added in any order (as parser threads deliver them), with the paths given in any order, is the table of the files in path order', async () => {
    const shuffle = <T>(items: T[], random: Random): T[] => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = random.int(i + 1);
        [items[i], items[j]] = [items[j], items[i]];
      }
      return items;
    };
    const streamed = (commit: string, inputs: readonly FileInput[], options: AssembleOptions, seed: number) => {
      const random = createRandom(seed);
      const given = shuffle([...inputs], random);
      const assembler = new SnapshotAssembler(given.map((f) => f.path));
      for (const i of shuffle(given.map((_, k) => k), random)) assembler.add(i, given[i].result);
      return assembler.finish(commit, { ...options, records: () => undefined });
    };
    const definedAt = (ref: string) => (ref === 'component:default/a' ? 'z/a-again.yaml' : undefined);
    for (const [name, commit] of Object.entries(commits)) {
      const inputs = await inputsOf(commit);
      for (const options of [{}, { definedAt, external: ['group'] }]) {
        const inOrder = assembleSnapshot(commit, inputs, options);
        for (const seed of [1, 2, 3]) {
          const any = streamed(commit, inputs, options, seed);
          expect(any.snapshot.table, `${name} ${seed}`).toStrictEqual(inOrder.snapshot.table);
          expect([any.incremental, any.preferred], name).toEqual([inOrder.incremental, inOrder.preferred]);
        }
      }
    }
  });

  it('checks the observe bindings\' clusters from the columns, building only the Cluster entities they name', async () => {
    const read = (await fullRead(commits.add)) as TableSnapshot;
    const built: string[] = [];
    const records = read.records as RecordSource;
    const counting = new TableSnapshot(read.table, (blob, path) => (built.push(path), records(blob, path)));
    const violations = observeViolations(counting);
    expect(built).toEqual(['prod.yaml']);
    // a names prod (fine); b names cluster:dev, which does not exist; c gives no cluster and runs on none.
    expect(violations.map((v) => [v.ref, v.file, v.message.replace(/^.*kubernetes\.cluster /, '')])).toEqual([
      ['component:default/b', 'b.yaml', 'refers to cluster:default/dev, which is not an entity of the catalog'],
      ['component:default/c', 'c/c.yaml', 'is required: the entity runs on no cluster'],
    ]);
  });

  it('keeps the definition at the path the change starts from, and follows the reference model there too', async () => {
    const inputs = await inputsOf(commits.duplicate);
    const definedAt = (ref: string) => (ref === 'component:default/a' ? 'z/a-again.yaml' : undefined);
    const { snapshot, preferred } = assembleSnapshot(commits.duplicate, inputs, { definedAt, external: ['group'] });
    expect(preferred).toBe(true);
    expect(snapshot.entities.get('component:default/a')!.source.file).toBe('z/a-again.yaml');
    expect(snapshotView(snapshot)).toEqual(modelView(inputs, { definedAt, external: ['group'] }));
  });

  it('drops strings no column refers to when compacted, answering as before', async () => {
    const snapshot = await fullRead(commits.modify);
    const table = structuredClone((snapshot as TableSnapshot).table);
    const before = await view(new TableSnapshot(table, (snapshot as TableSnapshot).records));
    const used = table.strings.length;
    table.strings.push('stale title 1', 'stale title 2');
    table.strings.unshift('stale first');
    for (const column of [table.kind, table.apiVersion, table.owner, table.lifecycle, table.title, table.labels, table.relField, table.obsCluster]) {
      for (let i = 0; i < column.length; i++) if (column[i] >= 0) column[i]++;
    }
    compactStrings(table);
    expect(table.strings).toHaveLength(used);
    expect(await view(new TableSnapshot(table, (snapshot as TableSnapshot).records))).toEqual(before);
  });

  it('names the parse cache when a document is missing from it', async () => {
    const snapshot = await fullRead(commits.base);
    const blind = new TableSnapshot((snapshot as TableSnapshot).table, () => undefined);
    expect(() => blind.entities.get('component:default/a')).toThrow(/parse cache has no entry for a\.yaml/);
  });
});

describe('snapshot queries', () => {
  it('answer what a scan of the entities and relations answers, on a read snapshot and on one made of objects', async () => {
    const read = await fullRead(commits.modify);
    const objects = snapshotFromObjects({ commit: read.commit, entities: read.entities.values(), relations: read.relations, files: read.files.values(), violations: read.violations });
    expect(await view(objects)).toEqual(await view(read));
    for (const s of [read, objects]) {
      const scan = [...s.entities.values()];
      expect(s.entitiesOfKinds(['User', 'Group']).map((e) => e.ref)).toEqual(scan.filter((e) => ['User', 'Group'].includes(e.kind)).map((e) => e.ref).sort());
      expect(s.entitiesOfKinds(['User', 'Group']).map((e) => e.ref)).toEqual(['group:default/team', 'user:default/ann', 'user:default/bob']);
      for (const e of scan) expect(s.factsOf(e.ref)).toEqual(e.facts);
      expect(s.factsOf('resource:default/db')).toEqual({ title: 'The DB', criticality: 'critical', owner: 'group:default/team', labels: { tier: 'data' } });
      expect(s.factsOf('resource:default/none')).toBeUndefined();
      const line = (r: Relation) => `${r.source} ${r.type} ${r.target}`;
      expect(s.relationsOfTypes(['memberOf', 'ownedBy']).map(line).sort()).toEqual(s.relations.filter((r) => r.type === 'memberOf' || r.type === 'ownedBy').map(line).sort());
      const touched = new Set(['component:default/a', 'user:default/ann']);
      expect(s.relationsTouching(touched).map(line).sort()).toEqual(s.relations.filter((r) => touched.has(r.source) || touched.has(r.target)).map(line).sort());
      expect(s.relationsTouching(new Set(['component:default/a'])).map(line).sort()).toEqual([
        'component:default/a dependsOn resource:default/db',
        'component:default/a ownedBy group:default/team',
        'component:default/b dependsOn component:default/a',
      ]);
      const rows = s.rows;
      expect(rows.refs).toEqual([...s.entities.keys()].sort());
      rows.refs.forEach((ref, id) => {
        const e = s.entities.get(ref)!;
        expect([rows.ids.get(ref), rows.fileAt(id), rows.blobAt(id), rows.documentAt(id), rows.factsAt(id)]).toEqual([id, e.source.file, e.source.blob, e.source.document, e.facts]);
      });
      expect(rows.idAfter('component:default/a')).toBe(rows.refs.indexOf('component:default/a') + 1);
      expect(rows.idAfter('component:default/aa')).toBe(rows.refs.indexOf('component:default/a') + 1);
      expect(Array.from(rows.relType, (t, i) => `${rows.refs[rows.relSource[i]]} ${RELATION_TYPES[t]} ${rows.refs[rows.relTarget[i]]}`).sort()).toEqual(s.relations.map(line).sort());
    }
  });
});

describe('CatalogReader with tables', () => {
  it('derives each commit from the previous one over tables, equal to a full read', async () => {
    const reader = new CatalogReader({ git: new NativeGitReader({ dir: repo.dir }), cache: false });
    let prev = await reader.read(commits.base);
    const derived: string[] = [];
    for (const name of ['modify', 'add', 'members', 'removeReferenced', 'fix', 'invalid', 'duplicate', 'repeatMembership']) {
      const next = await reader.readFrom(prev, commits[name]);
      if (next.derivedFrom?.base.deref() === prev) derived.push(name);
      expect(await view(next), name).toEqual(await view(await fullRead(commits[name])));
      expect(changedFiles(prev, next), name).toEqual(changedFiles(await fullRead(prev.commit), await fullRead(commits[name])));
      prev = next;
    }
    // After a dangling reference the next commit is read in full; a repeated relation only a full read dedupes.
    expect(derived).toEqual(['modify', 'add', 'members', 'removeReferenced', 'invalid']);
  });

  it('drops a file replaced by a submodule from a derived snapshot, as a full read does', async () => {
    const own = TestRepo.create();
    try {
      const base = own.commit({ 'a.yaml': svc('a'), 'team.yaml': entity('Group', 'team', { type: 'team' }) });
      own.git('rm', '-q', 'a.yaml');
      own.git('update-index', '--add', '--cacheinfo', `160000,${base},a.yaml`);
      own.git('commit', '-q', '-m', 'a.yaml becomes a submodule');
      const head = own.git('rev-parse', 'HEAD');
      const reader = new CatalogReader({ git: new NativeGitReader({ dir: own.dir }), cache: false });
      const derived = await reader.readFrom(await reader.read(base), head);
      const full = await new CatalogReader({ git: new NativeGitReader({ dir: own.dir }), cache: false }).read(head);
      expect([...derived.entities.keys()]).toEqual(['group:default/team']);
      expect(await view(derived)).toEqual(await view(full));
    } finally {
      own.remove();
    }
  });

  it('stores the table of a commit and reads it back in the next process without parsing', async () => {
    const cacheDir = fs.mkdtempSync(path.join(cacheRoot, 'stored-'));
    const first = new CatalogReader({ git: new NativeGitReader({ dir: repo.dir }), cacheDir });
    const written = await first.read(commits.add);
    expect(first.lastRead.parsed).toBeGreaterThan(0);
    expect(fs.readdirSync(cacheDir).some((d) => d.startsWith('tables-'))).toBe(true);
    const second = new CatalogReader({ git: new NativeGitReader({ dir: repo.dir }), cacheDir });
    const read = await second.read(commits.add);
    expect(second.lastRead.parsed).toBe(0);
    expect(await view(read)).toEqual(await view(written));
    const head = await second.readFrom(read, commits.members);
    expect(head.derivedFrom?.base.deref()).toBe(read);
    expect(await view(head)).toEqual(await view(await fullRead(commits.members)));
  });

  it('re-parses from git what the parse cache lost under a stored table', async () => {
    const cacheDir = fs.mkdtempSync(path.join(cacheRoot, 'lost-'));
    await new CatalogReader({ git: new NativeGitReader({ dir: repo.dir }), cacheDir }).read(commits.add);
    for (const d of fs.readdirSync(cacheDir).filter((d) => d.startsWith('blobs-'))) fs.rmSync(path.join(cacheDir, d), { recursive: true });
    const again = new CatalogReader({ git: new NativeGitReader({ dir: repo.dir }), cacheDir });
    const read = await again.read(commits.add);
    expect(again.lastRead.parsed).toBe(0);
    expect(await view(read)).toEqual(await view(await fullRead(commits.add)));
  });

  it('ignores a stored table it cannot read', async () => {
    const cacheDir = fs.mkdtempSync(path.join(cacheRoot, 'broken-'));
    await new CatalogReader({ git: new NativeGitReader({ dir: repo.dir }), cacheDir }).read(commits.add);
    const tables = fs.readdirSync(cacheDir).filter((d) => d.startsWith('tables-')).map((d) => path.join(cacheDir, d));
    for (const dir of tables) for (const f of fs.readdirSync(dir)) fs.writeFileSync(path.join(dir, f), 'garbage');
    const again = new CatalogReader({ git: new NativeGitReader({ dir: repo.dir }), cacheDir });
    expect(await view(await again.read(commits.add))).toEqual(await view(await fullRead(commits.add)));
  });
});
