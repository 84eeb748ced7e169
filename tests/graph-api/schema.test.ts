import { describe, expect, it } from 'vitest';
import { CRITICALITIES, type Criticality } from '../../catalog/types.ts';
import { RELATION_TYPES } from '../../catalog/relations.ts';
import { GraphQLEnumType, type GraphQLField, type GraphQLObjectType, getIntrospectionQuery, getOperationAST, parse, printSchema, specifiedRules, validate } from '../../graph-api/graphql.ts';
import { costLimitError, DEFAULT_QUERY_LIMITS, measureCost } from '../../graph-api/limits.ts';
import { createSchema } from '../../graph-api/schema.ts';

const schema = createSchema();

const enumValues = (name: string): unknown[] => (schema.getType(name) as GraphQLEnumType).getValues().map((v) => v.value);

describe('createSchema', () => {
  it('builds an independent, identical schema on every call', () => {
    expect(createSchema()).not.toBe(schema);
    expect(printSchema(createSchema())).toBe(printSchema(schema));
  });

  it('has a Relation value for every relation of the catalog and every criticality', () => {
    expect(enumValues('Relation').sort()).toEqual([...RELATION_TYPES].sort());
    expect(enumValues('Criticality').sort()).toEqual([...CRITICALITIES].sort() as Criticality[]);
    expect(enumValues('Direction').sort()).toEqual(['both', 'in', 'out']);
  });

  it('has the documented root fields', () => {
    const fields = schema.getQueryType()?.getFields() ?? {};
    expect(Object.keys(fields).sort()).toEqual([
      'catalog',
      'catalogViolations',
      'change',
      'changeWindows',
      'changes',
      'commit',
      'dependencyCycles',
      'diff',
      'entities',
      'entity',
      'evaluateChange',
      'findings',
      'impact',
      'incident',
      'incidents',
      'kpiSeries',
      'kpis',
      'me',
      'neighbourhood',
      'openChanges',
      'path',
      'problem',
      'problems',
      'search',
    ]);
    expect(String(fields.catalogViolations.type)).toBe('[CatalogViolation!]!');
    expect(String(fields.entities.type)).toBe('EntityConnection!');
    expect(String(fields.impact.type)).toBe('Impact!');
    expect(String(fields.path.type)).toBe('[Entity!]');
    expect(String(fields.dependencyCycles.type)).toBe('[[String!]!]!');
    expect(String(fields.search.type)).toBe('[Entity!]!');
    expect(String(fields.catalog.type)).toBe('Catalog!');
    expect(String(fields.changes.type)).toBe('ChangeConnection!');
    expect(String(fields.change.type)).toBe('Change');
    expect(String(fields.kpis.type)).toBe('Kpis!');
    expect(String(fields.kpiSeries.type)).toBe('[KpiPoint!]!');
    expect(String(fields.incidents.type)).toBe('IncidentConnection!');
    expect(String(fields.incident.type)).toBe('Incident');
    expect(String(fields.problems.type)).toBe('[Problem!]!');
    expect(String(fields.findings.type)).toBe('[Finding!]!');
  });

  it('has the incident mutations, each returning what it changed (arguments sorted)', () => {
    const fields = schema.getMutationType()?.getFields() ?? {};
    const shape = Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, `${f.args.map((a) => `${a.name}: ${String(a.type)}`).join(', ')} -> ${String(f.type)}`]));
    expect(shape).toEqual({
      acknowledgeIncident: 'id: String!, note: String -> Incident!',
      resolveIncident: 'id: String!, note: String -> Incident!',
      addIncidentNote: 'id: String!, note: String! -> Incident!',
      dismissProbableCause: 'change: String!, incident: String!, note: String -> Incident!',
      updateProblem: 'id: String!, note: String, state: ProblemState, workaround: String -> Problem!',
    });
  });

  it('gives Catalog the catalog fields of Query, with the same arguments and types', () => {
    const query = schema.getQueryType()!.getFields();
    const catalog = (schema.getType('Catalog') as GraphQLObjectType).getFields();
    const shape = (f: GraphQLField<unknown, unknown>) => ({ type: String(f.type), args: f.args.map((a) => `${a.name}: ${String(a.type)} = ${String(a.defaultValue)}`) });
    const catalogFields = ['catalogViolations', 'dependencyCycles', 'entities', 'entity', 'impact', 'neighbourhood', 'path', 'search'];
    expect(Object.keys(catalog).sort()).toEqual(['commit', ...catalogFields].sort());
    for (const name of catalogFields) expect(shape(catalog[name]), name).toEqual(shape(query[name]));
  });
});

describe('query cost', () => {
  const check = (query: string, variables: Record<string, unknown> = {}, limits = DEFAULT_QUERY_LIMITS): string[] => {
    const document = parse(query);
    const errors = [...validate(schema, document, specifiedRules)];
    const costly = errors.length === 0 ? costLimitError(schema, document, undefined, variables, limits) : undefined;
    return [...errors, ...(costly ? [costly] : [])].map((e) => e.message);
  };

  it('let the full introspection query through', () => {
    const query = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true });
    expect(check(query)).toEqual([]);
  });

  it('size a connection by first: literal, variable, variable default, argument default, or the page maximum', () => {
    const limits = { ...DEFAULT_QUERY_LIMITS, maxCost: 1000 };
    const page = (args: string, variables = '') => `query ${variables} { entities${args} { edges { node { ref title kind } } } }`;
    const cost = (query: string, variables: Record<string, unknown> = {}) =>
      measureCost(schema, parse(query), getOperationAST(parse(query))!, variables, limits);
    // cost = 1 + first * (1 edges + 1 node + 3 leaves)
    expect(cost(page('(first: 199)'))).toBe(996);
    expect(check(page('(first: 199)'), {}, limits)).toEqual([]);
    expect(check(page('(first: 200)'), {}, limits)).toEqual([
      'Query is too complex: estimated cost 1001, maximum 1000. Request fewer items ("first") or fewer nested lists.',
    ]);
    expect(cost(page('(first: $n)', '($n: Int)'), { n: 7 })).toBe(36);
    expect(cost(page('(first: $n)', '($n: Int = 10)'))).toBe(51);
    expect(cost(page('(first: $n)', '($n: Int)'))).toBe(251);
    expect(cost(page(''))).toBe(251);
    expect(cost(page('(first: $n)', '($n: Int)'), { n: 'x' })).toBe(251);
  });

  it('let the runbook HTML of one incident through but not of a page of incidents (each is a blob read and a render)', () => {
    expect(check('{ incident(id: "INC-1") { runbooks { path markdown html } } }')).toEqual([]);
    expect(check('{ incidents(first: 50) { nodes { runbooks { path markdown } } } }')).toEqual([]);
    expect(check('{ incidents(first: 50) { nodes { runbooks { html } } } }')[0]).toMatch(/^Query is too complex: estimated cost \d+, maximum 100000/);
  });

  it('survive fragment cycles (reported by graphql itself)', () => {
    const errors = check(`{ entity(ref: "component:x") { ...A } } fragment A on Entity { owner { ...B } } fragment B on Entity { owner { ...A } }`);
    expect(errors).toEqual(['Cannot spread fragment "A" within itself via "B".']);
  });

  it('measure exponentially expanding fragments without expanding them (an exponential walk would never finish)', () => {
    const levels = 40;
    const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Entity { a: owner { ...F${i + 1} } b: owner { ...F${i + 1} } }`);
    const query = `{ entity(ref: "component:x") { ...F0 } } ${fragments.join(' ')} fragment F${levels} on Entity { ref }`;
    expect(measureCost(schema, parse(query), getOperationAST(parse(query))!)).toBeGreaterThan(2 ** levels);
    expect(check(query)).toEqual(['Query is too complex: estimated cost over 10^12, maximum 100000. Request fewer items ("first") or fewer nested lists.']);
  });
});
