import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, parseBlob, type BlobInput } from '../../catalog/parseBlob.ts';

const blob = (content: string | Buffer, mode = '100644', path = 'x.yaml'): BlobInput => ({
  path,
  oid: 'f'.repeat(40),
  mode,
  content: Buffer.isBuffer(content) ? content : Buffer.from(content),
});

const COMPONENT = `apiVersion: cmdb/v1
kind: Component
metadata:
  name: cart
spec:
  type: service
  lifecycle: production
  owner: shop-team
  dependsOn: [resource:redis]
`;

describe('parseBlob', () => {
  it('reads every document of a multi-document file, with positions', () => {
    const r = parseBlob(blob(`${COMPONENT}---\n# a comment\n${COMPONENT.replace('cart', 'cart2')}`));
    expect(r.violations).toEqual([]);
    expect(r.documents.map((d) => [d.kind, d.ref, d.index])).toEqual([
      ['Component', 'component:default/cart', 0],
      ['Component', 'component:default/cart2', 1],
    ]);
    expect(r.documents[0].namePos).toEqual([4, 3]);
    expect(r.documents[1].start).toEqual([12, 1]);
    expect(r.documents[0].relations).toContainEqual(['dependsOn', 'component:default/cart', 'resource:default/redis', 'dependsOn', 9, 15]);
    expect(r.documents[0].facts).toEqual({ lifecycle: 'production', owner: 'group:default/shop-team' });
    expect(JSON.parse(r.documents[0].text).spec.type).toBe('service');
  });

  it('skips documents that are not entities of ours', () => {
    const r = parseBlob(blob('name: ci\non: push\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n---\n'));
    expect(r.documents).toEqual([]);
    expect(r.violations).toEqual([]);
  });

  it('skips Backstage Location and Template documents with a warning, on both parse paths', () => {
    const text = `${COMPONENT}---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets: [./a.yaml]\n`;
    for (const fast of [true, false]) {
      const r = parseBlob(blob(text), DEFAULT_LIMITS, undefined, { fast });
      expect(r.documents.map((d) => d.ref)).toEqual(['component:default/cart']);
      expect(r.pending).toEqual([]);
      expect(r.violations).toEqual([
        { rule: 'skipped-kind', severity: 'warning', message: 'kind Location organises a Backstage catalog; gitops-cmdb does not model it and skips the document', file: 'x.yaml', line: 11, column: 1 },
      ]);
    }
  });

  it('reads Backstage kinds it does not define generically, keeping only their owner and system, on both parse paths', () => {
    const text = 'apiVersion: backstage.io/v1alpha1\nkind: Environment\nmetadata:\n  name: prod\nspec:\n  owner: someone@example.com\n  system: shop\n  dependsOn: [not a reference here]\n  criticality: high\n';
    for (const fast of [true, false]) {
      const r = parseBlob(blob(text), DEFAULT_LIMITS, undefined, { fast });
      expect(r.violations).toEqual([]);
      expect(r.documents.map((d) => [d.kind, d.ref, d.facts.criticality])).toEqual([['Environment', 'environment:default/prod', 'high']]);
      expect(r.documents[0].relations).toEqual([
        ['ownedBy', 'environment:default/prod', 'group:default/someone@example.com', 'owner', 6, 3],
        ['partOf', 'environment:default/prod', 'system:default/shop', 'system', 7, 3],
      ]);
    }
  });

  it('reports a YAML syntax error at its line and column', () => {
    const r = parseBlob(blob('apiVersion: cmdb/v1\nkind: Component\nmetadata:\n  name: [unclosed\n'));
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatchObject({ rule: 'yaml', severity: 'error', file: 'x.yaml', line: expect.any(Number) });
    expect(r.violations[0].line).toBeGreaterThanOrEqual(4);
  });

  it('reports schema violations at the offending node', () => {
    const r = parseBlob(blob(COMPONENT.replace('lifecycle: production', 'lifecycle: production\n  criticality: extreme')));
    expect(r.documents).toEqual([]);
    expect(r.violations).toEqual([expect.objectContaining({ rule: 'schema', file: 'x.yaml', line: 8, column: 3 })]);
    expect(r.violations[0].message).toMatch(/critical/);
  });

  it('refuses an alias bomb without expanding it', () => {
    const bomb = [
      'apiVersion: cmdb/v1',
      'kind: Component',
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'metadata: {name: x}',
      'spec: {x: *f}',
    ].join('\n');
    const r = parseBlob(blob(bomb));
    expect(r.violations).toEqual([expect.objectContaining({ rule: 'yaml', file: 'x.yaml', line: 1 })]);
    expect(r.violations[0].message).toMatch(/alias bomb/);
  });

  it('refuses binary files, naming where the NUL byte is', () => {
    const r = parseBlob(blob(Buffer.concat([Buffer.from('a: 1\nb: '), Buffer.from([0, 1, 2])])));
    expect(r.violations).toEqual([expect.objectContaining({ rule: 'file', line: 2, column: 4 })]);
    expect(r.violations[0].message).toMatch(/binary/);
  });

  it('refuses files that are not UTF-8, naming the line', () => {
    const r = parseBlob(blob(Buffer.concat([Buffer.from('a: 1\nb: caf'), Buffer.from([0xe9, 0x0a])])));
    expect(r.violations).toEqual([expect.objectContaining({ rule: 'file', line: 2, column: 7 })]);
    expect(r.violations[0].message).toMatch(/UTF-8/);
  });

  it('refuses files over the size limit without parsing them', () => {
    const r = parseBlob(blob('#'.repeat(2000)), { ...DEFAULT_LIMITS, maxFileBytes: 1000 });
    expect(r.violations).toEqual([expect.objectContaining({ rule: 'file', line: 1, column: 1 })]);
    expect(r.violations[0].message).toMatch(/2000 bytes, over the 1000-byte limit/);
  });

  it('refuses symbolic links', () => {
    const r = parseBlob(blob('other.yaml', '120000'));
    expect(r.violations[0]).toMatchObject({ rule: 'file', file: 'x.yaml' });
    expect(r.violations[0].message).toMatch(/symbolic link/);
  });

  it('keeps documents of kinds it does not know for CIClass resolution', () => {
    const r = parseBlob(blob('apiVersion: cmdb/v1\nkind: Certificate\nmetadata: {name: web}\nspec: {issuer: le}\n'));
    expect(r.documents).toEqual([]);
    expect(r.pending).toHaveLength(1);
    expect(r.pending[0].positions['/spec/issuer']).toEqual([4, 8]);
  });

  it('reads an entity reference list of a Backstage descriptor', () => {
    const r = parseBlob(
      blob(`apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: artist-web
  description: The place to be, for great artists
spec:
  type: website
  lifecycle: production
  owner: artist-relations-team
  system: artist-engagement-portal
  dependsOn: ['resource:artists-db']
  providesApis: [artist-api]
`),
    );
    expect(r.violations).toEqual([]);
    expect(r.documents[0].kind).toBe('Component');
  });
});
