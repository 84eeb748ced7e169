import { CONFIG_FILE } from '../catalog/config.ts';
import { normalizeRef } from '../catalog/refs.ts';
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

/**
 * Reads `changeManagement` from cmdb.yaml's parsed document (`CatalogConfig.raw`).
 * Every problem is a violation (file cmdb.yaml, the setting's path in the
 * message) and the default stands in; never throws.
 */
export function parseChangeManagement(raw: Record<string, unknown>, file = CONFIG_FILE): { config: ChangeManagementConfig; violations: Violation[] } {
  const defaults = DEFAULT_CHANGE_MANAGEMENT;
  const config: ChangeManagementConfig = {
    cabGroup: defaults.cabGroup,
    risk: { criticality: { ...defaults.risk.criticality }, blastRadius: { ...defaults.risk.blastRadius } },
  };
  const violations: Violation[] = [];
  const problem = (path: string, message: string) =>
    violations.push({ rule: 'config', severity: 'error', message: `${CHANGE_MANAGEMENT_SECTION}.${path} ${message}`, file });
  const section = raw[CHANGE_MANAGEMENT_SECTION];
  if (section === undefined || section === null) return { config, violations };
  if (!isRecord(section)) {
    violations.push({ rule: 'config', severity: 'error', message: `${CHANGE_MANAGEMENT_SECTION} must be a mapping (cabGroup, risk)`, file });
    return { config, violations };
  }
  if (section.cabGroup !== undefined) {
    const ref = typeof section.cabGroup === 'string' ? normalizeRef(section.cabGroup, { defaultKind: 'group' }) : undefined;
    if (ref?.startsWith('group:')) config.cabGroup = ref;
    else problem('cabGroup', 'must be a Group reference, e.g. group:cab');
  }
  const risk = section.risk;
  if (risk !== undefined && !isRecord(risk)) problem('risk', 'must be a mapping (criticality, blastRadius)');
  else if (risk) readRisk(risk, config, problem);
  return { config, violations };
}

function readRisk(risk: Record<string, unknown>, config: ChangeManagementConfig, problem: (path: string, message: string) => void): void {
  const byCriticality = risk.criticality;
  if (byCriticality !== undefined && !isRecord(byCriticality)) problem('risk.criticality', `must map ${CRITICALITIES.join(', ')} to a risk`);
  else if (byCriticality) {
    for (const [key, value] of Object.entries(byCriticality)) {
      if (!(CRITICALITIES as readonly string[]).includes(key)) problem(`risk.criticality.${key}`, `is not a criticality (${CRITICALITIES.join(', ')})`);
      else if (!(RISK_LEVELS as readonly unknown[]).includes(value)) problem(`risk.criticality.${key}`, `must be one of ${RISK_LEVELS.join(', ')}`);
      else config.risk.criticality[key as Criticality] = value as Risk;
    }
  }
  const radius = risk.blastRadius;
  if (radius !== undefined && !isRecord(radius)) problem('risk.blastRadius', 'must be a mapping with moderate and high (impacted-entity counts)');
  else if (radius) {
    for (const key of ['moderate', 'high'] as const) {
      if (radius[key] === undefined) continue;
      if (isCount(radius[key])) config.risk.blastRadius[key] = radius[key];
      else problem(`risk.blastRadius.${key}`, 'must be a whole number of impacted entities');
    }
    if (config.risk.blastRadius.high < config.risk.blastRadius.moderate) problem('risk.blastRadius.high', 'must not be below risk.blastRadius.moderate');
  }
}
