import { CONFIG_FILE, configPosition, type CatalogConfig } from '../catalog/config.ts';
import type { Violation } from '../catalog/types.ts';
import { escapePointer } from '../catalog/yamlPositions.ts';
import { parsePointer } from './compare/pointer.ts';
import type { KubernetesTarget } from './types.ts';

/**
 * The `reconcile` section of cmdb.yaml:
 *
 * ```yaml
 * reconcile:
 *   ignore:                       # fields never compared, for every binding they match
 *     - group: apps               # each selector optional: absent matches any
 *       kind: Deployment
 *       namespace: shop
 *       name: cartservice
 *       pointers: [/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt]
 * ```
 */
export interface ReconcileConfig {
  ignore: IgnoreRule[];
}

export interface IgnoreRule {
  /** API group (`apps`; `""` for the core group). */
  group?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  pointers: string[];
}

export const RECONCILE_SECTION = 'reconcile';
export const DEFAULT_RECONCILE_CONFIG: ReconcileConfig = { ignore: [] };

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const SELECTORS = ['group', 'kind', 'namespace', 'name'] as const;

/**
 * Reads `reconcile` from cmdb.yaml's parsed document. Every problem is a
 * `config` violation at the file, line and column of the offending setting;
 * a bad rule is left out. Never throws.
 */
export function parseReconcileConfig(
  cmdb: Pick<CatalogConfig, 'raw'> & Partial<Pick<CatalogConfig, 'positions'>>,
  file = CONFIG_FILE,
): { config: ReconcileConfig; violations: Violation[] } {
  const violations: Violation[] = [];
  const problem = (path: Array<string | number>, message: string) => {
    const pointer = [RECONCILE_SECTION, ...path].map((s) => `/${escapePointer(String(s))}`).join('');
    const [line, column] = configPosition(cmdb, pointer);
    const dotted = [RECONCILE_SECTION, ...path].map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').slice(1);
    violations.push({ rule: 'config', severity: 'error', message: `${dotted} ${message}`, file, line, column });
  };
  const section = cmdb.raw[RECONCILE_SECTION];
  if (section === undefined || section === null) return { config: DEFAULT_RECONCILE_CONFIG, violations };
  if (!isRecord(section)) {
    problem([], 'must be a mapping (ignore)');
    return { config: DEFAULT_RECONCILE_CONFIG, violations };
  }
  const ignore: IgnoreRule[] = [];
  if (section.ignore !== undefined && !Array.isArray(section.ignore)) problem(['ignore'], 'must be a list of {group, kind, namespace, name, pointers}');
  else
    (section.ignore ?? []).forEach((entry: unknown, i: number) => {
      const rule = readRule(entry, (path, message) => problem(['ignore', i, ...path], message));
      if (rule) ignore.push(rule);
    });
  return { config: { ignore }, violations };
}

function readRule(entry: unknown, problem: (path: Array<string | number>, message: string) => void): IgnoreRule | undefined {
  if (!isRecord(entry)) return void problem([], 'must be a mapping with pointers and optional group, kind, namespace, name');
  const rule: IgnoreRule = { pointers: [] };
  let ok = true;
  for (const key of SELECTORS) {
    if (entry[key] === undefined) continue;
    if (typeof entry[key] === 'string') rule[key] = entry[key] as string;
    else (problem([key], 'must be a string'), (ok = false));
  }
  for (const key of Object.keys(entry)) if (!(SELECTORS as readonly string[]).includes(key) && key !== 'pointers') (problem([key], 'is not a setting (group, kind, namespace, name, pointers)'), (ok = false));
  if (!Array.isArray(entry.pointers) || entry.pointers.length === 0) return void problem(['pointers'], 'must be a non-empty list of JSON pointers, e.g. [/spec/replicas]');
  entry.pointers.forEach((p: unknown, j: number) => {
    const parsed = typeof p === 'string' ? parsePointer(p) : ({ ok: false, message: 'must be a JSON pointer string' } as const);
    if (parsed.ok) rule.pointers.push(p as string);
    else (problem(['pointers', j], parsed.message), (ok = false));
  });
  return ok ? rule : undefined;
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

/** The cmdb.yaml pointers that apply to a target (for `BindingOptions.ignoreFor`). */
export function ignoreFor(config: ReconcileConfig): (target: KubernetesTarget) => string[] {
  return (target) =>
    config.ignore
      .filter(
        (r) =>
          (r.group === undefined || r.group === groupOf(target.apiVersion)) &&
          (r.kind === undefined || r.kind === target.kind) &&
          (r.namespace === undefined || r.namespace === target.namespace) &&
          (r.name === undefined || r.name === target.name),
      )
      .flatMap((r) => r.pointers);
}
