import { describe, expect, it } from 'vitest';
import { normalizeRef, parseRef, splitRef } from '../../catalog/refs.ts';

describe('parseRef reads references as Backstage parseEntityRef does', () => {
  it.each([
    ['cart', { defaultKind: 'component' }, 'component:default/cart'],
    ['Group:Shop/Team-A', {}, 'group:shop/team-a'],
    ['someone@example.com', { defaultKind: 'group' }, 'group:default/someone@example.com'],
    ['user:someone@example.com', {}, 'user:default/someone@example.com'],
    ['sre team', { defaultKind: 'group' }, 'group:default/sre team'],
    ['component:default/foo:bar', {}, 'component:default/foo:bar'],
    ['ns/x:y', { defaultKind: 'api' }, 'api:ns/x:y'],
    ['team', { defaultKind: 'group', defaultNamespace: 'shop' }, 'group:shop/team'],
  ])('%j -> %s', (text, defaults, expected) => {
    expect(normalizeRef(text, defaults)).toBe(expected);
    expect(splitRef(expected)).toEqual(expect.objectContaining({ name: expected.slice(expected.indexOf('/') + 1) }));
  });

  it.each([
    ['', 'an entity reference must be a non-empty string'],
    ['group:', '"group:" is not of the form [kind:][namespace/]name (the name is empty)'],
    [':x', '":x" is not of the form [kind:][namespace/]name (the kind before ":" is empty)'],
    ['group:/x', '"group:/x" is not of the form [kind:][namespace/]name (the namespace before "/" is empty)'],
    ['x', '"x" needs a kind here, as in "component:x"'],
  ])('refuses %j', (text, message) => {
    expect(parseRef(text)).toEqual({ ok: false, message });
  });
});
