import { describe, expect, it } from 'vitest';
import { builtinValidator } from '../../schema/index.ts';
import { BACKSTAGE_CATALOG_INFO, yamlDocs } from './fixtures.ts';

const validator = builtinValidator();
const docs = yamlDocs(BACKSTAGE_CATALOG_INFO) as Array<Record<string, unknown>>;
const withApiVersion = (doc: Record<string, unknown>, apiVersion: string) => ({ ...doc, apiVersion });
const component = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'artist-web' }) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata,
  spec,
});

describe('Backstage descriptors', () => {
  it('reads the catalog-info.yaml example, unchanged, under v1alpha1 and v1beta1', () => {
    expect(docs.map((d) => d.kind)).toEqual(['Component', 'API', 'API', 'Resource', 'System', 'Domain', 'Group', 'User']);
    for (const doc of docs) {
      expect(validator.validate(doc)).toEqual([]);
      expect(validator.validate(withApiVersion(doc, 'backstage.io/v1beta1'))).toEqual([]);
    }
  });

  it('accepts an entity as the Backstage API returns it (uid, etag, relations, status)', () => {
    const exported = {
      ...docs[0],
      metadata: {
        ...(docs[0].metadata as object),
        namespace: 'default',
        uid: '2152f463-549d-4d8d-a94d-ce2b7676c6e2',
        etag: 'ZjU2MWRkZWUtMmMxZS00YTZiLWFmMWMtOTE1NGNiZDdlYzNk',
        generation: 1,
      },
      relations: [{ type: 'ownedBy', targetRef: 'group:default/artist-relations-team' }],
      status: { items: [] },
    };
    expect(validator.validate(exported)).toEqual([]);
  });

  it('is lenient with extra spec and metadata fields, as Backstage is', () => {
    const doc = component(
      { type: 'service', lifecycle: 'production', owner: 'team-a', customField: { any: 'thing' }, runsOn: 'not-checked' },
      { name: 'artist-web', customMeta: 1 },
    );
    expect(validator.validate(doc)).toEqual([]);
  });

  it('still rejects unknown top-level fields, as Backstage does', () => {
    const doc = { ...component({ type: 'service', lifecycle: 'production', owner: 'team-a' }), sepc: {} };
    expect(validator.validate(doc)).toEqual([{ pointer: '/sepc', message: 'unknown field "sepc"; did you mean "spec"?' }]);
  });

  it.each([
    ['Component', { type: 'service', lifecycle: 'production' }, 'owner'],
    ['Component', { type: 'service', owner: 'x' }, 'lifecycle'],
    ['API', { type: 'openapi', lifecycle: 'production', owner: 'x' }, 'definition'],
    ['Resource', { owner: 'x' }, 'type'],
    ['System', { domain: 'd' }, 'owner'],
    ['Domain', {}, 'owner'],
    ['Group', { type: 'team' }, 'children'],
    ['User', { profile: {} }, 'memberOf'],
  ])('requires what Backstage requires: %s without %s', (kind, spec, missing) => {
    const doc = { apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name: 'x' }, spec };
    expect(validator.validate(doc)).toEqual([{ pointer: '/spec', message: `missing required field "${missing}"` }]);
  });

  it('requires spec', () => {
    const doc = { apiVersion: 'backstage.io/v1alpha1', kind: 'System', metadata: { name: 'x' } };
    expect(validator.validate(doc)).toEqual([{ pointer: '', message: 'missing required field "spec"' }]);
  });

  it('type-checks the fields Backstage defines', () => {
    const issues = validator.validate(
      component({ type: 'service', lifecycle: 'production', owner: ['team-a'], dependsOn: 'resource:db', providesApis: [''] }),
    );
    expect(issues).toEqual([
      { pointer: '/spec/owner', message: 'must be a string, not a list' },
      { pointer: '/spec/providesApis/0', message: 'must not be empty' },
      { pointer: '/spec/dependsOn', message: 'must be a list, not a string' },
    ]);
  });

  it('accepts an API definition as text or as a $text/$json/$yaml placeholder, and nothing else', () => {
    const api = (definition: unknown) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'API',
      metadata: { name: 'petstore' },
      spec: { type: 'openapi', lifecycle: 'production', owner: 'team-a', definition },
    });
    expect(validator.validate(api('openapi: 3.0.0'))).toEqual([]);
    expect(validator.validate(api({ $json: 'https://example.com/petstore.json' }))).toEqual([]);
    expect(validator.validate(api({ $yaml: './petstore.yaml' }))).toEqual([]);
    expect(validator.validate(api(42))).toEqual([
      { pointer: '/spec/definition', message: 'must be a string, or a placeholder such as {$text: ./openapi.yaml}' },
    ]);
    expect(validator.validate(api(''))).toEqual([{ pointer: '/spec/definition', message: 'must not be empty' }]);
    expect(validator.validate(api({ $txt: './petstore.yaml' }))).toEqual([
      { pointer: '/spec/definition/$txt', message: 'unknown field "$txt"; did you mean "$text"?' },
    ]);
    expect(validator.validate(api({ $text: 'a', $yaml: 'b' }))).toEqual([
      { pointer: '/spec/definition', message: 'must have exactly one of $text, $json, $yaml' },
    ]);
  });
});
