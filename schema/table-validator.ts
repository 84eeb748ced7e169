import { FAMILY_OF_API_VERSION, type Family } from './envelope.ts';
import type { EntityValidator } from './entity-validator.ts';
import type { KindTable } from './kind-table.ts';
import type { SchemaIssue } from './messages.ts';
import { closest } from './suggest.ts';
import { describeValue } from './wording.ts';

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An EntityValidator dispatching on apiVersion and kind to one entry of a KindTable. */
export class TableValidator implements EntityValidator {
  constructor(
    private readonly table: KindTable,
    readonly fingerprint: string,
  ) {}

  resolveKind(apiVersion: string, kind: string): string | undefined {
    const family = FAMILY_OF_API_VERSION.get(apiVersion);
    if (family === undefined || typeof kind !== 'string') return undefined;
    return this.table.resolve(family, kind)?.kind;
  }

  isGeneric(apiVersion: string, kind: string): boolean {
    const family = FAMILY_OF_API_VERSION.get(apiVersion);
    return family !== undefined && typeof kind === 'string' && this.table.resolve(family, kind)?.generic === true;
  }

  validate(doc: unknown): SchemaIssue[] {
    try {
      return this.check(doc);
    } catch (error) {
      return [{ pointer: '', message: `could not be validated (internal error: ${(error as Error).message})` }];
    }
  }

  private check(doc: unknown): SchemaIssue[] {
    if (!isMap(doc)) {
      return [{ pointer: '', message: `must be a map with apiVersion, kind, metadata and spec, not ${describeValue(doc)}` }];
    }
    const family = typeof doc.apiVersion === 'string' ? FAMILY_OF_API_VERSION.get(doc.apiVersion) : undefined;
    const issues = [...apiVersionIssues(doc.apiVersion, family), ...this.kindIssues(doc.kind, family, doc.apiVersion)];
    if (issues.length > 0 || family === undefined) return issues;
    return this.table.resolve(family, doc.kind as string)!.check(doc);
  }

  /** Issues of `kind`; whether it is known is only checked when the apiVersion is. */
  private kindIssues(kind: unknown, family: Family | undefined, apiVersion: unknown): SchemaIssue[] {
    if (kind === undefined) return [{ pointer: '', message: 'missing required field "kind"' }];
    if (typeof kind !== 'string') return [{ pointer: '/kind', message: `must be a string, not ${describeValue(kind)}` }];
    if (family === undefined || this.table.resolve(family, kind)) return [];
    return [{ pointer: '/kind', message: this.unknownKind(kind, family, String(apiVersion)) }];
  }

  private unknownKind(kind: string, family: Family, apiVersion: string): string {
    const known = this.table.kindsOf(family);
    const cmdbOnly = family === 'backstage' ? this.table.get('cmdb', kind)?.kind : undefined;
    // Backstage kinds beyond ours are read generically: a guess would point one at another kind.
    const guess = family === 'cmdb' ? closest(kind, known) : undefined;
    if (family === 'backstage' && cmdbOnly === undefined) {
      return `"${kind}" is not a valid kind name for apiVersion ${apiVersion}: a letter, then letters and digits, at most 63 characters`;
    }
    return (
      `unknown kind "${kind}" for apiVersion ${apiVersion}${guess ? ` (did you mean "${guess}"?)` : ''}; ` +
      `expected one of ${known.join(', ')}${cmdbOnly ? `; ${cmdbOnly} needs apiVersion cmdb/v1` : ''}`
    );
  }
}

function apiVersionIssues(apiVersion: unknown, family: Family | undefined): SchemaIssue[] {
  if (family !== undefined) return [];
  if (apiVersion === undefined) return [{ pointer: '', message: 'missing required field "apiVersion"' }];
  if (typeof apiVersion !== 'string') return [{ pointer: '/apiVersion', message: `must be a string, not ${describeValue(apiVersion)}` }];
  const known = [...FAMILY_OF_API_VERSION.keys()].join(', ');
  return [{ pointer: '/apiVersion', message: `unknown apiVersion "${apiVersion}"; expected one of ${known}` }];
}
