import { CRITICALITIES } from '../core/types.ts';

/** A JSON Schema (draft-07) as a plain object. */
export type JsonSchema = { [keyword: string]: unknown };

/**
 * Annotation keyword holding the message shown when a `pattern`, length,
 * `anyOf`, ... check of that schema fails (same name and string form as the
 * VS Code JSON language service and ajv-errors use).
 */
export const HINT_KEYWORD = 'errorMessage';

/**
 * Entity names and namespaces, on every apiVersion: Backstage's rule for
 * object names (1-63 characters, letters or digits at both ends, "-", "_" and
 * "." allowed inside).
 */
export const NAME_PATTERN = '^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$';
export const NAME_MAX_LENGTH = 63;
const NAME_RULE = 'must be 1-63 characters of letters, digits, "-", "_" and ".", starting and ending with a letter or digit';

/** RFC 3339 date-time with a mandatory offset; `T` or a space between date and time. */
export const DATE_TIME_PATTERN =
  '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])[Tt ]([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d+)?([Zz]|[+-]([01]\\d|2[0-3]):[0-5]\\d)$';

/** A new kind's name: PascalCase. */
export const KIND_NAME_PATTERN = '^[A-Z][A-Za-z0-9]*$';

export const nonEmptyString = (description?: string): JsonSchema => ({
  type: 'string',
  minLength: 1,
  ...(description === undefined ? {} : { description }),
});

export const entityName = (description: string): JsonSchema => ({
  type: 'string',
  minLength: 1,
  maxLength: NAME_MAX_LENGTH,
  pattern: NAME_PATTERN,
  description,
  [HINT_KEYWORD]: NAME_RULE,
});

/** One entity reference `[kind:][namespace/]name` (its syntax is checked in catalog/). */
export const ref = (description: string): JsonSchema => nonEmptyString(description);

/** A list of non-empty strings. */
export const stringList = (description: string): JsonSchema => ({
  type: 'array',
  description,
  items: { type: 'string', minLength: 1 },
});

/** A list of entity references. */
export const refList = (description: string): JsonSchema => stringList(description);

export const stringMap = (description: string): JsonSchema => ({
  type: 'object',
  description,
  additionalProperties: { type: 'string' },
});

export const criticality: JsonSchema = {
  enum: [...CRITICALITIES],
  description: 'How much an outage hurts: critical, high, medium or low.',
};

/** Object schema: `strict` rejects fields not listed (cmdb/v1); lenient accepts them (Backstage). */
export function objectOf(
  properties: Record<string, JsonSchema>,
  options: { required?: readonly string[]; strict: boolean; description?: string },
): JsonSchema {
  return {
    type: 'object',
    ...(options.description === undefined ? {} : { description: options.description }),
    ...(options.required && options.required.length > 0 ? { required: [...options.required] } : {}),
    properties,
    ...(options.strict ? { additionalProperties: false } : {}),
  };
}

/** Backstage's `$text` / `$json` / `$yaml` placeholders, resolved before the entity is used. */
const placeholder: JsonSchema = {
  type: 'object',
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
  properties: {
    $text: nonEmptyString('Read the text at this path or URL.'),
    $json: nonEmptyString('Read and parse the JSON at this path or URL.'),
    $yaml: nonEmptyString('Read and parse the YAML at this path or URL.'),
  },
  [HINT_KEYWORD]: 'must have exactly one of $text, $json, $yaml',
};

/** A string, or a Backstage placeholder such as `{$text: ./openapi.yaml}`. */
export const stringOrPlaceholder = (description: string): JsonSchema => ({
  description,
  anyOf: [nonEmptyString(), placeholder],
  [HINT_KEYWORD]: 'must be a string, or a placeholder such as {$text: ./openapi.yaml}',
});

const kubernetesCheck: JsonSchema = objectOf(
  {
    cluster: ref('The cluster entity holding the object, e.g. cluster:prod-eu (default: the one the entity runs on).'),
    apiVersion: nonEmptyString('apiVersion of the Kubernetes object, e.g. apps/v1.'),
    kind: nonEmptyString('Kind of the Kubernetes object, e.g. Deployment.'),
    namespace: nonEmptyString('Namespace of the object; omit for cluster-scoped objects.'),
    name: nonEmptyString('Name of the object.'),
    expect: {
      type: 'object',
      description: 'Partial object the live one must match; lists of objects match by `name`.',
    },
    ignore: {
      type: 'array',
      description: 'RFC 6901 JSON pointers into expect, never compared, e.g. /spec/replicas.',
      items: { type: 'string', pattern: '^/', [HINT_KEYWORD]: 'must be a JSON pointer starting with "/", e.g. /spec/replicas' },
    },
  },
  { required: ['apiVersion', 'kind', 'name'], strict: true },
);

const httpCheck: JsonSchema = objectOf(
  {
    url: {
      type: 'string',
      pattern: '^[Hh][Tt][Tt][Pp][Ss]?://\\S+$',
      description: 'URL to request.',
      [HINT_KEYWORD]: 'must be an http:// or https:// URL',
    },
    method: { enum: ['GET', 'HEAD'], description: 'HTTP method (default GET).' },
    expectStatus: { type: 'integer', minimum: 100, maximum: 599, description: 'Expected status (default: any 2xx).' },
    timeoutSeconds: { type: 'number', exclusiveMinimum: 0, description: 'Request timeout in seconds (default 5).' },
    intervalSeconds: { type: 'number', exclusiveMinimum: 0, description: 'Seconds between probes (default 30).' },
    failureThreshold: { type: 'integer', minimum: 1, description: 'Consecutive failed probes before reporting (default 3).' },
    successThreshold: { type: 'integer', minimum: 1, description: 'Consecutive good probes before clearing (default 2).' },
    headers: stringMap('Request headers.'),
  },
  { required: ['url'], strict: true },
);

/** `$id` of the shared `observe` schema (compiled once, referenced by the kinds). */
export const OBSERVE_SCHEMA_ID = 'cmdb:schema/observe';

/** What reconcilers check for an entity: a list of `{kubernetes: ...}` or `{http: ...}` entries. */
export const observe: JsonSchema = { $ref: OBSERVE_SCHEMA_ID };

/** The shared schema `observe` refers to. */
export const observeSchema: JsonSchema = {
  $id: OBSERVE_SCHEMA_ID,
  type: 'array',
  description: 'Live checks run by the reconcilers.',
  items: {
    type: 'object',
    minProperties: 1,
    maxProperties: 1,
    additionalProperties: false,
    properties: { kubernetes: kubernetesCheck, http: httpCheck },
    [HINT_KEYWORD]: 'must have exactly one of kubernetes, http',
  },
};
