import { describe, expect, it } from 'vitest';
import { builtinValidator } from '../../schema/index.ts';

const validator = builtinValidator();
const doc = (kind: string, spec: Record<string, unknown> | undefined, apiVersion = 'backstage.io/v1alpha1', name = 'x') => ({
  apiVersion,
  kind,
  metadata: { name },
  ...(spec === undefined ? {} : { spec }),
});

describe('Backstage catalogs as they are in the wild', () => {
  it.each(['Environment', 'AiResource', 'Capability', 'DashboardPanel'])('reads the kind %s generically, never as an error', (kind) => {
    expect(validator.resolveKind('backstage.io/v1alpha1', kind)).toBe(kind);
    expect(validator.isGeneric('backstage.io/v1alpha1', kind)).toBe(true);
    expect(validator.validate(doc(kind, { owner: 'team-a', system: 'shop', anything: { goes: [1] } }))).toEqual([]);
    expect(validator.validate(doc(kind, undefined))).toEqual([]);
  });

  it('checks the fields every kind shares on a generic kind, without hints at other kinds', () => {
    const issues = validator.validate(doc('Environment', { owner: '', criticality: 'hgh' }));
    expect(issues).toEqual([
      { pointer: '/spec/owner', message: 'must not be empty' },
      { pointer: '/spec/criticality', message: 'must be one of critical, high, medium, low' },
    ]);
    expect(JSON.stringify(validator.validate(doc('Componnet', {})))).not.toMatch(/did you mean/);
  });

  it('keeps its own kinds: core kinds are not generic, cmdb-only kinds still need cmdb/v1', () => {
    expect(validator.isGeneric('backstage.io/v1alpha1', 'component')).toBe(false);
    expect(validator.isGeneric('cmdb/v1', 'Environment')).toBe(false);
    expect(validator.resolveKind('cmdb/v1', 'Environment')).toBeUndefined();
    expect(validator.validate(doc('Host', {}))[0].message).toMatch(/Host needs apiVersion cmdb\/v1/);
    expect(validator.validate(doc('Not A Kind', {}))).toEqual([
      { pointer: '/kind', message: '"Not A Kind" is not a valid kind name for apiVersion backstage.io/v1alpha1: a letter, then letters and digits, at most 63 characters' },
    ]);
  });

  describe('APIs follow the per-type rules', () => {
    const api = (spec: Record<string, unknown>, apiVersion?: string) => doc('API', { lifecycle: 'production', owner: 'team-a', ...spec }, apiVersion);
    const remotes = [{ type: 'streamable-http', url: 'http://mcp.internal:7007/api/mcp' }];

    it.each(['backstage.io/v1alpha1', 'backstage.io/v1beta1', 'cmdb/v1'])('an mcp-server or ai-model-server API needs remotes, not a definition (%s)', (apiVersion) => {
      for (const type of ['mcp-server', 'ai-model-server']) {
        expect(validator.validate(api({ type, remotes }, apiVersion))).toEqual([]);
        expect(validator.validate(api({ type }, apiVersion))).toEqual([{ pointer: '/spec', message: 'missing required field "remotes"' }]);
        expect(validator.validate(api({ type, remotes: [] }, apiVersion))).toEqual([{ pointer: '/spec/remotes', message: 'must have at least 1 item' }]);
        expect(validator.validate(api({ type, remotes: [{ type: 'sse' }] }, apiVersion))).toEqual([{ pointer: '/spec/remotes/0', message: 'missing required field "url"' }]);
      }
    });

    it('any other type needs a definition', () => {
      expect(validator.validate(api({ type: 'openapi', remotes }))).toEqual([{ pointer: '/spec', message: 'missing required field "definition"' }]);
      expect(validator.validate(api({ type: 'openapi', definition: 'openapi: 3.0.0' }))).toEqual([]);
    });
  });

  describe('criticality is validated the same way on every apiVersion', () => {
    const specs: Record<string, Record<string, unknown>> = {
      Component: { type: 'service', lifecycle: 'production', owner: 'a' },
      API: { type: 'grpc', lifecycle: 'production', owner: 'a', definition: 'x' },
      Resource: { type: 'db', owner: 'a' },
      System: { owner: 'a' },
      Domain: { owner: 'a' },
      Group: { type: 'team', children: [] },
      User: { memberOf: [] },
    };
    it.each(Object.keys(specs))('%s', (kind) => {
      for (const apiVersion of ['cmdb/v1', 'backstage.io/v1alpha1', 'backstage.io/v1beta1']) {
        expect(validator.validate(doc(kind, { ...specs[kind], criticality: 'high' }, apiVersion))).toEqual([]);
        expect(validator.validate(doc(kind, { ...specs[kind], criticality: 'extreme' }, apiVersion))).toEqual([
          { pointer: '/spec/criticality', message: 'must be one of critical, high, medium, low' },
        ]);
      }
    });
  });

  it('names end with a letter or digit on both apiVersions', () => {
    for (const apiVersion of ['cmdb/v1', 'backstage.io/v1alpha1']) {
      expect(validator.validate(doc('System', { owner: 'a' }, apiVersion, 'trailing-'))).toEqual([
        { pointer: '/metadata/name', message: 'must be 1-63 characters of letters, digits, "-", "_" and ".", starting and ending with a letter or digit' },
      ]);
      expect(validator.validate(doc('System', { owner: 'a' }, apiVersion, 'a-1'))).toEqual([]);
    }
  });
});
