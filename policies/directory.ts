import type { RefString, Snapshot } from '../catalog/types.ts';

/** The annotation mapping a User to a GitHub login. */
export const LOGIN_ANNOTATION = 'github.com/user-login';

/**
 * Who is who in one snapshot: GitHub logins of Users (annotation
 * github.com/user-login, case-insensitive) and group membership, direct or
 * through child groups (a member of `sre`, a child of `platform`, counts for
 * `platform`). Built lazily, once per snapshot.
 */
export class Directory {
  private readonly snapshot: Snapshot;
  private logins?: Map<string, RefString>;
  private membership?: { groupsOf: Map<RefString, RefString[]>; parentsOf: Map<RefString, RefString[]> };
  private readonly closure = new Map<RefString, Set<RefString>>();

  constructor(options: { snapshot: Snapshot }) {
    this.snapshot = options.snapshot;
  }

  private static readonly memo = new WeakMap<Snapshot, Directory>();

  /** The directory of a snapshot (one per snapshot). */
  static of(snapshot: Snapshot): Directory {
    let d = Directory.memo.get(snapshot);
    if (!d) Directory.memo.set(snapshot, (d = new Directory({ snapshot })));
    return d;
  }

  /** Whether the snapshot has this entity. */
  has(ref: RefString): boolean {
    return this.snapshot.entities.has(ref);
  }

  /** The User a GitHub login belongs to. */
  userOf(login: string): RefString | undefined {
    if (!this.logins) {
      this.logins = new Map();
      for (const e of this.snapshot.entitiesOfKinds(['User'])) {
        const login = e.kind === 'User' ? e.metadata.annotations?.[LOGIN_ANNOTATION] : undefined;
        if (typeof login === 'string' && !this.logins.has(login.toLowerCase())) this.logins.set(login.toLowerCase(), e.ref);
      }
    }
    return this.logins.get(login.toLowerCase());
  }

  /** Every group a user belongs to, directly or through the groups' parents. */
  groupsOf(user: RefString): Set<RefString> {
    const hit = this.closure.get(user);
    if (hit) return hit;
    if (!this.membership) {
      const groupsOf = new Map<RefString, RefString[]>();
      const parentsOf = new Map<RefString, RefString[]>();
      const add = (m: Map<RefString, RefString[]>, k: RefString, v: RefString) => (m.get(k) ?? m.set(k, []).get(k)!).push(v);
      for (const r of this.snapshot.relationsOfTypes(['memberOf', 'childOf'])) {
        if (r.type === 'memberOf') add(groupsOf, r.source, r.target);
        else if (r.type === 'childOf') add(parentsOf, r.source, r.target);
      }
      this.membership = { groupsOf, parentsOf };
    }
    const out = new Set<RefString>();
    const queue = [...(this.membership.groupsOf.get(user) ?? [])];
    while (queue.length > 0) {
      const g = queue.pop()!;
      if (out.has(g)) continue;
      out.add(g);
      queue.push(...(this.membership.parentsOf.get(g) ?? []));
    }
    this.closure.set(user, out);
    return out;
  }

  /** Whether a login speaks for a principal: it is that User, or a member of that Group. */
  speaksFor(login: string, principal: RefString): boolean {
    const user = this.userOf(login);
    if (!user) return false;
    return user === principal || this.groupsOf(user).has(principal);
  }
}
