import { CmdbError } from '../catalog/errors.ts';
import { normalizeRef } from '../catalog/refs.ts';
import type { RefString } from '../catalog/types.ts';
import type { Conflict, OpenChange } from './types.ts';

/**
 * Open changes whose impacted sets overlap this change's (its changed and
 * impacted entities), with the shared entities, in the order given. Refs of
 * open changes are normalized (`Component:Shop/Cart` = `component:shop/cart`).
 */
export function findConflicts(options: { touched: Iterable<RefString>; openChanges: readonly OpenChange[]; self?: string }): Conflict[] {
  const touched = new Set(options.touched);
  const out: Conflict[] = [];
  for (const open of options.openChanges) {
    if (options.self !== undefined && open.id === options.self) continue;
    const shared = new Set<RefString>();
    for (const text of open.impacted) {
      const ref = normalizeRef(text) ?? text.toLowerCase();
      if (touched.has(ref)) shared.add(ref);
    }
    if (shared.size > 0) out.push({ id: open.id, ...(open.title !== undefined ? { title: open.title } : {}), refs: [...shared].sort() });
  }
  return out;
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
