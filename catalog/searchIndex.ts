import type { RefString, Snapshot } from './types.ts';

/** Separates the searched keys in the index text; stripped from search texts. */
const SEP = '\u0001';

/** Prefix matches gathered from the sorted keys when at most this many keys share the prefix; beyond, a scan finds the first ones sooner. */
const PREFIX_GATHER = 4096;

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Entities found by text: refs, names and titles, case-insensitive. Ranked
 * exact match (a whole key), then prefix (a key starts with the text), then
 * substring; ties in ref order.
 *
 * Built once per snapshot from its columns (`rows.refs`, `rows.factsAt`), no
 * entity object built:
 * - exact: a map from each lower-cased key to its entities;
 * - prefix: refs are sorted already (a binary search gives their id range);
 *   names and titles are sorted once, so the entities of a rare prefix are
 *   gathered directly; a common one is found by the scan below, which then
 *   stops early;
 * - substring: one lower-cased text holding, entity after entity in ref
 *   order, `SEP ref SEP name SEP title SEP`, scanned with `indexOf` for the
 *   text itself (never for a pattern starting with SEP, which V8 scans slowly),
 *   a hit mapped to its entity by binary search over the entities' offsets,
 *   the rest of that entity skipped, stopping once there are enough.
 * Entities of one kind are a contiguous id range (refs start with the kind),
 * so a kind filter looks only at its ranges.
 */
export class SearchIndex {
  readonly size: number;
  private readonly text: string;
  /** offsets[id] = start of entity id's segment; offsets[size] = text.length. */
  private readonly offsets: Int32Array;
  private readonly refs: readonly RefString[];
  /** Per kind, its id range [first, end). */
  private readonly kinds = new Map<string, [number, number]>();
  /** Lower-cased ref, name or title -> its id, or ids ascending when several entities have it (most keys have one: no array). */
  private readonly exact = new Map<string, number | number[]>();
  /** Names and titles, lower-cased and sorted, with the id of each. */
  private readonly sortedKeys: string[];
  private readonly sortedIds: Int32Array;

  constructor(snapshot: Pick<Snapshot, 'rows'>) {
    const { rows } = snapshot;
    const refs = rows.refs;
    this.refs = refs;
    this.size = refs.length;
    this.offsets = new Int32Array(refs.length + 1);
    const parts: string[] = [];
    const keys: string[] = [];
    const keyIds: number[] = [];
    let length = 0;
    for (let id = 0; id < refs.length; id++) {
      const ref = refs[id];
      const colon = ref.indexOf(':');
      const kind = ref.slice(0, colon);
      const range = this.kinds.get(kind);
      if (range) range[1] = id + 1;
      else this.kinds.set(kind, [id, id + 1]);
      const name = ref.slice(ref.indexOf('/', colon) + 1);
      const title = clean(rows.factsAt(id).title ?? '');
      this.addExact(ref, id);
      this.addExact(name, id);
      keys.push(name);
      keyIds.push(id);
      if (title !== '') {
        this.addExact(title, id);
        keys.push(title);
        keyIds.push(id);
      }
      const segment = `${SEP}${ref}${SEP}${name}${SEP}${title}${SEP}`;
      this.offsets[id] = length;
      length += segment.length;
      parts.push(segment);
    }
    this.offsets[refs.length] = length;
    this.text = parts.join('');
    const order = keys.map((_, i) => i).sort((a, b) => compare(keys[a], keys[b]) || keyIds[a] - keyIds[b]);
    this.sortedKeys = order.map((i) => keys[i]);
    this.sortedIds = Int32Array.from(order, (i) => keyIds[i]);
  }

  private addExact(key: string, id: number): void {
    const known = this.exact.get(key);
    if (known === undefined) this.exact.set(key, id);
    else if (typeof known === 'number') {
      if (known !== id) this.exact.set(key, [known, id]);
    } else if (known[known.length - 1] !== id) known.push(id);
  }

  /**
   * At most `first` refs matching `text` (trimmed, case-insensitive), best
   * first; only entities of `kinds` (lower case) when given. An empty text matches nothing.
   */
  search(text: string, options: { kinds?: readonly string[]; first: number }): RefString[] {
    const needle = clean(text.trim());
    const { first } = options;
    if (needle === '' || first <= 0) return [];
    const ranges = this.rangesOf(options.kinds);
    const inRanges = (id: number) => ranges.some(([start, end]) => id >= start && id < end);
    const found: number[] = [];
    const taken = new Set<number>();
    const take = (ids: Iterable<number>) => {
      for (const id of ids) {
        if (found.length >= first) return;
        if (!taken.has(id) && inRanges(id)) {
          taken.add(id);
          found.push(id);
        }
      }
    };
    const exact = this.exact.get(needle);
    take(exact === undefined ? [] : typeof exact === 'number' ? [exact] : exact);
    if (found.length < first) {
      const gathered = this.prefixIds(needle);
      if (gathered) take(gathered);
      else for (const [start, end] of ranges) if (!this.scan(needle, start, end, first - found.length, found, taken, true)) break;
    }
    if (found.length < first) for (const [start, end] of ranges) if (!this.scan(needle, start, end, first - found.length, found, taken, false)) break;
    return found.map((id) => this.refs[id]);
  }

  /** Ids of every entity with a key starting with `needle`, ascending; undefined when more than PREFIX_GATHER keys do. */
  private prefixIds(needle: string): number[] | undefined {
    const refsFrom = lowerBound(this.refs, needle);
    const refsTo = lowerBound(this.refs, `${needle}\uffff`);
    const keysFrom = lowerBound(this.sortedKeys, needle);
    const keysTo = lowerBound(this.sortedKeys, `${needle}\uffff`);
    if (refsTo - refsFrom + keysTo - keysFrom > PREFIX_GATHER) return undefined;
    const ids = new Set<number>();
    for (let id = refsFrom; id < refsTo; id++) ids.add(id);
    for (let k = keysFrom; k < keysTo; k++) ids.add(this.sortedIds[k]);
    return [...ids].sort((a, b) => a - b);
  }

  /** Id ranges of the kinds (all entities when undefined), sorted. */
  private rangesOf(kinds: readonly string[] | undefined): Array<[number, number]> {
    if (kinds === undefined) return [[0, this.size]];
    const ranges = [...new Set(kinds.map((k) => k.toLowerCase()))].map((k) => this.kinds.get(k)).filter((r) => r !== undefined);
    return ranges.sort((a, b) => a[0] - b[0]);
  }

  /**
   * Adds to `found` the ids in [start, end) whose segment contains `needle`
   * (at the start of a key when `atKeyStart`), not yet taken, in id order,
   * until `wanted` are added; false when it stopped for that.
   */
  private scan(needle: string, start: number, end: number, wanted: number, found: number[], taken: Set<number>, atKeyStart: boolean): boolean {
    const { text, offsets } = this;
    const stop = offsets[end];
    let added = 0;
    let at = offsets[start];
    while (added < wanted) {
      const hit = text.indexOf(needle, at);
      if (hit < 0 || hit >= stop) return true;
      if (atKeyStart && text.charCodeAt(hit - 1) !== SEP_CODE) {
        at = hit + 1;
        continue;
      }
      const id = this.idAt(hit, start, end);
      if (!taken.has(id)) {
        taken.add(id);
        found.push(id);
        added++;
      }
      at = offsets[id + 1];
    }
    return false;
  }

  /** The entity whose segment holds text position `pos` (within [start, end)). */
  private idAt(pos: number, start: number, end: number): number {
    const { offsets } = this;
    let lo = start;
    let hi = end - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (offsets[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** First index of sorted `items` whose value is not below `value`. */
function lowerBound(items: readonly string[], value: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const SEP_CODE = SEP.charCodeAt(0);

/** Lower case, without the separator. */
const clean = (s: string): string => s.toLowerCase().replaceAll(SEP, '');

/** Indexes by snapshot: a cache that lives exactly as long as the snapshots it indexes. */
const indexes = new WeakMap<object, SearchIndex>();

/** The snapshot's index, built on first use and kept as long as the snapshot is. */
export function searchIndexOf(snapshot: Pick<Snapshot, 'rows'>): SearchIndex {
  let index = indexes.get(snapshot);
  if (!index) indexes.set(snapshot, (index = new SearchIndex(snapshot)));
  return index;
}
