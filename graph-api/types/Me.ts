import { ROLES, type Principal, type Role } from '../../core/principal.ts';
import { requireRole } from '../auth.ts';
import type { ApiBuilder } from '../builder.ts';

const upper = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v.toUpperCase(), { value: v }])) as Record<Uppercase<T>, { value: T }>;

/** `Query.me`: who the server takes the caller for, so clients can check their credentials. */
export function addMeType(builder: ApiBuilder): void {
  const RoleEnum = builder.enumType('Role', {
    description: 'What a caller may do, weakest first: VIEWER reads, RESPONDER also acts on incidents and problems, ADMIN may do anything.',
    values: upper<Role>(ROLES),
  });
  const Via = builder.enumType('AuthenticatedVia', {
    description: 'How the caller was recognised.',
    values: upper<Principal['via']>(['token', 'oidc', 'anonymous']),
  });
  const Me = builder.objectRef<Principal>('Me').implement({
    description: 'The caller.',
    fields: (t) => ({
      name: t.exposeString('name', { description: 'The token\'s name, the OIDC identity (preferred_username, email or sub), or `anonymous`.' }),
      role: t.field({ type: RoleEnum, resolve: (p) => p.role }),
      via: t.field({ type: Via, resolve: (p) => p.via }),
    }),
  });
  builder.queryField('me', (t) =>
    t.field({
      type: Me,
      description: 'The caller: its name, role and how it was recognised. Without valid credentials (and without anonymous reads) the operation is UNAUTHENTICATED.',
      resolve: (_root, _args, ctx) => requireRole(ctx, 'viewer'),
    }),
  );
}
