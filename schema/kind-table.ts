import type { Family } from './envelope.ts';
import { GENERIC_KIND_NAME } from './generic-kind.ts';
import type { SchemaIssue } from './messages.ts';

/** How to check a document of one kind once its apiVersion and kind are known. */
export interface KindEntry {
  /** Canonical name. */
  kind: string;
  /** Issues of a document that is an object; may throw only on a bug. */
  check(doc: Record<string, unknown>): SchemaIssue[];
  /** True for a kind this project does not define, read generically (Backstage kinds beyond the core set). */
  generic?: boolean;
}

/** Kinds known per apiVersion family, looked up case-insensitively. */
export class KindTable {
  private readonly entries = new Map<string, KindEntry>();
  private readonly names: Record<Family, string[]> = { cmdb: [], backstage: [] };
  private readonly generic = new Map<Family, (kind: string) => KindEntry>();
  /** What `get` answered, per family, by the kind as it was written (including undefined). */
  private readonly asWritten: Record<Family, Map<string, KindEntry | undefined>> = { cmdb: new Map(), backstage: new Map() };

  add(family: Family, entry: KindEntry): void {
    this.entries.set(key(family, entry.kind), entry);
    this.asWritten[family].clear();
    this.names[family].push(entry.kind);
  }

  get(family: Family, kind: string): KindEntry | undefined {
    // A parse asks for the same few kinds, as written, several times per document: one lookup instead of lower-casing and joining each time.
    const written = this.asWritten[family];
    if (written.has(kind)) return written.get(kind);
    const entry = this.entries.get(key(family, kind));
    if (written.size < MAX_AS_WRITTEN) written.set(kind, entry);
    return entry;
  }

  /** Reads every other validly named kind of `family` with the entry `make` gives (its `kind` as written). */
  setGeneric(family: Family, make: (kind: string) => KindEntry): void {
    this.generic.set(family, make);
  }

  /**
   * The entry of a kind: its own, else, when the kind is not defined for any
   * family and its name is valid, the family's generic entry.
   */
  resolve(family: Family, kind: string): KindEntry | undefined {
    const own = this.get(family, kind);
    if (own) return own;
    const make = this.generic.get(family);
    if (!make || !GENERIC_KIND_NAME.test(kind) || this.definedAnywhere(kind)) return undefined;
    return make(kind);
  }

  private definedAnywhere(kind: string): boolean {
    return this.entries.has(key('cmdb', kind)) || this.entries.has(key('backstage', kind));
  }

  kindsOf(family: Family): readonly string[] {
    return this.names[family];
  }

  clone(): KindTable {
    const copy = new KindTable();
    for (const family of ['cmdb', 'backstage'] as const) {
      for (const name of this.names[family]) copy.add(family, this.get(family, name)!);
      const make = this.generic.get(family);
      if (make) copy.setGeneric(family, make);
    }
    return copy;
  }
}

/** Kinds as written `get` remembers per family: bounds what odd input can make it keep. */
const MAX_AS_WRITTEN = 256;

const key = (family: Family, kind: string): string => `${family}:${kind.toLowerCase()}`;
