import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskParseCache } from '../../catalog/cache/DiskParseCache.ts';
import { CatalogReader } from '../../catalog/CatalogReader.ts';
import { WORKER_THRESHOLD } from '../../catalog/parsePool.ts';
import { diffSnapshots } from '../../catalog/diff.ts';
import { IsomorphicGitReader } from '../../catalog/git/IsomorphicGitReader.ts';
import { NativeGitReader } from '../../catalog/git/NativeGitReader.ts';
import type { GitReader } from '../../catalog/git/GitReader.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';

let repo: TestRepo;
let base: string;
let head: string;
let cacheDir: string;

const team = entity('Group', 'shop-team', { type: 'team', children: [] });
const redis = entity('Resource', 'redis', { type: 'cache', owner: 'shop-team', criticality: 'high' });
const cart = (extra: Record<string, unknown> = {}) =>
  entity('Component', 'cart', { type: 'service', lifecycle: 'production', owner: 'shop-team', dependsOn: ['resource:redis'], ...extra });

beforeAll(() => {
  repo = TestRepo.create();
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-cache-'));
  base = repo.commit({
    'teams/shop.yaml': team,
    'resources/redis.yaml': redis,
    'services/cart.yaml': cart(),
    'services/web.yaml': entity('Component', 'web', { type: 'website', lifecycle: 'production', owner: 'shop-team', dependsOn: ['component:cart'] }),
    'docs/notes.yaml': 'title: not an entity\n',
    'README.md': '# not yaml\n',
  });
  head = repo.commit({
    'services/cart.yaml': cart({ criticality: 'critical', dependsOn: ['resource:redis', 'resource:db'] }),
    'resources/db.yaml': entity('Resource', 'db', { type: 'database', owner: 'shop-team' }),
    'services/web.yaml': undefined,
  });
});
afterAll(() => {
  repo.remove();
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

const gits: Array<[string, () => GitReader]> = [
  ['native git', () => new NativeGitReader({ dir: repo.dir })],
  ['isomorphic-git', () => new IsomorphicGitReader({ dir: repo.dir })],
];

describe.each(gits)('CatalogReader over %s', (_name, makeGit) => {
  it('reads entities, references and relations of a commit', async () => {
    const reader = new CatalogReader({ git: makeGit(), cache: false });
    const snap = await reader.read(base);
    expect([...snap.entities.keys()].sort()).toEqual([
      'component:default/cart',
      'component:default/web',
      'group:default/shop-team',
      'resource:default/redis',
    ]);
    expect(snap.violations).toEqual([]);
    const cartRels = snap.relations.filter((r) => r.source === 'component:default/cart').map((r) => [r.type, r.target]);
    expect(cartRels).toEqual([
      ['ownedBy', 'group:default/shop-team'],
      ['dependsOn', 'resource:default/redis'],
    ]);
    const cartEntity = snap.entities.get('component:default/cart')!;
    expect(cartEntity.source).toMatchObject({ file: 'services/cart.yaml', line: 1, column: 1 });
  });

  it('derives the head from the base, re-parsing only changed blobs', async () => {
    const reader = new CatalogReader({ git: makeGit(), cache: false });
    const b = await reader.read(base);
    expect(reader.lastRead.parsed).toBe(5);
    const h = await reader.readFrom(b, head);
    expect(reader.lastRead).toEqual({ files: 5, parsed: 2, fromCache: 3 });
    const full = await new CatalogReader({ git: makeGit(), cache: false }).read(head);
    expect([...h.entities.keys()].sort()).toEqual([...full.entities.keys()].sort());
    expect(h.relations.length).toBe(full.relations.length);
    const diff = diffSnapshots(b, h);
    expect(diff.changes.map((c) => [c.ref, c.op, c.fields])).toEqual([
      ['component:default/cart', 'modified', ['spec.criticality', 'spec.dependsOn']],
      ['component:default/web', 'removed', []],
      ['resource:default/db', 'added', []],
    ]);
    expect(diff.changes[0].file).toBe('services/cart.yaml');
  });
});

describe('the parse cache on disk', () => {
  it('fills on a cold read and serves a warm read without parsing', async () => {
    const namespaceDir = fs.mkdtempSync(path.join(cacheDir, 'run-'));
    const cold = new CatalogReader({ git: new NativeGitReader({ dir: repo.dir }), cacheDir: namespaceDir });
    const a = await cold.read(head);
    expect(cold.lastRead.parsed).toBe(5);
    const warm = new CatalogReader({ git: new NativeGitReader({ dir: repo.dir }), cacheDir: namespaceDir });
    const b = await warm.read(head);
    expect(warm.lastRead).toEqual({ files: 5, parsed: 0, fromCache: 5 });
    expect([...b.entities.values()].map((e) => e.spec)).toEqual([...a.entities.values()].map((e) => e.spec));
  });

  it('a commit with CIClass kinds (one beside a built-in kind in a file) reads the same cold, from the parse cache and from its stored table', async () => {
    const classes = TestRepo.create();
    try {
      const commit = classes.commit({
        'classes/certificate.yaml': entity('CIClass', 'certificate', { kind: 'Certificate', schema: { type: 'object', required: ['issuer'], properties: { issuer: { type: 'string' }, owner: { type: 'string' } } } }),
        'teams/shop.yaml': team,
        'mixed.yaml': `${entity('Certificate', 'tls', { issuer: 'letsencrypt', owner: 'group:shop-team' })}---\n${entity('Component', 'api', { type: 'service', lifecycle: 'production', owner: 'shop-team' })}`,
      });
      const dir = fs.mkdtempSync(path.join(cacheDir, 'classes-'));
      const read = async () => {
        const reader = new CatalogReader({ git: new NativeGitReader({ dir: classes.dir }), cacheDir: dir });
        const snap = await reader.read(commit);
        return { parsed: reader.lastRead.parsed, entities: [...snap.entities.values()].map((e) => [e.ref, e.spec, e.metadata]), violations: snap.violations };
      };
      const tables = () => fs.readdirSync(dir).filter((d) => d.startsWith('tables-')).flatMap((d) => fs.readdirSync(path.join(dir, d)));
      const cold = await read();
      expect(cold.parsed).toBe(3);
      expect(cold.entities.map(([ref]) => ref)).toEqual(['certificate:default/tls', 'ciclass:default/certificate', 'component:default/api', 'group:default/shop-team']);
      expect(cold.violations).toEqual([]);
      expect(tables(), 'the table is stored').toEqual([`${commit}.bin`]);
      expect(await read(), 'from the stored table').toEqual({ ...cold, parsed: 0 });
      for (const d of fs.readdirSync(dir).filter((d) => d.startsWith('tables-'))) fs.rmSync(path.join(dir, d), { recursive: true });
      expect(await read(), 'from the parse cache alone').toEqual({ ...cold, parsed: 0 });
    } finally {
      classes.remove();
    }
  });

  it('a big commit read cold (each blob to the parser threads as it is listed) reads as through isomorphic-git and from the parse cache, a blob at two paths parsed once', async () => {
    const big = TestRepo.create();
    try {
      const files: Record<string, string> = { 'teams/shop.yaml': team };
      for (let i = 0; i < WORKER_THRESHOLD + 40; i++) {
        const name = `c${String(i).padStart(5, '0')}`;
        files[`components/${name.slice(0, 3)}/${name}.yaml`] = entity('Component', name, { type: 'service', lifecycle: 'production', owner: 'shop-team', ...(i > 0 ? { dependsOn: [`component:c${String(i - 1).padStart(5, '0')}`] } : {}) });
      }
      files['copies/one.yaml'] = files['components/c00/c00007.yaml']; // the same blob twice: a duplicate definition
      files['broken.yaml'] = 'kind: Component\nmetadata: [\n';
      const commit = big.commit(files);
      const dir = fs.mkdtempSync(path.join(cacheDir, 'big-'));
      const read = async (git: GitReader, options: { cacheDir: string } | { cache: false }) => {
        const reader = new CatalogReader({ git, ...options });
        const snap = await reader.read(commit);
        return { lastRead: reader.lastRead, entities: [...snap.entities.values()].map((e) => [e.ref, e.spec]), relations: snap.relations.length, violations: snap.violations };
      };
      const cold = await read(new NativeGitReader({ dir: big.dir }), { cacheDir: dir });
      const selected = Object.keys(files).length;
      expect(cold.lastRead).toEqual({ files: selected, parsed: selected - 1, fromCache: 1 });
      expect(cold.entities).toHaveLength(WORKER_THRESHOLD + 41);
      expect(cold.relations).toBe(2 * (WORKER_THRESHOLD + 40) - 1);
      expect(cold.violations.map((v) => `${v.rule} ${v.file}`)).toEqual(['yaml broken.yaml', 'duplicate copies/one.yaml']);
      const { lastRead: _iso, ...throughIsomorphic } = await read(new IsomorphicGitReader({ dir: big.dir }), { cache: false });
      const { lastRead: _cold, ...coldRead } = cold;
      expect(throughIsomorphic).toEqual(coldRead);
      for (const d of fs.readdirSync(dir).filter((d) => d.startsWith('tables-'))) fs.rmSync(path.join(dir, d), { recursive: true });
      expect(await read(new NativeGitReader({ dir: big.dir }), { cacheDir: dir }), 'from the parse cache alone').toEqual({ ...cold, lastRead: { files: selected, parsed: 0, fromCache: selected } });
    } finally {
      big.remove();
    }
  });

  it('survives corrupt segments by re-parsing', async () => {
    const dir = fs.mkdtempSync(path.join(cacheDir, 'corrupt-'));
    const reader = new CatalogReader({ git: new NativeGitReader({ dir: repo.dir }), cacheDir: dir });
    await reader.read(head);
    const cache = new DiskParseCache({ dir, namespace: 'x' });
    const segmentDir = fs.readdirSync(dir).filter((d) => d.startsWith('blobs-')).map((d) => path.join(dir, d))[0];
    for (const f of fs.readdirSync(segmentDir)) fs.writeFileSync(path.join(segmentDir, f), 'garbage');
    for (const d of fs.readdirSync(dir).filter((d) => d.startsWith('tables-'))) fs.rmSync(path.join(dir, d), { recursive: true });
    expect(cache.dir).not.toBe(segmentDir);
    const again = new CatalogReader({ git: new NativeGitReader({ dir: repo.dir }), cacheDir: dir });
    const snap = await again.read(head);
    expect(again.lastRead.parsed).toBe(5);
    expect(snap.entities.size).toBe(4);
  });
});
