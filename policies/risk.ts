import type { Criticality } from '../catalog/types.ts';
import type { ChangeManagementConfig } from './config.ts';
import { RISK_LEVELS, type Policy, type Risk } from './types.ts';

export interface RiskAssessment {
  risk: Risk;
  /** What raised it above low, highest first, e.g. `policy critical-needs-cab (high)`; empty for a low-risk change. */
  reasons: string[];
}

/** The higher of two risks. */
export const maxRisk = (a: Risk, b: Risk): Risk => (RISK_LEVELS.indexOf(a) >= RISK_LEVELS.indexOf(b) ? a : b);

/** Risk from the number of impacted entities, per `risk.blastRadius` thresholds (inclusive). */
export function blastRadiusRisk(impacted: number, config: ChangeManagementConfig): Risk {
  const { moderate, high } = config.risk.blastRadius;
  return impacted >= high ? 'high' : impacted >= moderate ? 'moderate' : 'low';
}

/**
 * Risk of a change: the highest of the matched policies' `risk`, the risk
 * cmdb.yaml gives its highest changed-or-impacted criticality, and the risk of
 * its blast radius (impacted-entity count).
 */
export function assessRisk(options: { matched: readonly Policy[]; maxCriticality?: Criticality; impacted: number; config: ChangeManagementConfig }): RiskAssessment {
  const { matched, maxCriticality, impacted, config } = options;
  const factors: Array<[Risk, string]> = matched.filter((p) => p.risk).map((p) => [p.risk!, `policy ${p.name}`]);
  if (maxCriticality) factors.push([config.risk.criticality[maxCriticality], `a ${maxCriticality} entity is changed or impacted`]);
  const { moderate, high } = config.risk.blastRadius;
  factors.push([blastRadiusRisk(impacted, config), `blast radius of ${impacted} entities (moderate from ${moderate}, high from ${high})`]);
  const raising = factors.filter(([r]) => r !== 'low').sort((a, b) => RISK_LEVELS.indexOf(b[0]) - RISK_LEVELS.indexOf(a[0]));
  const risk = raising.reduce<Risk>((acc, [r]) => maxRisk(acc, r), 'low');
  return { risk, reasons: raising.map(([r, why]) => `${why} (${r})`) };
}
