/** Roles, weakest first: `viewer` reads (queries, subscriptions), `responder` also changes incidents and problems, `admin` may do anything. */
export const ROLES = ['viewer', 'responder', 'admin'] as const;

export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** Whether `role` grants at least what `needed` grants. */
export const roleAtLeast = (role: Role, needed: Role): boolean => ROLES.indexOf(role) >= ROLES.indexOf(needed);

/** Who is calling: a configured token, an OIDC identity, or nobody (anonymous reads). */
export interface Principal {
  /** The token's name, the OIDC identity's `preferred_username`, `email` or `sub`, or `anonymous`. */
  name: string;
  role: Role;
  via: 'token' | 'oidc' | 'anonymous';
}

/** Credentials were presented and refused; `reason` is for the caller (it never contains the credentials). */
export interface CredentialsRejected {
  rejected: string;
}

/**
 * The outcome of authenticating a request: a principal (the anonymous one when
 * no credentials came and anonymous reads are on), refused credentials, or
 * `undefined` (no credentials, no anonymous reads).
 */
export type Authentication = Principal | CredentialsRejected | undefined;

export const isRejected = (a: Authentication): a is CredentialsRejected => a !== undefined && 'rejected' in a;

export const ANONYMOUS: Principal = Object.freeze({ name: 'anonymous', role: 'viewer', via: 'anonymous' });
