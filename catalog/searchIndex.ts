import type { RefString, Snapshot } from './types.ts';

/** Separates the searched keys in the index text; stripped from search texts. */
const SEP = '\u0001';

/**
 * Entities found by text: refs, names and titles, case-insensitive. Ranked
 * exact match (a whole key), then prefix (a key starts with the text), then
 * substring; ties in ref order.
 *
 * Built once per snapshot from its columns (`rows.refs`, `rows.factsAt`), no
 * entity object built: one lower-cased text holding, entity after entity in
 * ref order, `SEP ref SEP name SEP title SEP`, plus each entity's offset in it.
 * A search is `indexOf` scans of that text (one per rank, each stopping once
 * it has enough), mapping a hit to its entity by binary search and skipping
 * the rest of that entity. Entities of one kind are a contiguous id range
 * (refs start with the kind), so a kind filter scans only its ranges.
 */
export class SearchIndex {
  readonly size: number;
  private readonly text: string;
  /** offsets[id] = start of entity id's segment; offsets[size] = text.length. */
  private readonly offsets: Int32Array;
  private readonly refs: readonly RefString[];
  /** Per kind, its id range [first, end). */
  private readonly kinds = new Map<string, [number, number]>();

  constructor(snapshot: Pick<Snapshot, 'rows'>) {
    const { rows } = snapshot;
    const refs = rows.refs;
    this.refs = refs;
    this.size = refs.length;
    this.offsets = new Int32Array(refs.length + 1);
    const parts: string[] = [];
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
      const segment = `${SEP}${ref}${SEP}${name}${SEP}${title}${SEP}`;
      this.offsets[id] = length;
      length += segment.length;
      parts.push(segment);
    }
    this.offsets[refs.length] = length;
    this.text = parts.join('');
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
    const found: number[] = [];
    const taken = new Set<number>();
    // One rank after the other; within a rank, hits come in id (ref) order: ranges are sorted and scanned in order.
    for (const pattern of [`${SEP}${needle}${SEP}`, `${SEP}${needle}`, needle]) {
      for (const [start, end] of ranges) {
        if (!this.scan(pattern, start, end, first - found.length, found, taken)) break;
      }
      if (found.length >= first) break;
    }
    return found.map((id) => this.refs[id]);
  }

  /** Id ranges of the kinds (all entities when undefined), sorted. */
  private rangesOf(kinds: readonly string[] | undefined): Array<[number, number]> {
    if (kinds === undefined) return [[0, this.size]];
    const ranges = [...new Set(kinds.map((k) => k.toLowerCase()))].map((k) => this.kinds.get(k)).filter((r) => r !== undefined);
    return ranges.sort((a, b) => a[0] - b[0]);
  }

  /**
   * Adds to `found` the ids in [start, end) whose segment contains `pattern`,
   * not yet taken, in id order, until `wanted` are added; false when it stopped for that.
   */
  private scan(pattern: string, start: number, end: number, wanted: number, found: number[], taken: Set<number>): boolean {
    const { text, offsets } = this;
    const stop = offsets[end];
    let added = 0;
    let at = offsets[start];
    while (added < wanted) {
      const hit = text.indexOf(pattern, at);
      if (hit < 0 || hit >= stop) return true;
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
