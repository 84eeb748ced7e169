import type { CatalogConfig } from '../catalog/config.ts';
import type { Violation } from '../catalog/types.ts';

/**
 * A check of one section of cmdb.yaml that a layer above this one reads
 * (`incidents`, `reconcile`): its violations at cmdb.yaml's lines and
 * columns. The command or server passes the checks in (`commitViolations`,
 * `EvaluationContext.configSections`), since this layer cannot import theirs.
 */
export type ConfigSectionCheck = (config: CatalogConfig) => Violation[];

/** The violations of every section check on one config. */
export const sectionViolations = (config: CatalogConfig, checks: readonly ConfigSectionCheck[] = []): Violation[] => checks.flatMap((check) => check(config));
