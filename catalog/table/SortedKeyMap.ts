import { sortedIndexOf } from './SnapshotTable.ts';

/**
 * A read-only map over keys sorted in code-unit order, whose values are made
 * on demand from the key's index: lookups are binary searches, and nothing is
 * built for keys nobody asks for.
 */
export class SortedKeyMap<V> implements ReadonlyMap<string, V> {
  constructor(
    private readonly sortedKeys: readonly string[],
    private readonly valueAt: (index: number) => V,
  ) {}
  get size(): number {
    return this.sortedKeys.length;
  }
  has(key: string): boolean {
    return sortedIndexOf(this.sortedKeys, key) >= 0;
  }
  get(key: string): V | undefined {
    const i = sortedIndexOf(this.sortedKeys, key);
    return i < 0 ? undefined : this.valueAt(i);
  }
  keys(): MapIterator<string> {
    return this.sortedKeys[Symbol.iterator]() as MapIterator<string>;
  }
  *values(): MapIterator<V> {
    for (let i = 0; i < this.sortedKeys.length; i++) yield this.valueAt(i);
  }
  *entries(): MapIterator<[string, V]> {
    for (let i = 0; i < this.sortedKeys.length; i++) yield [this.sortedKeys[i], this.valueAt(i)];
  }
  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }
  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    for (let i = 0; i < this.sortedKeys.length; i++) fn(this.valueAt(i), this.sortedKeys[i], this);
  }
}
