import { CONFIG_FILE, configPosition, type CatalogConfig } from '../catalog/config.ts';
import { normalizeRef } from '../catalog/refs.ts';
import { escapePointer } from '../catalog/yamlPositions.ts';
import { CRITICALITIES, type Criticality, type RefString, type Violation } from '../catalog/types.ts';
import { RISK_LEVELS, type Risk } from './types.ts';

/** The `changeManagement` section of cmdb.yaml, with defaults applied. */
export interface ChangeManagementConfig {
  /** The change advisory board: approves emergency changes and critical ones. */
  cabGroup: RefString;
  risk: {
    /** Risk of a change by the highest criticality it changes or impacts. */
    criticality: Record<Criticality, Risk>;
    /** Impacted-entity counts from which a change is moderate, and high, risk. */
    blastRadius: { moderate: number; high: number };
  };
}

export const CHANGE_MANAGEMENT_SECTION = 'changeManagement';

/** The defaults, documented in docs/policies.md. */
export const DEFAULT_CHANGE_MANAGEMENT: ChangeManagementConfig = {
  cabGroup: 'group:default/cab',
  risk: {
    criticality: { critical: 'high', high: 'moderate', medium: 'low', low: 'low' },
    blastRadius: { moderate: 10, high: 50 },
  },
};

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** cmdb.yaml as the catalog read it: the document, and where its nodes are (`CatalogConfig`). */
export type CmdbYaml = Pick<CatalogConfig, 'raw'> & Partial<Pick<CatalogConfig, 'positions'>>;

/** Records a problem of the setting at a path under `changeManagement`, placed at the setting `at` when that differs. */
type Problem = (path: string[], message: string, at?: string[]) => void;

/**
 * Reads `changeManagement` from cmdb.yaml's parsed document. Every problem is
 * a `config` violation at file, line and column of the offending setting (its
 * key; of a missing one, the nearest setting above it), the setting's dotted
 * path leading the message, and the default stands in; never throws.
 */
export function parseChangeManagement(cmdb: CmdbYaml, file = CONFIG_FILE): { config: ChangeManagementConfig; violations: Violation[] } {
  const defaults = DEFAULT_CHANGE_MANAGEMENT;
  const config: ChangeManagementConfig = {
    cabGroup: defaults.cabGroup,
    risk: { criticality: { ...defaults.risk.criticality }, blastRadius: { ...defaults.risk.blastRadius } },
  };
  const violations: Violation[] = [];
  const problem: Problem = (path, message, at = path) => {
    const pointer = [CHANGE_MANAGEMENT_SECTION, ...at].map((s) => `/${escapePointer(s)}`).join('');
    const [line, column] = configPosition(cmdb, pointer);
    violations.push({ rule: 'config', severity: 'error', message: `${[CHANGE_MANAGEMENT_SECTION, ...path].join('.')} ${message}`, file, line, column });
  };
  const section = cmdb.raw[CHANGE_MANAGEMENT_SECTION];
  if (section === undefined || section === null) return { config, violations };
  if (!isRecord(section)) {
    problem([], 'must be a mapping (cabGroup, risk)');
    return { config, violations };
  }
  if (section.cabGroup !== undefined) {
    const ref = typeof section.cabGroup === 'string' ? normalizeRef(section.cabGroup, { defaultKind: 'group' }) : undefined;
    if (ref?.startsWith('group:')) config.cabGroup = ref;
    else problem(['cabGroup'], 'must be a Group reference, e.g. group:cab');
  }
  const risk = section.risk;
  if (risk !== undefined && !isRecord(risk)) problem(['risk'], 'must be a mapping (criticality, blastRadius)');
  else if (risk) readRisk(risk, config, problem);
  return { config, violations };
}

function readRisk(risk: Record<string, unknown>, config: ChangeManagementConfig, problem: Problem): void {
  const byCriticality = risk.criticality;
  if (byCriticality !== undefined && !isRecord(byCriticality)) problem(['risk', 'criticality'], `must map ${CRITICALITIES.join(', ')} to a risk`);
  else if (byCriticality) {
    for (const [key, value] of Object.entries(byCriticality)) {
      const at = ['risk', 'criticality', key];
      if (!(CRITICALITIES as readonly string[]).includes(key)) problem(at, `is not a criticality (${CRITICALITIES.join(', ')})`);
      else if (!(RISK_LEVELS as readonly unknown[]).includes(value)) problem(at, `must be one of ${RISK_LEVELS.join(', ')}`);
      else config.risk.criticality[key as Criticality] = value as Risk;
    }
  }
  const radius = risk.blastRadius;
  if (radius !== undefined && !isRecord(radius)) problem(['risk', 'blastRadius'], 'must be a mapping with moderate and high (impacted-entity counts)');
  else if (radius) {
    for (const key of ['moderate', 'high'] as const) {
      if (radius[key] === undefined) continue;
      if (isCount(radius[key])) config.risk.blastRadius[key] = radius[key];
      else problem(['risk', 'blastRadius', key], 'must be a whole number of impacted entities');
    }
    if (config.risk.blastRadius.high < config.risk.blastRadius.moderate) {
      // With high left at its default, the moderate set above it is the setting to fix.
      problem(['risk', 'blastRadius', 'high'], 'must not be below risk.blastRadius.moderate', ['risk', 'blastRadius', isCount(radius.high) ? 'high' : 'moderate']);
    }
  }
}
