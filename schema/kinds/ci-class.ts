import { HINT_KEYWORD, KIND_NAME_PATTERN, objectOf } from '../fragments.ts';
import type { KindDefinition } from './kind-definition.ts';

/** Declares a new kind, with a JSON Schema (draft-07) for its `spec` (cmdb/v1 only). */
export const CI_CLASS_KIND: KindDefinition = {
  kind: 'CIClass',
  description: 'Declares a new kind of configuration item, with a JSON Schema for its spec.',
  cmdb: objectOf(
    {
      kind: {
        type: 'string',
        maxLength: 63,
        pattern: KIND_NAME_PATTERN,
        description: 'Name of the new kind; must not be a built-in kind.',
        [HINT_KEYWORD]: 'must be a PascalCase kind name of at most 63 characters, such as Database',
      },
      description: { type: 'string', description: 'What the kind represents.' },
      schema: { type: 'object', description: 'JSON Schema (draft-07) of the spec of entities of this kind.' },
    },
    { required: ['kind', 'schema'], strict: true },
  ),
};
