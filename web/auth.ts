/** The API token: kept in sessionStorage (gone when the tab closes), sent as `Authorization: Bearer`. */
import { Store } from './store.ts';

const KEY = 'cmdb.token';

function load(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export const token = new Store<string | undefined>(load());

export function signIn(value: string): void {
  sessionStorage.setItem(KEY, value);
  token.set(value);
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
  token.set(undefined);
}

export type Role = 'VIEWER' | 'RESPONDER' | 'ADMIN';
export interface Me {
  name: string;
  role: Role;
  via: 'ANONYMOUS' | 'TOKEN' | 'OIDC';
}

/** The caller (`me`): undefined while unknown, null when the API wants credentials. */
export const me = new Store<Me | null | undefined>(undefined);

const RANK: Record<Role, number> = { VIEWER: 0, RESPONDER: 1, ADMIN: 2 };
/** Whether the caller may do what needs `role` (acknowledge an incident needs RESPONDER). */
export const allowed = (caller: Me | null | undefined, role: Role): boolean => !!caller && RANK[caller.role] >= RANK[role];
