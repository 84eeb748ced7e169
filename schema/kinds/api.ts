import { criticality, nonEmptyString, objectOf, ref, stringOrPlaceholder, type JsonSchema } from '../fragments.ts';
import type { KindDefinition } from './kind-definition.ts';

const backstageFields: Record<string, JsonSchema> = {
  type: nonEmptyString('Format of the definition, e.g. openapi, asyncapi, graphql, grpc.'),
  lifecycle: nonEmptyString('Lifecycle stage, e.g. experimental, production, deprecated.'),
  owner: ref('Owner of the API (default kind group).'),
  system: ref('System the API belongs to (default kind system).'),
  definition: stringOrPlaceholder('The definition itself, or a placeholder such as {$text: ./openapi.yaml}.'),
};

const required = ['type', 'lifecycle', 'owner', 'definition'];

/** An interface exposed by a component. */
export const API_KIND: KindDefinition = {
  kind: 'API',
  description: 'An interface a component exposes (OpenAPI, AsyncAPI, GraphQL, gRPC, ...).',
  backstage: objectOf(backstageFields, { required, strict: false }),
  cmdb: objectOf({ ...backstageFields, criticality }, { required, strict: true }),
};
