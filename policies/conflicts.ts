import { CmdbError } from '../core/errors.ts';
import { normalizeRef } from '../catalog/refs.ts';
import { parseRefQuery, resolveRefQuery, snapshotRefLookup } from '../catalog/refQuery.ts';
import type { RefString, Snapshot, Violation } from '../catalog/types.ts';
import type { Conflict, OpenChange } from './types.ts';

/** A ref already in normal form (what the controller records): normalizeRef would return it unchanged. */
const NORMAL_REF = /^[a-z][a-z0-9]*:[a-z0-9][-a-z0-9_.]{0,62}\/[a-z0-9][-a-z0-9_.]{0,62}$/;

/** How an open change's refs compare: normalized (`Component:Shop/Cart` = `component:shop/cart`), else lower case. */
const normalizeOpenRef = (text: string): RefString => (NORMAL_REF.test(text) ? text : (normalizeRef(text) ?? text.toLowerCase()));

/**
 * Open changes indexed by the entities they change or impact: each change's
 * refs are normalized once, when it is set, and overlaps are found by looking
 * up the touched refs (cost: the touched refs and the overlaps found, not the
 * size of the other changes). A change is keyed by its object; `set` of a new
 * object with the id of one held replaces it. A change's `impacted` must not
 * change after `set` (set a new object instead).
 */
export class OpenChangeIndex {
  /** id -> the change held under it. */
  private readonly byId = new Map<string, OpenChange>();
  /** ref (normalized) -> changes that change or impact it. */
  private readonly byRef = new Map<RefString, Set<OpenChange>>();
  /** change -> its refs, normalized and without duplicates. */
  private readonly refsOf = new Map<OpenChange, RefString[]>();

  /** An index of the changes (of changes sharing an id, the last). */
  static of(openChanges: readonly OpenChange[]): OpenChangeIndex {
    const index = new OpenChangeIndex();
    for (const open of openChanges) index.set(open);
    return index;
  }

  /** Holds `change` under its id, replacing the change held under it. */
  set(change: OpenChange): void {
    const held = this.byId.get(change.id);
    if (held !== undefined) this.forget(held);
    this.byId.set(change.id, change);
    const refs = [...new Set(change.impacted.map(normalizeOpenRef))];
    this.refsOf.set(change, refs);
    for (const ref of refs) {
      const changes = this.byRef.get(ref);
      if (changes) changes.add(change);
      else this.byRef.set(ref, new Set([change]));
    }
  }

  /** Drops the change held under `id`; false when there is none. */
  delete(id: string): boolean {
    const held = this.byId.get(id);
    if (held === undefined) return false;
    this.byId.delete(id);
    this.forget(held);
    return true;
  }

  /** Whether `change` (this object) is indexed. */
  has(change: OpenChange): boolean {
    return this.refsOf.has(change);
  }

  /**
   * The changes held, in the order `compare` gives, without `except` (an id).
   * findConflicts given this array (as returned, not a copy) uses the index.
   */
  list(options: { except?: string; compare?: (a: OpenChange, b: OpenChange) => number } = {}): OpenChange[] {
    const out = [...this.byId.values()].filter((c) => c.id !== options.except);
    if (options.compare) out.sort(options.compare);
    indexed.set(out, this);
    return out;
  }

  /** For each indexed change sharing a touched ref, the shared refs, sorted. */
  overlaps(touched: Iterable<RefString>): Map<OpenChange, RefString[]> {
    const shared = new Map<OpenChange, RefString[]>();
    // Sorted and without duplicates first, so every change's shared refs come out sorted.
    for (const ref of [...new Set(touched)].sort()) {
      const changes = this.byRef.get(ref);
      if (changes === undefined) continue;
      for (const change of changes) {
        const refs = shared.get(change);
        if (refs) refs.push(ref);
        else shared.set(change, [ref]);
      }
    }
    return shared;
  }

  private forget(change: OpenChange): void {
    for (const ref of this.refsOf.get(change) ?? []) {
      const changes = this.byRef.get(ref)!;
      changes.delete(change);
      if (changes.size === 0) this.byRef.delete(ref);
    }
    this.refsOf.delete(change);
  }
}

/** The refs `open` shares with `touched`, sorted (a scan of all its refs). */
function sharedRefs(open: OpenChange, touched: ReadonlySet<RefString>): RefString[] {
  const shared = new Set<RefString>();
  for (const text of open.impacted) {
    const ref = normalizeOpenRef(text);
    if (touched.has(ref)) shared.add(ref);
  }
  return [...shared].sort();
}

/** Arrays made by OpenChangeIndex.list, and their index. */
const indexed = new WeakMap<readonly OpenChange[], OpenChangeIndex>();

/**
 * Open changes whose impacted sets overlap this change's (its changed and
 * impacted entities), with the shared entities, in the order given. Refs of
 * open changes are normalized (`Component:Shop/Cart` = `component:shop/cart`).
 * When `openChanges` comes from OpenChangeIndex.list, overlaps are looked up
 * in the index; else (and for a listed change the index no longer holds) each
 * change's refs are scanned.
 */
export function findConflicts(options: { touched: Iterable<RefString>; openChanges: readonly OpenChange[]; self?: string }): Conflict[] {
  const { openChanges, self } = options;
  const others = self === undefined ? openChanges : openChanges.filter((open) => open.id !== self);
  if (others.length === 0) return [];
  const touchedRefs = [...options.touched];
  const index = indexed.get(openChanges);
  const shared = index?.overlaps(touchedRefs);
  let touched: Set<RefString> | undefined;
  const out: Conflict[] = [];
  for (const open of others) {
    // A listed change the index no longer holds was replaced after the list was made: scanned as listed.
    const refs = index?.has(open) ? shared!.get(open) : sharedRefs(open, (touched ??= new Set(touchedRefs)));
    if (refs !== undefined && refs.length > 0) out.push({ id: open.id, ...(open.title !== undefined ? { title: open.title } : {}), refs });
  }
  return out;
}

/**
 * Open changes with the entities they name resolved on `head` as the CLI
 * resolves its arguments (catalog/refQuery.ts): a full ref or `kind:name`
 * stays as it is (another change may add the entity); a name (or
 * `namespace/name`) becomes the one entity of the head that matches. A name
 * that matches none or several, or a malformed ref, is dropped with a
 * warning naming the change. The same array comes back when nothing needs
 * resolving (an OpenChangeIndex list keeps its index).
 */
export async function resolveOpenChanges(openChanges: readonly OpenChange[], head: Snapshot): Promise<{ openChanges: readonly OpenChange[]; problems: Violation[] }> {
  const needsResolving = (text: string) => !NORMAL_REF.test(text) && !text.includes(':');
  if (!openChanges.some((c) => c.impacted.some(needsResolving))) return { openChanges, problems: [] };
  const lookup = snapshotRefLookup(head);
  const problems: Violation[] = [];
  const resolved: OpenChange[] = [];
  for (const change of openChanges) {
    if (!change.impacted.some(needsResolving)) {
      resolved.push(change);
      continue;
    }
    const impacted: RefString[] = [];
    for (const text of change.impacted) {
      if (!needsResolving(text)) {
        impacted.push(text);
        continue;
      }
      const parsed = parseRefQuery(text);
      const outcome = parsed.ok ? await resolveRefQuery(parsed.query, lookup, `at the head commit ${head.commit.slice(0, 12)}`) : parsed;
      if (outcome.ok) impacted.push(outcome.ref);
      else problems.push({ rule: 'open-changes', severity: 'warning', message: `open change ${change.id} names ${JSON.stringify(text)}, left out of the overlaps: ${outcome.message}` });
    }
    resolved.push({ ...change, impacted });
  }
  return { openChanges: resolved, problems };
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Reads open changes from JSON: `[{"id", "title"?, "impacted": [ref]}]` (id
 * may be a number). Throws CmdbError `usage` naming the bad element.
 */
export function parseOpenChanges(json: unknown, source = 'open changes'): OpenChange[] {
  if (!Array.isArray(json)) throw new CmdbError(`${source}: must be a JSON array of {"id", "title", "impacted": [entity refs]}`, { code: 'usage' });
  return json.map((item, i) => {
    const bad = (what: string) => new CmdbError(`${source}: element ${i} ${what}`, { code: 'usage' });
    if (!isRecord(item)) throw bad('must be an object with id and impacted');
    if (typeof item.id !== 'string' && typeof item.id !== 'number') throw bad('needs an "id" (string or number)');
    if (item.title !== undefined && typeof item.title !== 'string') throw bad('has a "title" that is not a string');
    if (!Array.isArray(item.impacted) || !item.impacted.every((r) => typeof r === 'string')) throw bad('needs "impacted": a list of entity refs');
    return { id: String(item.id), ...(item.title !== undefined ? { title: item.title as string } : {}), impacted: item.impacted as string[] };
  });
}
