import { criticality, ref, type JsonSchema } from './fragments.ts';

/** Backstage's rule for kind names (`isValidKind`): a letter, then letters and digits, at most 63 characters. */
export const GENERIC_KIND_NAME = /^[A-Za-z][A-Za-z0-9]{0,62}$/;

/**
 * The `spec` of a Backstage kind this project does not define (`Environment`,
 * `AiResource`, a plugin's kind): any fields, of which the owner, the system
 * and the criticality mean what they mean on every kind.
 */
export const genericSpecSchema: JsonSchema = {
  type: 'object',
  description: 'The spec of a kind read generically: only owner, system and criticality are interpreted.',
  properties: {
    owner: ref('Owner (default kind group).'),
    system: ref('System it belongs to (default kind system).'),
    criticality,
  },
};
