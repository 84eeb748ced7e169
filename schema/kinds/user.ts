import { criticality, nonEmptyString, objectOf, refList, type JsonSchema } from '../fragments.ts';
import type { KindDefinition } from './kind-definition.ts';

const profile = (strict: boolean): JsonSchema =>
  objectOf(
    {
      displayName: nonEmptyString('A display name.'),
      email: nonEmptyString('An email address reaching the user.'),
      picture: nonEmptyString('URL of an image representing the user.'),
    },
    { strict, description: 'Display information.' },
  );

const fields = (strict: boolean): Record<string, JsonSchema> => ({
  profile: profile(strict),
  memberOf: refList('Groups the user is a direct member of (default kind group).'),
  criticality,
});

/** A person. Unlike Backstage, cmdb/v1 does not require `memberOf`. */
export const USER_KIND: KindDefinition = {
  kind: 'User',
  description: 'A person: an employee, a contractor. The annotation github.com/user-login maps a GitHub login to it.',
  backstage: objectOf(fields(false), { required: ['memberOf'], strict: false }),
  cmdb: objectOf(fields(true), { strict: true }),
};
