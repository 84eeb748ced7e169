import { describe, expect, it } from 'vitest';
import { builtinValidator, BUILTIN_KINDS, SUPPORTED_API_VERSIONS } from '../../schema/index.ts';
import { cmdb } from './fixtures.ts';

const validator = builtinValidator();
const component = (metadata: Record<string, unknown>) =>
  cmdb('Component', { type: 'service', lifecycle: 'production', owner: 'group:shop' }, metadata);

describe('envelope', () => {
  it('exports the supported apiVersions and built-in kinds', () => {
    expect(SUPPORTED_API_VERSIONS).toEqual(['cmdb/v1', 'backstage.io/v1alpha1', 'backstage.io/v1beta1']);
    expect(BUILTIN_KINDS).toEqual([
      'Domain', 'System', 'Component', 'API', 'Resource', 'Group', 'User',
      'Host', 'Cluster', 'Network', 'ChangePolicy', 'ChangeWindow', 'CIClass',
    ]);
  });

  it.each([null, 'text', 42, [], undefined])('rejects a document that is not a map (%j)', (doc) => {
    const issues = validator.validate(doc);
    expect(issues).toHaveLength(1);
    expect(issues[0].pointer).toBe('');
    expect(issues[0].message).toMatch(/^must be a map with apiVersion, kind, metadata and spec, not /);
  });

  it('reports missing apiVersion and kind at the root', () => {
    expect(validator.validate({ metadata: { name: 'x' }, spec: {} })).toEqual([
      { pointer: '', message: 'missing required field "apiVersion"' },
      { pointer: '', message: 'missing required field "kind"' },
    ]);
  });

  it('reports an unknown apiVersion naming the known ones', () => {
    expect(validator.validate({ ...component({ name: 'x' }), apiVersion: 'cmdb/v2' })).toEqual([
      { pointer: '/apiVersion', message: 'unknown apiVersion "cmdb/v2"; expected one of cmdb/v1, backstage.io/v1alpha1, backstage.io/v1beta1' },
    ]);
  });

  it('reports a non-string apiVersion or kind', () => {
    expect(validator.validate({ ...component({ name: 'x' }), apiVersion: 1 })).toEqual([
      { pointer: '/apiVersion', message: 'must be a string, not the number 1' },
    ]);
    expect(validator.validate({ ...component({ name: 'x' }), kind: ['Component'] })).toEqual([
      { pointer: '/kind', message: 'must be a string, not a list' },
    ]);
  });

  it('reports an unknown kind naming the known ones, with a suggestion', () => {
    const [issue, ...rest] = validator.validate({ ...component({ name: 'x' }), kind: 'Compnent' });
    expect(rest).toEqual([]);
    expect(issue.pointer).toBe('/kind');
    expect(issue.message).toBe(
      'unknown kind "Compnent" for apiVersion cmdb/v1 (did you mean "Component"?); expected one of ' +
        'Domain, System, Component, API, Resource, Group, User, Host, Cluster, Network, ChangePolicy, ChangeWindow, CIClass',
    );
  });

  it('tells that a cmdb/v1-only kind needs apiVersion cmdb/v1', () => {
    const issues = validator.validate({ apiVersion: 'backstage.io/v1alpha1', kind: 'Host', metadata: { name: 'h' }, spec: {} });
    expect(issues).toEqual([
      {
        pointer: '/kind',
        message:
          'unknown kind "Host" for apiVersion backstage.io/v1alpha1; expected one of Domain, System, Component, API, Resource, Group, User; Host needs apiVersion cmdb/v1',
      },
    ]);
  });

  it('matches kinds case-insensitively and resolves their canonical name', () => {
    expect(validator.validate({ ...component({ name: 'x' }), kind: 'component' })).toEqual([]);
    expect(validator.resolveKind('cmdb/v1', 'api')).toBe('API');
    expect(validator.resolveKind('cmdb/v1', 'CICLASS')).toBe('CIClass');
    expect(validator.resolveKind('backstage.io/v1beta1', 'user')).toBe('User');
    expect(validator.resolveKind('backstage.io/v1alpha1', 'Host')).toBeUndefined();
    expect(validator.resolveKind('cmdb/v2', 'Component')).toBeUndefined();
    expect(validator.resolveKind('cmdb/v1', 'Nope')).toBeUndefined();
  });

  it('requires metadata.name and spec', () => {
    expect(validator.validate({ apiVersion: 'cmdb/v1', kind: 'Domain', metadata: {} })).toEqual([
      { pointer: '', message: 'missing required field "spec"' },
      { pointer: '/metadata', message: 'missing required field "name"' },
    ]);
  });

  it.each(['a', 'cart-service', 'Cart_Service.v2', '0', 'x'.repeat(63), 'a.b-c_d'])('accepts the name %j', (name) => {
    expect(validator.validate(component({ name, namespace: name }))).toEqual([]);
  });

  it.each(['', '-cart', '.x', 'cart service', 'cart/x', 'x'.repeat(64), 'ünïcode', 'trailing-', 'trailing.', 'trailing_'])('rejects the name %j', (name) => {
    const rule = 'must be 1-63 characters of letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
    expect(validator.validate(component({ name }))).toEqual([{ pointer: '/metadata/name', message: rule }]);
    expect(validator.validate(component({ name: 'ok', namespace: name }))).toEqual([{ pointer: '/metadata/namespace', message: rule }]);
  });

  it('checks metadata maps and lists', () => {
    const issues = validator.validate(
      component({ name: 'x', labels: { tier: 1 }, annotations: 'a=b', tags: ['ok', ''], links: [{ title: 'no url' }], title: '' }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { pointer: '/metadata/labels/tier', message: 'must be a string, not the number 1 (put it in quotes)' },
        { pointer: '/metadata/annotations', message: 'must be a map, not a string' },
        { pointer: '/metadata/tags/1', message: 'must not be empty' },
        { pointer: '/metadata/links/0', message: 'missing required field "url"' },
        { pointer: '/metadata/title', message: 'must not be empty' },
      ]),
    );
    expect(issues).toHaveLength(5);
  });

  it('rejects unknown top-level and metadata fields in cmdb/v1, naming them', () => {
    expect(validator.validate({ ...component({ name: 'x', lables: {} }), metdata: {} })).toEqual([
      { pointer: '/metdata', message: 'unknown field "metdata"; did you mean "metadata"?' },
      { pointer: '/metadata/lables', message: 'unknown field "lables"; did you mean "labels"?' },
    ]);
  });

  it('never throws, whatever the input', () => {
    const weird = [
      { apiVersion: 'cmdb/v1', kind: 'Component', metadata: null, spec: null },
      { apiVersion: 'cmdb/v1', kind: '__proto__', metadata: {}, spec: {} },
      { apiVersion: 'cmdb/v1', kind: 'ChangeWindow', metadata: { name: 'w' }, spec: { start: 5, end: [] } },
      { apiVersion: 'cmdb/v1', kind: 'CIClass', metadata: { name: 'c' }, spec: { kind: 7 } },
      Object.create(null),
    ];
    for (const doc of weird) expect(() => validator.validate(doc)).not.toThrow();
  });
});
