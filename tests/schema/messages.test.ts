import { describe, expect, it } from 'vitest';
import { createAjv } from '../../schema/ajv.ts';
import { childPointer, toIssues } from '../../schema/messages.ts';
import { closest } from '../../schema/suggest.ts';

/** Issues of `data` against `schema`, through the same ajv setup the validator uses. */
function issuesOf(schema: object, data: unknown) {
  const validate = createAjv({ validateSchemas: true }).compile(schema);
  return validate(data) ? [] : toIssues(validate.errors);
}

describe('issue messages', () => {
  it('name the missing field at its parent and the unknown field at itself', () => {
    const schema = { type: 'object', required: ['owner'], additionalProperties: false, properties: { owner: { type: 'string' } } };
    expect(issuesOf(schema, { onwer: 'x' })).toEqual([
      { pointer: '', message: 'missing required field "owner"' },
      { pointer: '/onwer', message: 'unknown field "onwer"; did you mean "owner"?' },
    ]);
    expect(issuesOf({ type: 'object', additionalProperties: false }, { a: 1 })).toEqual([
      { pointer: '/a', message: 'unknown field "a"; no fields are allowed here' },
    ]);
  });

  it('escape field names in pointers', () => {
    expect(childPointer('/metadata/annotations', 'example.com/a~b')).toBe('/metadata/annotations/example.com~1a~0b');
    expect(issuesOf({ type: 'object', additionalProperties: { type: 'string' } }, { 'a/b': 1 })).toEqual([
      { pointer: '/a~1b', message: 'must be a string, not the number 1 (put it in quotes)' },
    ]);
  });

  it('say which types were expected and which was found, in YAML words', () => {
    const schema = {
      type: 'object',
      properties: { a: { type: 'array' }, b: { type: 'object' }, c: { type: 'boolean' }, d: { type: ['string', 'null'] }, e: { type: 'integer' } },
    };
    expect(issuesOf(schema, { a: {}, b: [], c: 'yes', d: true, e: null })).toEqual([
      { pointer: '/a', message: 'must be a list, not a map' },
      { pointer: '/b', message: 'must be a map, not a list' },
      { pointer: '/c', message: 'must be true or false, not a string' },
      { pointer: '/d', message: 'must be a string or null, not true (put it in quotes)' },
      { pointer: '/e', message: 'must be an integer, not null' },
    ]);
  });

  it('describe limits without ajv jargon', () => {
    const schema = {
      type: 'object',
      properties: {
        a: { type: 'string', minLength: 3, maxLength: 4 },
        b: { type: 'array', minItems: 3, uniqueItems: true },
        c: { type: 'number', multipleOf: 5, exclusiveMaximum: 3 },
        d: { const: 'fixed' },
        e: { not: { type: 'string' } },
        f: false,
        g: { type: 'object', dependencies: { port: ['host'] }, minProperties: 2 },
      },
    };
    expect(issuesOf(schema, { a: 'ab', b: [1, 1], c: 7, d: 'other', e: 'text', f: 1, g: { port: 1 } })).toEqual([
      { pointer: '/a', message: 'must be at least 3 characters long' },
      { pointer: '/b', message: 'must have at least 3 items' },
      { pointer: '/b', message: 'must not contain duplicates (items 0 and 1 are equal)' },
      { pointer: '/c', message: 'must be less than 3' },
      { pointer: '/c', message: 'must be a multiple of 5' },
      { pointer: '/d', message: 'must be fixed' },
      { pointer: '/e', message: 'has a value that is not allowed here' },
      { pointer: '/f', message: 'is not allowed here' },
      { pointer: '/g', message: 'must have at least 2 fields' },
      { pointer: '/g', message: 'missing field "host", required when "port" is set' },
    ]);
  });

  it('never contain ajv jargon', () => {
    const schema = { type: 'object', additionalProperties: false, required: ['a'], properties: { b: { anyOf: [{ type: 'string' }, { type: 'integer' }] } } };
    for (const { message } of issuesOf(schema, { b: [], c: 1 })) {
      expect(message).not.toMatch(/NOT|must match a schema in|additional properties|should /);
    }
  });

  describe('alternatives (anyOf / oneOf)', () => {
    const size = { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^\\d+Gi$' }] };

    it('report the errors of the one branch that fits the type of the value', () => {
      expect(issuesOf(size, 0)).toEqual([{ pointer: '', message: 'must be at least 1' }]);
      expect(issuesOf(size, '10G')).toEqual([{ pointer: '', message: 'must match the pattern ^\\d+Gi$' }]);
    });

    it('report the types wanted when no branch fits', () => {
      expect(issuesOf(size, [])).toEqual([{ pointer: '', message: 'must be an integer or a string, not a list' }]);
    });

    it('report the values wanted when every branch is a constant', () => {
      expect(issuesOf({ oneOf: [{ const: 'a' }, { enum: ['b', 'c'] }] }, 'd')).toEqual([{ pointer: '', message: 'must be one of a, b, c' }]);
    });

    it('use the errorMessage of the alternative when several branches fit', () => {
      const schema = { anyOf: [{ required: ['a'] }, { required: ['b'] }], errorMessage: 'needs a or b' };
      expect(issuesOf(schema, {})).toEqual([{ pointer: '', message: 'needs a or b' }]);
      expect(issuesOf({ anyOf: [{ required: ['a'] }, { required: ['b'] }] }, {})).toEqual([
        { pointer: '', message: 'does not match any of the allowed forms' },
      ]);
    });

    it('say when a oneOf matches more than one branch', () => {
      expect(issuesOf({ oneOf: [{ type: 'integer' }, { type: 'number' }] }, 1)).toEqual([
        { pointer: '', message: 'matches more than one of the allowed forms' },
      ]);
    });

    it('keep the errors of other keywords of the same schema', () => {
      const schema = { type: 'object', properties: { a: { type: 'string', enum: ['x'], anyOf: [{ minLength: 5 }, { maxLength: 0 }] } } };
      expect(issuesOf(schema, { a: 'abc' })).toEqual([
        { pointer: '/a', message: 'must be one of x' },
        { pointer: '/a', message: 'does not match any of the allowed forms' },
      ]);
    });

    it('leave the errors of referenced schemas to speak when the branch is unknown', () => {
      const schema = {
        definitions: { port: { type: 'integer', maximum: 65535 } },
        type: 'object',
        properties: { p: { anyOf: [{ $ref: '#/definitions/port' }, { type: 'array', items: { $ref: '#/definitions/port' } }] } },
      };
      expect(issuesOf(schema, { p: [70000] })).toEqual([{ pointer: '/p/0', message: 'must be at most 65535' }]);
    });
  });

  it('point at a field whose name is invalid, and list name patterns as allowed', () => {
    const schema = { type: 'object', propertyNames: { pattern: '^[a-z-]+$' }, additionalProperties: false, properties: { ab: {} }, patternProperties: { '^x-': {} } };
    expect(issuesOf(schema, { Ab: 1 })).toEqual([
      { pointer: '/Ab', message: 'field name "Ab" must match the pattern ^[a-z-]+$' },
      { pointer: '/Ab', message: 'unknown field "Ab"; did you mean "ab"?' },
    ]);
    expect(issuesOf(schema, { zz: 1 })).toEqual([{ pointer: '/zz', message: 'unknown field "zz"; expected one of ab, or a name matching ^x-' }]);
  });

  it('drop the wrapper error of if/then', () => {
    const schema = { if: { properties: { type: { const: 'kubernetes' } } }, then: { required: ['context'] } };
    expect(issuesOf(schema, { type: 'kubernetes' })).toEqual([{ pointer: '', message: 'missing required field "context"' }]);
  });

  it('suggest close names only', () => {
    expect(closest('lifecyle', ['type', 'lifecycle', 'owner'])).toBe('lifecycle');
    expect(closest('Owner', ['type', 'lifecycle', 'owner'])).toBe('owner');
    expect(closest('onwer', ['owner'])).toBe('owner');
    expect(closest('sytem', ['system'])).toBe('system');
    expect(closest('tpe', ['type'])).toBe('type');
    expect(closest('xyz', ['type'])).toBeUndefined();
    expect(closest('colour', ['criticality', 'owner'])).toBeUndefined();
  });
});
