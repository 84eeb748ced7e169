import type { Family } from './envelope.ts';
import type { SchemaIssue } from './messages.ts';

/** How to check a document of one kind once its apiVersion and kind are known. */
export interface KindEntry {
  /** Canonical name. */
  kind: string;
  /** Issues of a document that is an object; may throw only on a bug. */
  check(doc: Record<string, unknown>): SchemaIssue[];
}

/** Kinds known per apiVersion family, looked up case-insensitively. */
export class KindTable {
  private readonly entries = new Map<string, KindEntry>();
  private readonly names: Record<Family, string[]> = { cmdb: [], backstage: [] };

  add(family: Family, entry: KindEntry): void {
    this.entries.set(key(family, entry.kind), entry);
    this.names[family].push(entry.kind);
  }

  get(family: Family, kind: string): KindEntry | undefined {
    return this.entries.get(key(family, kind));
  }

  kindsOf(family: Family): readonly string[] {
    return this.names[family];
  }

  clone(): KindTable {
    const copy = new KindTable();
    for (const family of ['cmdb', 'backstage'] as const) {
      for (const name of this.names[family]) copy.add(family, this.get(family, name)!);
    }
    return copy;
  }
}

const key = (family: Family, kind: string): string => `${family}:${kind.toLowerCase()}`;
