import { criticality, nonEmptyString, objectOf, ref, stringOrPlaceholder, type JsonSchema } from '../fragments.ts';
import type { KindDefinition } from './kind-definition.ts';

/** API types whose spec lists `remotes` (endpoints to connect to) instead of a `definition`, as Backstage defines them. */
export const REMOTE_API_TYPES = ['mcp-server', 'ai-model-server'] as const;

const remotes = (strict: boolean): JsonSchema => ({
  type: 'array',
  minItems: 1,
  description: 'Endpoints of the server (for API types mcp-server and ai-model-server).',
  items: objectOf(
    {
      type: nonEmptyString('Transport, e.g. streamable-http, sse, stdio, https.'),
      url: nonEmptyString('Endpoint URL (for stdio, the command).'),
    },
    { required: ['type', 'url'], strict },
  ),
});

const fields = (strict: boolean): Record<string, JsonSchema> => ({
  type: nonEmptyString('Type of API, e.g. openapi, asyncapi, graphql, grpc, mcp-server, ai-model-server.'),
  lifecycle: nonEmptyString('Lifecycle stage, e.g. experimental, production, deprecated.'),
  owner: ref('Owner of the API (default kind group).'),
  system: ref('System the API belongs to (default kind system).'),
  criticality,
  definition: stringOrPlaceholder('The definition itself, or a placeholder such as {$text: ./openapi.yaml}.'),
  remotes: remotes(strict),
});

/** Backstage's per-type rule: an mcp-server or ai-model-server API needs `remotes`, any other type a `definition`. */
const perType: JsonSchema = {
  if: { properties: { type: { enum: [...REMOTE_API_TYPES] } }, required: ['type'] },
  then: { required: ['remotes'] },
  else: { required: ['definition'] },
};

const required = ['type', 'lifecycle', 'owner'];

/** An interface exposed by a component. */
export const API_KIND: KindDefinition = {
  kind: 'API',
  description: 'An interface a component exposes (OpenAPI, AsyncAPI, GraphQL, gRPC, an MCP server, ...).',
  backstage: { ...objectOf(fields(false), { required, strict: false }), ...perType },
  cmdb: { ...objectOf(fields(true), { required, strict: true }), ...perType },
};
