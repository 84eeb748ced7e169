import type { ConfigSectionCheck } from '../controller/configSections.ts';
import { parseIncidentSettings } from '../incidents/config.ts';

/** The cmdb.yaml sections read above controller/ that `cmdb validate` and `cmdb check` report the problems of. */
export const CONFIG_SECTIONS: readonly ConfigSectionCheck[] = [(config) => parseIncidentSettings(config).violations];
