import { describe, expect, it } from 'vitest';
import { assembleSnapshot, SnapshotAssembler } from '../../catalog/assemble.ts';
import { parseBlob } from '../../catalog/parseBlob.ts';
import { entity } from '../helpers/gitRepo.ts';

let n = 0;
const file = (path: string, text: string) => ({ path, result: parseBlob({ path, oid: (++n).toString(16).padStart(40, '0'), mode: '100644', content: Buffer.from(text) }) });
const team = file('team.yaml', entity('Group', 'team', { type: 'team', children: [] }));

describe('assembleSnapshot', () => {
  it('keeps the first of two entities whose refs differ only in case, and reports the second', () => {
    const { snapshot } = assembleSnapshot('c1', [
      team,
      file('a.yaml', entity('Resource', 'Cache', { type: 'cache', owner: 'team' })),
      file('b.yaml', `# dup\n${entity('Resource', 'cache', { type: 'cache', owner: 'team' })}`),
    ]);
    expect(snapshot.entities.get('resource:default/cache')!.source.file).toBe('a.yaml');
    expect(snapshot.violations).toEqual([
      expect.objectContaining({ rule: 'duplicate', file: 'b.yaml', line: 5, column: 3, ref: 'resource:default/cache' }),
    ]);
    expect(snapshot.violations[0].message).toMatch(/already defined at a\.yaml:1:1/);
  });

  it('reports references to entities that do not exist, at the reference', () => {
    const { snapshot } = assembleSnapshot('c1', [
      team,
      file('svc.yaml', entity('Component', 'svc', { type: 'service', lifecycle: 'production', owner: 'team', dependsOn: ['resource:ghost'] })),
    ]);
    expect(snapshot.violations).toEqual([
      expect.objectContaining({ rule: 'dangling-reference', file: 'svc.yaml', ref: 'component:default/svc', line: 10, column: 7 }),
    ]);
    expect(snapshot.violations[0].message).toBe('spec.dependsOn refers to resource:default/ghost, which does not exist');
    expect(snapshot.relations.some((r) => r.target === 'resource:default/ghost')).toBe(false);
  });

  it('requires a kind on dependsOn references', () => {
    const { snapshot } = assembleSnapshot('c1', [
      team,
      file('svc.yaml', entity('Component', 'svc', { type: 'service', lifecycle: 'production', owner: 'team', dependsOn: ['redis'] })),
    ]);
    expect(snapshot.violations).toEqual([expect.objectContaining({ rule: 'reference', file: 'svc.yaml', line: 10, column: 7 })]);
    expect(snapshot.violations[0].message).toMatch(/needs a kind/);
  });

  it('normalizes inverse fields to one edge direction (members, children, dependencyOf)', () => {
    const { snapshot } = assembleSnapshot('c1', [
      file('g.yaml', entity('Group', 'parent', { type: 'org', children: ['child'], members: ['alice'] })),
      file('c.yaml', entity('Group', 'child', { type: 'team', children: [] })),
      file('u.yaml', entity('User', 'alice', { memberOf: [] })),
    ]);
    expect(snapshot.violations).toEqual([]);
    expect(snapshot.relations.map((r) => [r.type, r.source, r.target]).sort()).toEqual([
      ['childOf', 'group:default/child', 'group:default/parent'],
      ['memberOf', 'user:default/alice', 'group:default/parent'],
    ]);
  });

  it('validates kinds declared by a CIClass against its schema, wherever the class is', () => {
    const cls = file(
      'z/classes.yaml',
      entity('CIClass', 'certificate', { kind: 'Certificate', schema: { type: 'object', required: ['issuer'], properties: { issuer: { type: 'string' }, owner: { type: 'string' } } } }),
    );
    const good = file('a/good.yaml', 'apiVersion: cmdb/v1\nkind: Certificate\nmetadata: {name: web}\nspec: {issuer: le, owner: team}\n');
    const bad = file('a/bad.yaml', 'apiVersion: cmdb/v1\nkind: Certificate\nmetadata: {name: api}\nspec:\n  issuer: 42\n');
    const unknown = file('a/unknown.yaml', 'apiVersion: cmdb/v1\nkind: Gizmo\nmetadata: {name: g}\nspec: {}\n');
    const { snapshot } = assembleSnapshot('c1', [team, cls, good, bad, unknown]);
    expect(snapshot.entities.has('certificate:default/web')).toBe(true);
    expect(snapshot.entities.has('certificate:default/api')).toBe(false);
    expect(snapshot.violations.map((v) => [v.rule, v.file, v.line])).toEqual([
      ['schema', 'a/bad.yaml', 5],
      ['schema', 'a/unknown.yaml', 2],
    ]);
    expect(snapshot.relations).toContainEqual(expect.objectContaining({ type: 'ownedBy', source: 'certificate:default/web', target: 'group:default/team' }));
  });

  it('holds the files of class-declared kinds until every file is in, whatever the order results arrive in', () => {
    const cls = file('z/classes.yaml', entity('CIClass', 'certificate', { kind: 'Certificate', schema: { type: 'object', required: ['issuer'], properties: { issuer: { type: 'string' } } } }));
    const good = file('a/good.yaml', 'apiVersion: cmdb/v1\nkind: Certificate\nmetadata: {name: web}\nspec: {issuer: le}\n');
    const bad = file('a/bad.yaml', 'apiVersion: cmdb/v1\nkind: Certificate\nmetadata: {name: api}\nspec:\n  issuer: 42\n');
    const files = [team, cls, good, bad];
    const inOrder = assembleSnapshot('c1', files);
    // The certificates arrive before their class, the class last.
    const assembler = new SnapshotAssembler(files.map((f) => f.path));
    for (const i of [2, 3, 0, 1]) assembler.add(i, files[i].result);
    const { snapshot, resolved } = assembler.finish('c1', { records: () => undefined });
    expect(snapshot.table).toStrictEqual(inOrder.snapshot.table);
    expect([...resolved.keys()].sort()).toEqual([good.result.blob, bad.result.blob].sort());
    expect(snapshot.table.refs).toContain('certificate:default/web');
  });

  it('refuses a file added twice, and a finish before every file is in', () => {
    const twice = new SnapshotAssembler([team.path]);
    twice.add(0, team.result);
    expect(() => twice.add(0, team.result)).toThrow(/team\.yaml added twice/);
    const early = new SnapshotAssembler([team.path, 'b.yaml']);
    early.add(0, team.result);
    expect(() => early.finish('c1', { records: () => undefined })).toThrow(/no parse result for b\.yaml/);
  });
});
