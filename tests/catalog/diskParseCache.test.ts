/**
 * The parse cache's segment files: what one process writes another reads
 * (whole, or one line per blob asked for), torn or foreign files are misses,
 * many small segments are merged, and nothing is read to add an entry.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeStoredRecord, DiskParseCache, encodeLine, ensureTexts, rawOidOrder, SEGMENT_FILE, segmentBytes, segmentLines, sha1Oids, writeSegment } from '../../catalog/cache/DiskParseCache.ts';
import { createRandom } from '../../bench/random.ts';
import { parseBlob, type BlobResult } from '../../catalog/parseBlob.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-segments-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

let dirs = 0;
const freshDir = () => path.join(root, `c${dirs++}`);
const oidOf = (i: number) => i.toString(16).padStart(40, '0');

/** A parse result for blob i: one Component whose title has a non-ASCII character (UTF-8 offsets differ from string offsets). */
function result(i: number): BlobResult {
  const content = Buffer.from(`apiVersion: cmdb/v1\nkind: Component\nmetadata:\n  name: c${i}\n  title: Zürich ${i}\nspec:\n  type: service\n  owner: group:team\n`);
  return parseBlob({ path: `c${i}.yaml`, oid: oidOf(i), mode: '100644', content });
}

/** A result read back, with its documents' texts sliced out of its line (they stay there until an entity is built). */
const texts = (r: BlobResult | undefined) => r && ensureTexts(r);

const segments = (cache: DiskParseCache) => (fs.existsSync(cache.dir) ? fs.readdirSync(cache.dir).filter((n) => SEGMENT_FILE.test(n)) : []);

describe('DiskParseCache segments', () => {
  it('reads back what another instance wrote: by preload (few or many) and by load, with the documents intact', async () => {
    const dir = freshDir();
    const writer = new DiskParseCache({ dir, namespace: 'n' });
    const results = Array.from({ length: 300 }, (_, i) => result(i));
    writer.setAll(results.slice(0, 200), results.slice(0, 200).map((r) => encodeLine(r.blob, r)));
    for (const r of results.slice(200)) writer.set(r.blob, r);
    expect(await writer.flush()).toEqual({ written: 300 });
    expect(segments(writer)).toHaveLength(1);

    const few = new DiskParseCache({ dir, namespace: 'n' });
    expect(few.get(oidOf(7))).toBeUndefined();
    await few.preload([oidOf(7), oidOf(250), 'f'.repeat(40), 'not-an-oid']);
    expect(texts(few.get(oidOf(7)))).toStrictEqual(results[7]);
    expect(texts(few.get(oidOf(250)))).toStrictEqual(results[250]);
    expect(few.get('f'.repeat(40))).toBeUndefined();
    expect(texts(few.load(oidOf(123)))).toStrictEqual(results[123]);
    expect(few.load(oidOf(999))).toBeUndefined();

    const many = new DiskParseCache({ dir, namespace: 'n' });
    await many.preload(results.map((r) => r.blob));
    for (const r of results) expect(texts(many.get(r.blob))).toStrictEqual(r);
    expect(await many.flush()).toEqual({ written: 0 });
  });

  it('a second writer adds a segment and reads nothing to do so; both are read', async () => {
    const dir = freshDir();
    const a = new DiskParseCache({ dir, namespace: 'n' });
    a.set(oidOf(1), result(1));
    await a.flush();
    const b = new DiskParseCache({ dir, namespace: 'n' });
    b.set(oidOf(2), result(2));
    await b.flush();
    expect(segments(a)).toHaveLength(2);
    const reader = new DiskParseCache({ dir, namespace: 'n' });
    expect(texts(reader.load(oidOf(1)))).toStrictEqual(result(1));
    expect(texts(reader.load(oidOf(2)))).toStrictEqual(result(2));
  });

  it('ignores a torn segment, a foreign file and a temp file left by a crash (misses, never errors)', async () => {
    const dir = freshDir();
    const a = new DiskParseCache({ dir, namespace: 'n' });
    for (let i = 0; i < 10; i++) a.set(oidOf(i), result(i));
    await a.flush();
    const [name] = segments(a);
    const file = path.join(a.dir, name);
    fs.copyFileSync(file, path.join(a.dir, 'torn.seg'));
    fs.truncateSync(path.join(a.dir, 'torn.seg'), fs.statSync(file).size - 5);
    fs.writeFileSync(path.join(a.dir, 'foreign.seg'), 'garbage\n');
    fs.writeFileSync(path.join(a.dir, `${name}.tmp`), 'half a segment');
    fs.rmSync(file);
    const reader = new DiskParseCache({ dir, namespace: 'n' });
    await reader.preload([oidOf(1)]);
    expect(reader.get(oidOf(1))).toBeUndefined();
    expect(reader.load(oidOf(2))).toBeUndefined();
    await expect(segmentLines(path.join(a.dir, 'torn.seg'))).rejects.toThrow(/not a complete parse cache segment/);
  });

  it('a line that does not decode is a miss', async () => {
    const dir = freshDir();
    const a = new DiskParseCache({ dir, namespace: 'n' });
    a.set(oidOf(1), result(1));
    await a.flush();
    const file = path.join(a.dir, segments(a)[0]);
    const bytes = fs.readFileSync(file);
    expect(bytes.toString('latin1', 40, 42)).toBe('\t{');
    bytes[41] = 0x78; // the JSON of the only line no longer parses
    fs.writeFileSync(file, bytes);
    expect(new DiskParseCache({ dir, namespace: 'n' }).load(oidOf(1))).toBeUndefined();
  });

  it('merges the small segments once there are sixteen, keeping every entry once', async () => {
    const dir = freshDir();
    for (let i = 0; i < 15; i++) {
      const c = new DiskParseCache({ dir, namespace: 'n' });
      c.set(oidOf(i), result(i));
      if (i === 3) c.set(oidOf(100), result(100));
      await c.flush();
    }
    const probe = new DiskParseCache({ dir, namespace: 'n' });
    expect(segments(probe)).toHaveLength(15);
    const last = new DiskParseCache({ dir, namespace: 'n' });
    last.set(oidOf(15), result(15));
    await last.flush();
    expect(segments(probe)).toHaveLength(1);
    const lines = await segmentLines(path.join(probe.dir, segments(probe)[0]));
    expect(lines.map((l) => l.slice(0, 40))).toEqual([...Array.from({ length: 16 }, (_, i) => oidOf(i)), oidOf(100)].sort());
    const reader = new DiskParseCache({ dir, namespace: 'n' });
    for (const i of [0, 9, 15, 100]) expect(texts(reader.load(oidOf(i)))).toStrictEqual(result(i));
  });

  it('says why it could not write, and throws nothing', async () => {
    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, '');
    const c = new DiskParseCache({ dir: file, namespace: 'n' });
    c.set(oidOf(1), result(1));
    const outcome = await c.flush();
    expect(outcome.written).toBe(0);
    expect(outcome.error).toMatch(/^cannot write the parse cache in .*a-file\/blobs-v\d+-[0-9a-f]{16}: /);
    expect(c.get(oidOf(1))).toStrictEqual(result(1));
  });

  it('writes lines across chunks, lines longer than a chunk, and characters of 2 to 4 bytes in UTF-8, each where its index says', async () => {
    const dir = path.join(freshDir(), 'segments');
    const line = (i: number, text: string) => `${oidOf(i)}\t${text}`;
    const lines = [
      ...Array.from({ length: 3000 }, (_, i) => line(i, `Zürich 🙂 ${'x'.repeat(i % 3000)}`)),
      line(3000, `é${'🙂'.repeat(1_500_000)}`), // 3 M UTF-16 units, 6 MB of UTF-8: more than a chunk
      line(3001, 'after'),
    ];
    const segment = await writeSegment(dir, lines);
    expect(segment?.count).toBe(lines.length);
    expect(await segmentLines(segment!.file)).toEqual(lines);
    expect(segmentBytes(lines)).toBe(fs.statSync(segment!.file).size);
  });

  it('orders oids as strings do, also when many share their first 32 bits', () => {
    const random = createRandom(7);
    const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[random.int(16)]).join('');
    const prefixes = Array.from({ length: 20 }, () => hex(8));
    const oids = Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? prefixes[i % 20] + hex(32) : hex(40)));
    oids.push(oids[5], '0'.repeat(40), 'f'.repeat(40));
    const expected = oids.map((_, i) => i).sort((a, b) => (oids[a] < oids[b] ? -1 : oids[a] > oids[b] ? 1 : a - b));
    const order = rawOidOrder(Buffer.from(oids.join(''), 'hex'));
    expect(order.map((i) => oids[i])).toEqual(expected.map((i) => oids[i]));
    expect(new Set(order).size).toBe(oids.length);
    expect(rawOidOrder(Buffer.alloc(0))).toEqual([]);
  });

  it('takes the SHA-1 oids in their 20 bytes, and leaves out the others', () => {
    const a = 'ab'.repeat(20);
    const b = '0f'.repeat(20);
    expect(sha1Oids([a, b])).toEqual({ raw: Buffer.from(a + b, 'hex'), at: [0, 1] });
    // A SHA-256 oid and a 40-character one that is not hex are left out.
    expect(sha1Oids(['cd'.repeat(32), a, 'g'.repeat(40), b])).toEqual({ raw: Buffer.from(a + b, 'hex'), at: [1, 3] });
    expect(sha1Oids([a, `${'0'.repeat(39)}x`])).toEqual({ raw: Buffer.from(a, 'hex'), at: [0] });
    expect(sha1Oids([])).toEqual({ raw: Buffer.alloc(0), at: [] });
  });

  it('indexes only SHA-1 oids: another oid is kept in memory and never found on disk', async () => {
    const dir = freshDir();
    const a = new DiskParseCache({ dir, namespace: 'n' });
    const sha256 = 'ab'.repeat(32);
    a.set(sha256, { ...result(1), blob: sha256 });
    a.set(oidOf(2), result(2));
    expect(await a.flush()).toEqual({ written: 1 });
    const reader = new DiskParseCache({ dir, namespace: 'n' });
    expect(reader.load(sha256)).toBeUndefined();
    expect(texts(reader.load(oidOf(2)))).toStrictEqual(result(2));
  });

  it('leave out of the JSON what the line has already (the oid, each record\'s own ref in its relations) and decode to the same result', () => {
    const content = Buffer.from(
      [
        'apiVersion: cmdb/v1\nkind: Component\nmetadata:\n  name: api\nspec:\n  type: service\n  lifecycle: production\n  owner: group:team\n  dependsOn: [component:api, component:db]\n  dependencyOf: [component:web]\n',
        'apiVersion: cmdb/v1\nkind: Group\nmetadata:\n  name: team\nspec:\n  type: team\n  members: [ana]\n',
      ].join('---\n'),
    );
    const r = parseBlob({ path: 'two.yaml', oid: oidOf(9), mode: '100644', content });
    const tuples = r.documents.flatMap((d) => d.relations.map((t) => `${t[0]} ${t[1]} ${t[2]}`));
    // The record as the end of a forward relation, of a reversed one (dependencyOf, members), and of a dependsOn on itself.
    expect(tuples).toEqual([
      'ownedBy component:default/api group:default/team',
      'dependsOn component:default/api component:default/api',
      'dependsOn component:default/api component:default/db',
      'dependsOn component:default/web component:default/api',
      'memberOf user:default/ana group:default/team',
    ]);
    const line = encodeLine(r.blob, r);
    const json = line.split('\t')[1];
    expect(json).not.toContain(oidOf(9));
    expect(json.split('component:default/api').length - 1).toBe(2); // the record's ref, and the other end of the loop
    expect(json.split('"group:default/team"').length - 1).toBe(3); // the group's ref and the api's owner (facts, relation); not again in the group's memberOf
    expect(texts(decodeStoredRecord(r.blob, line))).toStrictEqual(r);
    expect(encodeLine(r.blob, r)).toBe(line); // encoding left the result as it was
  });

  it('takes a stored line only for its own oid and with one text per document', () => {
    const r = result(3);
    const line = encodeLine(r.blob, r);
    expect(texts(decodeStoredRecord(r.blob, line))).toStrictEqual(r);
    expect(decodeStoredRecord(oidOf(4), line)).toBeUndefined();
    expect(decodeStoredRecord(r.blob, line.slice(0, line.lastIndexOf('\t')))).toBeUndefined(); // a text lost
    expect(decodeStoredRecord(r.blob, `${line}\t{}`)).toBeUndefined(); // one too many
    expect(decodeStoredRecord(r.blob, line.slice(0, 60))).toBeUndefined(); // torn
  });
});
