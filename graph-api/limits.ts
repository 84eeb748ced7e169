import {
  getNamedType,
  getNullableType,
  getOperationAST,
  GraphQLError,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from './graphql.ts';

/**
 * Limits on one operation, checked before execution: depth, aliases and
 * directives by graphql-armor (see plugins.ts), cost here (armor's cost rule
 * neither weighs fields nor reads variables: see measureCost), tokens by
 * graphql-js' parser.
 */
export interface QueryLimits {
  /** Deepest field nesting (`{ entity { owner { ref } } }` is 3); fragments add no level; `__schema` subtrees are not counted. */
  maxDepth: number;
  /** Largest estimated cost (see measureCost). */
  maxCost: number;
  /** Assumed length of a list field without a `first` argument. */
  listSize: number;
  /** Assumed `first` when neither the request nor the schema gives a number. */
  maxFirst: number;
  /** Most aliases in one operation (fragments counted where spread). */
  maxAliases: number;
  /** Most directives in one operation. */
  maxDirectives: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxCost: 100_000, listSize: 10, maxFirst: 500, maxAliases: 300, maxDirectives: 50 };

/**
 * Weight (the `cost` field extension) of fields that run a graph traversal,
 * O(entities + relations) each: with the default maxCost, at most 200 per query.
 */
export const TRAVERSAL_COST = 500;

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;
type Variables = Readonly<Record<string, unknown>>;

/**
 * The error for the operation of `document` that would run (by `operationName`)
 * when its estimated cost with these variables exceeds `limits.maxCost`; undefined otherwise.
 */
export function costLimitError(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Variables | null | undefined,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): GraphQLError | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined;
  const cost = measureCost(schema, document, operation, variables ?? {}, limits);
  return cost > limits.maxCost ? tooCostly(cost, limits.maxCost, operation) : undefined;
}

/**
 * Estimated cost of one operation. Cost of a field = its weight
 * (`extensions.cost`, default 1) + its fan-out x the cost of its selections;
 * fan-out is `first` when the field has that argument (from the query, the
 * variables, the variable's or the argument's default, else `maxFirst`),
 * 1 for non-lists and for lists inside a `*Connection` (its `first` counts them),
 * `listSize` for other lists. Fragments are expanded once each (memoized), so
 * any document is measured in linear time.
 */
export function measureCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Variables = {},
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): number {
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const values = { ...variableDefaults(operation), ...variables };
  return new Measurer(schema, limits, fragmentsOf(document), values).selections(operation.selectionSet, root);
}

const tooCostly = (cost: number, max: number, node: OperationDefinitionNode): GraphQLError =>
  new GraphQLError(
    `Query is too complex: estimated cost ${cost > 1e12 ? 'over 10^12' : cost}, maximum ${max}. Request fewer items ("first") or fewer nested lists.`,
    { nodes: node, extensions: { code: 'QUERY_TOO_COMPLEX' } },
  );

function fragmentsOf(document: DocumentNode): Fragments {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** Integer literal defaults of the operation's variables, by name. */
function variableDefaults(operation: OperationDefinitionNode): Record<string, number> {
  const defaults: Record<string, number> = {};
  for (const v of operation.variableDefinitions ?? []) {
    if (v.defaultValue?.kind === Kind.INT) defaults[v.variable.name.value] = Number(v.defaultValue.value);
  }
  return defaults;
}

/** Walks selections, costing each fragment once. */
class Measurer {
  private readonly memo = new Map<string, number>();
  private readonly visiting = new Set<string>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly limits: QueryLimits,
    private readonly fragments: Fragments,
    private readonly variables: Variables,
  ) {}

  selections(set: SelectionSetNode, parent: GraphQLNamedType): number {
    let cost = 0;
    for (const selection of set.selections) {
      cost +=
        selection.kind === Kind.FIELD
          ? this.field(selection, parent)
          : selection.kind === Kind.INLINE_FRAGMENT
            ? this.selections(selection.selectionSet, this.typeNamed(selection.typeCondition?.name.value) ?? parent)
            : this.fragment(selection.name.value);
    }
    return cost;
  }

  private field(node: FieldNode, parent: GraphQLNamedType): number {
    const definition = fieldDefinition(parent, node.name.value);
    const weight = typeof definition?.extensions.cost === 'number' ? definition.extensions.cost : 1;
    if (node.selectionSet === undefined || definition === undefined) return weight;
    return weight + this.fanOut(node, definition, parent) * this.selections(node.selectionSet, getNamedType(definition.type));
  }

  private fanOut(node: FieldNode, definition: GraphQLField<unknown, unknown>, parent: GraphQLNamedType): number {
    if (definition.args.some((a) => a.name === 'first')) return this.firstValue(node, definition);
    if (!isListOutput(definition.type) || parent.name.endsWith('Connection')) return 1;
    return this.limits.listSize;
  }

  /** `first` as the request gives it, else the argument's default, else `maxFirst`. */
  private firstValue(node: FieldNode, definition: GraphQLField<unknown, unknown>): number {
    const given = this.valueOf(node.arguments?.find((a) => a.name.value === 'first')?.value);
    const declared = definition.args.find((a) => a.name === 'first')?.defaultValue;
    const first = typeof given === 'number' ? given : typeof declared === 'number' ? declared : this.limits.maxFirst;
    return Number.isFinite(first) ? Math.max(0, first) : this.limits.maxFirst;
  }

  private valueOf(node: ValueNode | undefined): unknown {
    if (node?.kind === Kind.INT) return Number(node.value);
    return node?.kind === Kind.VARIABLE ? this.variables[node.name.value] : undefined;
  }

  private fragment(name: string): number {
    const known = this.memo.get(name);
    if (known !== undefined) return known;
    const definition = this.fragments.get(name);
    const type = this.typeNamed(definition?.typeCondition.name.value);
    if (definition === undefined || type === undefined || this.visiting.has(name)) return 0;
    this.visiting.add(name);
    const measure = this.selections(definition.selectionSet, type);
    this.visiting.delete(name);
    this.memo.set(name, measure);
    return measure;
  }

  private typeNamed(name: string | undefined): GraphQLNamedType | undefined {
    return name === undefined ? undefined : (this.schema.getType(name) ?? undefined);
  }
}

function fieldDefinition(parent: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
  if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

const isListOutput = (type: GraphQLOutputType): boolean => isListType(isNonNullType(type) ? getNullableType(type) : type);
