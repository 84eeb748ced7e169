import type { ConfigSectionCheck } from '../controller/configSections.ts';
import { parseReconcileConfig } from '../reconcilers/config.ts';
import { parseIncidentSettings } from './config.ts';

/**
 * The cmdb.yaml sections read above controller/ (`reconcile`, `incidents`)
 * whose problems `cmdb validate`, `cmdb check`, the GitHub check and the
 * served commit's violations report. Here, the lowest layer that sees both.
 */
export const CONFIG_SECTIONS: readonly ConfigSectionCheck[] = [(config) => parseReconcileConfig(config).violations, (config) => parseIncidentSettings(config).violations];
