import { criticality, nonEmptyString, objectOf, ref, refList, type JsonSchema } from '../fragments.ts';
import type { KindDefinition } from './kind-definition.ts';

const profile = (strict: boolean): JsonSchema =>
  objectOf(
    {
      displayName: nonEmptyString('A display name.'),
      email: nonEmptyString('An email address reaching the group.'),
      picture: nonEmptyString('URL of an image representing the group.'),
    },
    { strict, description: 'Display information.' },
  );

const fields = (strict: boolean): Record<string, JsonSchema> => ({
  type: nonEmptyString('Type of group, e.g. team, business-unit.'),
  profile: profile(strict),
  parent: ref('Parent group (default kind group).'),
  children: refList('Child groups (default kind group).'),
  members: refList('Users in the group (default kind user).'),
  criticality,
});

/** A team, business unit or other organisational group. Unlike Backstage, cmdb/v1 does not require `children`. */
export const GROUP_KIND: KindDefinition = {
  kind: 'Group',
  description: 'An organisational entity: a team, a business unit, an interest group.',
  backstage: objectOf(fields(false), { required: ['type', 'children'], strict: false }),
  cmdb: objectOf(fields(true), { required: ['type'], strict: true }),
};
