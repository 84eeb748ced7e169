import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CACHE_FORMAT, SEGMENT_FILE, segmentLines } from '../../catalog/cache/DiskParseCache.ts';
import { CatalogReader } from '../../catalog/CatalogReader.ts';
import { NativeGitReader } from '../../catalog/git/NativeGitReader.ts';
import type { GitReader } from '../../catalog/git/GitReader.ts';
import type { Snapshot } from '../../catalog/types.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';

const svc = (name: string, spec: Record<string, unknown> = {}) => entity('Component', name, { type: 'service', lifecycle: 'production', owner: 'team', ...spec });

/** A repo whose commits A, M, B change files: A and B are read in full (their tables stored), M only derived from A (not stored). */
export interface CacheRepo {
  repo: TestRepo;
  A: string;
  M: string;
  B: string;
}

export function createCacheRepo(): CacheRepo {
  const repo = TestRepo.create('cmdb-prune-');
  const A = repo.commit({
    'team.yaml': entity('Group', 'team', { type: 'team' }),
    'db.yaml': entity('Resource', 'db', { type: 'database', owner: 'team', criticality: 'high' }),
    'a.yaml': svc('a', { dependsOn: ['resource:db'] }),
    'b.yaml': svc('b', { dependsOn: ['component:a'] }),
    'gone.yaml': svc('gone'),
    'notes.yaml': 'just: a document that is not an entity\n',
  });
  const M = repo.commit({ 'a.yaml': svc('a', { dependsOn: ['resource:db'], criticality: 'low' }), 'b.yaml': svc('b', { criticality: 'medium' }) });
  const B = repo.commit({ 'a.yaml': svc('a', { dependsOn: ['resource:db'], criticality: 'critical' }), 'c.yaml': svc('c', { dependsOn: ['component:b'] }), 'gone.yaml': undefined });
  return { repo, A, M, B };
}

/** A git reader that cannot read blobs synchronously, so a snapshot cannot quietly re-parse what the parse cache lost. */
export function strictGit(dir: string): GitReader {
  const git = new NativeGitReader({ dir });
  return {
    name: 'native git without readBlobSync',
    resolve: (rev) => git.resolve(rev),
    listFiles: (commit, options) => git.listFiles(commit, options),
    diffFiles: (base, head) => git.diffFiles(base, head),
    readBlobs: (oids, onBlob) => git.readBlobs(oids, onBlob),
    close: () => git.close(),
  };
}

export interface FilledCache {
  dir: string;
  /** Blobs the stored tables (A and B) refer to. */
  live: Set<string>;
  /** Everything observable of B, as read before any prune. */
  viewB: string[];
}

/** Everything observable about a snapshot, as plain values (entities built from the parse cache). */
export function view(s: Snapshot): string[] {
  return [
    ...[...s.entities.values()].map((e) => JSON.stringify([e.ref, e.kind, e.facts, e.source, e.metadata, e.spec, e.positions])),
    ...s.relations.map((r) => JSON.stringify([r.type, r.source, r.target, r.field, r.location])),
    ...[...s.files.values()].map((f) => JSON.stringify([f.path, f.blob, f.entities])),
    ...s.violations.map((v) => JSON.stringify(v)),
  ].sort();
}

/** A fresh cache dir after reading A, deriving M from it, and reading B. */
export async function fillCache(r: CacheRepo): Promise<FilledCache> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-prune-cache-'));
  const reader = new CatalogReader({ git: strictGit(r.repo.dir), cacheDir: dir });
  const a = await reader.read(r.A);
  await reader.readFrom(a, r.M);
  const b = await reader.read(r.B);
  const live = new Set([...a.files.values(), ...b.files.values()].map((f) => f.blob));
  return { dir, live, viewB: view(b) };
}

/** Namespace dirs of a cache dir whose name starts with `prefix`. */
export const namespaces = (dir: string, prefix: string): string[] =>
  fs
    .readdirSync(dir)
    .filter((n) => n.startsWith(prefix))
    .map((n) => path.join(dir, n));

/** Oids in the segment files of the current parse caches (one per segment that holds it). */
export async function cachedOids(dir: string): Promise<string[]> {
  const oids: string[] = [];
  for (const ns of namespaces(dir, `${CACHE_FORMAT}-`)) {
    for (const name of fs.readdirSync(ns).filter((n) => SEGMENT_FILE.test(n) && fs.statSync(path.join(ns, n)).isFile())) {
      for (const line of await segmentLines(path.join(ns, name))) oids.push(line.slice(0, line.indexOf('\t')));
    }
  }
  return oids.sort();
}

/** Every file under a dir with its content, for comparing a dir before and after. */
export function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}
