import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import neo4jDriver, { type Driver } from 'neo4j-driver';
import { afterAll, describe, expect, it } from 'vitest';
import { CmdbError } from '../../core/errors.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { Neo4jGraphStore } from '../../graph/Neo4jGraphStore.ts';
import { IMPORT_ARGS_FILE, writeNeo4jImport } from '../../graph/neo4jImport.ts';
import { importNeo4jStore, startNeo4j } from '../infra/neo4j.ts';
import type { Snapshot } from '../../catalog/types.ts';
import { buildSnapshot, SHOP, type SnapshotFixture } from './fixtures.ts';
import { dumpGraph, useSharedNeo4j, type GraphDump, type SharedNeo4j } from './neo4jShared.ts';
import { randomFixture } from './random.ts';

/** SHOP with values a CSV can get wrong: quotes, commas, line breaks, empty strings, colons in property names, non-ASCII. */
const TRICKY: SnapshotFixture = {
  ...SHOP,
  entities: [
    ...SHOP.entities,
    {
      ref: 'component:shop/odd',
      title: 'Says "hi", then\nbreaks a line\r\nand ends with a backslash \\',
      labels: { 'app.kubernetes.io/name': 'odd', 'a:b': '', 'x,y': 'v"w', 'nöm': 'ünï 🚀', ' pad ': ' spaced ', '[a]=b;c': 'd;e' },
      lifecycle: 'experimental',
      owner: 'shop/shop-team',
      file: 'services/odd "file", v2.yaml',
    },
  ],
  relations: [...(SHOP.relations ?? []), 'component:shop/odd dependsOn component:shop/cart', 'component:shop/odd dependsOn resource:shop/missing'],
};

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  // A space in the path: import.args must keep it one argument.
  const dir = await mkdtemp(join(tmpdir(), 'cmdb neo4j import '));
  dirs.push(dir);
  return dir;
}

/** The graph load() writes for `snapshot`, the reference an import is compared with (the shared Neo4j is left empty). */
async function loadedDump(neo4j: SharedNeo4j, snapshot: Snapshot): Promise<GraphDump> {
  const loader = new Neo4jGraphStore({ uri: neo4j.uri() });
  try {
    await loader.load(snapshot);
    return await neo4j.dump();
  } finally {
    await loader.close();
    await neo4j.clear();
  }
}

/** Runs Neo4j's bulk loader on `argsFile`, starts a Neo4j of its own on the store, and runs `check` against it. */
async function withSeededNeo4j(argsFile: string, check: (uri: string, driver: Driver) => Promise<void>): Promise<void> {
  const imported = await importNeo4jStore(argsFile);
  try {
    const server = await startNeo4j({ copyFrom: imported.home });
    const driver = neo4jDriver.driver(server.uri, undefined, { disableLosslessIntegers: true });
    try {
      await check(server.uri, driver);
    } finally {
      await driver.close();
      await server.stop();
    }
  } finally {
    await imported.remove();
  }
}

describe('writeNeo4jImport: seeding an empty Neo4j with neo4j-admin database import', () => {
  const neo4j = useSharedNeo4j();

  it('gives the graph load() writes, marker included, and the next sync is incremental', async () => {
    const base = buildSnapshot(TRICKY);
    const head = buildSnapshot({
      ...TRICKY,
      commit: 'bbbb000000000000000000000000000000000002',
      entities: [...TRICKY.entities.filter((e) => e !== 'user:alice'), 'component:shop/new'],
      relations: [...(TRICKY.relations ?? []).filter((r) => !r.startsWith('user:alice')), 'component:shop/new dependsOn component:shop/odd'],
    });

    const loaded = await loadedDump(neo4j, base);
    const exported = await writeNeo4jImport(base, join(await tempDir(), 'export'));
    expect(exported).toMatchObject({ commit: base.commit, nodes: base.entities.size });
    expect(exported.relationships).toBe(loaded.relationships.length);
    expect(await readFile(exported.argsFile, 'utf8')).toMatch(/--multiline-fields=true\n$/);

    await withSeededNeo4j(exported.argsFile, async (uri, driver) => {
      // The loader's report went next to the files, not into the working directory.
      expect(await readdir(exported.dir)).toContain('import.report');
      expect(await dumpGraph(driver)).toEqual(loaded);
      const seeded = new Neo4jGraphStore({ uri });
      try {
        expect(await seeded.commit()).toBe(base.commit);
        await seeded.ensureSchema();
        // applyDiff throws unless the store stands at base: the imported marker makes this sync incremental.
        await seeded.applyDiff(base, head);
        expect(await seeded.commit()).toBe(head.commit);
        const memory = new InMemoryGraphStore({ snapshot: head });
        for (const ref of head.entities.keys()) expect(await seeded.impact([ref])).toEqual(await memory.impact([ref]));
        // Nodes keep the commit they were last written at: the imported one for odd, head for the new one.
        expect(await seeded.getEntity('component:shop/odd')).toEqual(await new InMemoryGraphStore({ snapshot: base }).getEntity('component:shop/odd'));
        expect(await seeded.getEntity('component:shop/new')).toEqual(await memory.getEntity('component:shop/new'));
      } finally {
        await seeded.close();
      }
    });
  });

  it('imports a larger random graph exactly as load() writes it', async () => {
    const snapshot = buildSnapshot(randomFixture(7, 400, 900));
    const loaded = await loadedDump(neo4j, snapshot);
    const exported = await writeNeo4jImport(snapshot, join(await tempDir(), 'export'));
    expect(await readFile(exported.argsFile, 'utf8')).toMatch(/--multiline-fields=false\n$/);
    await withSeededNeo4j(exported.argsFile, async (_uri, driver) => expect(await dumpGraph(driver)).toEqual(loaded));
  });
});

describe('writeNeo4jImport: the export directory', () => {
  it('writes one CSV per kind label and key set, per relationship type, the marker, and import.args', async () => {
    const dir = join(await tempDir(), 'nested', 'export');
    const snapshot = buildSnapshot(SHOP);
    const exported = await writeNeo4jImport(snapshot, dir);
    const names = (await readdir(dir)).sort();
    expect(names).toContain(IMPORT_ARGS_FILE);
    expect(names).toContain('marker.csv');
    expect(names.filter((n) => n.startsWith('relationships-')).sort()).toEqual(
      ['CHILD_OF', 'CONSUMES_API', 'DEPENDS_ON', 'MEMBER_OF', 'OWNED_BY', 'PART_OF', 'PROVIDES_API', 'RUNS_ON'].map((t) => `relationships-${t}.csv`),
    );
    expect(exported.files.map((f) => f.slice(dir.length + 1)).sort()).toEqual(names.filter((n) => n !== IMPORT_ARGS_FILE));
    // Each file is one quoted argument, the database name is left to the command line.
    const args = (await readFile(exported.argsFile, 'utf8')).trimEnd().split('\n');
    expect(args.slice(0, -3).every((a) => /^"--(nodes|relationships)=[^"]+=.+\.csv"$/.test(a))).toBe(true);
    expect(args.slice(-3)).toEqual(['--id-type=integer', `"--report-file=${join(dir, 'import.report')}"`, '--multiline-fields=false']);
    // Nodes numbered in ref order; a relationship row holds the numbers of its ends.
    expect((await readFile(join(dir, 'relationships-RUNS_ON.csv'), 'utf8')).split('\n').slice(0, 2)).toEqual([
      '":START_ID(Entity)",":END_ID(Entity)","field:string"',
      `${[...snapshot.entities.keys()].indexOf('component:shop/cart')},${[...snapshot.entities.keys()].indexOf('cluster:default/prod')},"runsOn"`,
    ]);
  });

  it('refuses a label key whose ( ) { } the loader would drop from the property name, naming the file, the entity and the key', async () => {
    const dir = join(await tempDir(), 'export');
    const snapshot = buildSnapshot({ entities: ['group:team', { ref: 'component:shop/odd', labels: { ok: '1', 'f(x){y}': '2' }, file: 'services/odd.yaml' }] });
    const error = await writeNeo4jImport(snapshot, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CmdbError);
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/); // nothing was created
    expect((error as CmdbError).format()).toBe(
      'services/odd.yaml: component:shop/odd has the label key "f(x){y}": neo4j-admin import reads ( ) { } in a CSV header as its own syntax and would store another property name; seed this catalog with `cmdb graph sync` instead',
    );
  });

  it('refuses a directory that is not empty, and a path that is a file, with the path in the message', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'old.csv'), 'x\n');
    const snapshot = buildSnapshot(SHOP);
    const error = await writeNeo4jImport(snapshot, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CmdbError);
    expect((error as Error).message).toContain(`${dir}: the export directory must be empty`);
    expect(await readdir(dir)).toEqual(['old.csv']);
    const file = join(dir, 'old.csv');
    await expect(writeNeo4jImport(snapshot, file)).rejects.toThrow(`${file}: cannot use as the export directory (ENOTDIR)`);
    await expect(writeNeo4jImport(snapshot, join(file, 'sub'))).rejects.toThrow(`${join(file, 'sub')}: cannot use as the export directory (ENOTDIR)`);
    // Node's recursive mkdir never settles under /proc: this must fail, not hang (the test's timeout).
    await expect(writeNeo4jImport(snapshot, '/proc/cmdb-export/sub')).rejects.toThrow('/proc/cmdb-export/sub: cannot use as the export directory (ENOENT)');
  });
});
