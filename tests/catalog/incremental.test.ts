import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogReader } from '../../catalog/CatalogReader.ts';
import { NativeGitReader } from '../../catalog/git/NativeGitReader.ts';
import type { Snapshot } from '../../catalog/types.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';
import { commitInputs, modelView, snapshotView } from './referenceModel.ts';

/** Incremental assembly must give exactly what a full read gives, in every case it takes on. */
let repo: TestRepo;
const commits: Record<string, string> = {};
const svc = (name: string, spec: Record<string, unknown> = {}) => entity('Component', name, { type: 'service', lifecycle: 'production', owner: 'team', ...spec });

beforeAll(() => {
  repo = TestRepo.create();
  commits.base = repo.commit({
    'team.yaml': entity('Group', 'team', { type: 'team' }),
    'db.yaml': entity('Resource', 'db', { type: 'database', owner: 'team' }),
    'a.yaml': svc('a', { dependsOn: ['resource:db'] }),
    'b.yaml': svc('b', { dependsOn: ['component:a'] }),
    'c.yaml': svc('c'),
  });
  commits.modify = repo.commit({ 'c.yaml': svc('c', { dependsOn: ['component:b'], criticality: 'high' }) });
  commits.removeReferenced = repo.commit({ 'a.yaml': undefined });
  commits.fix = repo.commit({ 'a.yaml': svc('a', { dependsOn: ['resource:db'] }) });
  commits.duplicate = repo.commit({ 'a2.yaml': svc('A') });
  commits.move = repo.commit({ 'a2.yaml': undefined, 'c.yaml': undefined, 'moved/c.yaml': svc('c', { dependsOn: ['component:b'], criticality: 'high' }) });
  commits.cycle = repo.commit({ 'db.yaml': entity('Resource', 'db', { type: 'database', owner: 'team', dependsOn: ['component:c'] }) });
  commits.clean = repo.commit({ 'db.yaml': entity('Resource', 'db', { type: 'database', owner: 'team' }) });
  commits.duplicateFirst = repo.commit({ '0.yaml': svc('b', { dependsOn: ['component:ghost'] }) });
  commits.breakB = repo.commit({ '0.yaml': undefined, 'b.yaml': 'apiVersion: cmdb/v1\nkind: Component\nmetadata: {name: b}\nspec: {type: 3}\n' });
  commits.fixB = repo.commit({ 'b.yaml': svc('b', { dependsOn: ['component:a'] }) });
  commits.classes = repo.commit({
    'classes.yaml': entity('CIClass', 'cert', { kind: 'Certificate', schema: { type: 'object', required: ['issuer'], properties: { issuer: { type: 'string' }, owner: { type: 'string' } } } }),
    'cert.yaml': 'apiVersion: cmdb/v1\nkind: Certificate\nmetadata: {name: web}\nspec: {issuer: le, owner: team}\n',
  });
  commits.besideClasses = repo.commit({ 'c.yaml': undefined, 'moved/c.yaml': svc('c', { criticality: 'low' }) });
  commits.noClasses = repo.commit({ 'classes.yaml': undefined });
});
afterAll(() => repo.remove());

/** Everything observable about a snapshot, as plain values. */
const view = (s: Snapshot) => ({
  entities: [...s.entities.keys()].sort(),
  specs: [...s.entities.values()].map((e) => [e.ref, e.source.file, e.spec]).sort(),
  relations: s.relations.map((r) => `${r.type} ${r.source} ${r.target} ${r.location.file}:${r.location.line}`).sort(),
  files: [...s.files.values()].map((f) => [f.path, f.blob, [...f.entities].sort()]).sort(),
  violations: s.violations.map((v) => `${v.rule} ${v.file}:${v.line}:${v.column} ${v.message}`),
});

describe('CatalogReader.readFrom', () => {
  it('equals a full read along a history of modifications, removals, fixes, duplicates and moves', async () => {
    const reader = new CatalogReader({ git: new NativeGitReader({ dir: repo.dir }), cache: false });
    let prev = await reader.read(commits.base);
    for (const name of ['modify', 'removeReferenced', 'fix', 'duplicate', 'move', 'cycle', 'clean', 'breakB', 'fixB', 'classes', 'besideClasses', 'noClasses']) {
      const next = await reader.readFrom(prev, commits[name]);
      const full = await new CatalogReader({ git: new NativeGitReader({ dir: repo.dir }), cache: false }).read(commits[name]);
      expect(view(next), name).toEqual(view(full));
      if (!name.toLowerCase().includes('classes')) expect(snapshotView(next), name).toEqual(modelView(await commitInputs(repo.dir, commits[name])));
      prev = next;
    }
    expect(view(prev).violations).toEqual([expect.stringMatching(/^schema cert\.yaml:2:1 unknown kind "Certificate"/)]);
  });

  it('keeps the base definition of an entity a change defines again, as the reference model does with the base named', async () => {
    const reader = new CatalogReader({ git: new NativeGitReader({ dir: repo.dir }), cache: false });
    const base = await reader.read(commits.clean);
    const head = await reader.readFrom(base, commits.duplicateFirst);
    const definedAt = (ref: string) => base.entities.get(ref)?.source.file;
    expect(snapshotView(head)).toEqual(modelView(await commitInputs(repo.dir, commits.duplicateFirst), { definedAt }));
    expect(head.entities.get('component:default/b')!.source.file).toBe('b.yaml');
    expect(head.violations).toEqual([expect.objectContaining({ rule: 'duplicate', file: '0.yaml' })]);
    const full = await reader.read(commits.duplicateFirst);
    expect(full.entities.get('component:default/b')!.source.file).toBe('0.yaml');
    expect(snapshotView(full)).toEqual(modelView(await commitInputs(repo.dir, commits.duplicateFirst)));
  });

  it('derives commits whose only unresolved references are to external kinds, and reads in full when one of those entities arrives', async () => {
    const own = TestRepo.create();
    try {
      const cfg = { 'cmdb.yaml': 'references:\n  external: [group]\n' };
      const steps = [
        own.commit({ ...cfg, 'a.yaml': svc('a'), 'b.yaml': svc('b', { dependsOn: ['component:a'] }) }),
        own.commit({ 'b.yaml': svc('b', { dependsOn: ['component:a'], criticality: 'high' }) }),
        own.commit({ 'team.yaml': entity('Group', 'team', { type: 'team' }) }),
      ];
      const reader = new CatalogReader({ git: new NativeGitReader({ dir: own.dir }), cache: false });
      let prev = await reader.read(steps[0]);
      const derived: boolean[] = [];
      for (const commit of steps.slice(1)) {
        const next = await reader.readFrom(prev, commit);
        derived.push(next.derivedFrom?.base.deref() === prev);
        const full = await new CatalogReader({ git: new NativeGitReader({ dir: own.dir }), cache: false }).read(commit);
        expect(view(next)).toEqual(view(full));
        expect(snapshotView(next)).toEqual(modelView(await commitInputs(own.dir, commit), { external: ['group'] }));
        prev = next;
      }
      expect(derived).toEqual([true, false]);
      expect(prev.violations).toEqual([]);
      expect(prev.relationsOfTypes(['ownedBy']).map((r) => r.source)).toEqual(['component:default/a', 'component:default/b']);
    } finally {
      own.remove();
    }
  });

  it('derives a commit beside CIClass kinds, and reads in full when a class goes', async () => {
    const reader = new CatalogReader({ git: new NativeGitReader({ dir: repo.dir }), cache: false });
    const classes = await reader.read(commits.classes);
    const beside = await reader.readFrom(classes, commits.besideClasses);
    expect(beside.derivedFrom?.base.deref()).toBe(classes);
    expect(beside.entities.get('certificate:default/web')!.spec).toEqual({ issuer: 'le', owner: 'team' });
    const gone = await reader.readFrom(beside, commits.noClasses);
    expect(gone.derivedFrom).toBeUndefined();
    expect(gone.entities.has('certificate:default/web')).toBe(false);
  });

  it('reports a reference to a removed entity at the referring file', async () => {
    const reader = new CatalogReader({ git: new NativeGitReader({ dir: repo.dir }), cache: false });
    const head = await reader.readFrom(await reader.read(commits.modify), commits.removeReferenced);
    expect(head.violations).toEqual([expect.objectContaining({ rule: 'dangling-reference', file: 'b.yaml', ref: 'component:default/b' })]);
    expect(reader.lastRead).toEqual({ files: 4, parsed: 0, fromCache: 4 });
  });
});
