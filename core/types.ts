/**
 * Types several top folders share (catalog, policies, controller, state and,
 * later, reconcilers and incidents), so none of them has to import another's
 * internals for a name.
 */

/** Lower-case `kind:namespace/name`, as printed by Backstage's stringifyEntityRef. */
export type RefString = string;

export type Criticality = 'critical' | 'high' | 'medium' | 'low';

/** Highest first. */
export const CRITICALITIES: readonly Criticality[] = ['critical', 'high', 'medium', 'low'];

/** Kinds of edges in the graph, named from the source's point of view. */
export type RelationType = 'ownedBy' | 'partOf' | 'dependsOn' | 'providesApi' | 'consumesApi' | 'runsOn' | 'memberOf' | 'childOf';

/** How risky a change is judged. */
export type Risk = 'low' | 'moderate' | 'high';

/** ITIL change type: pre-approved, assessed, or expedited. */
export type ChangeType = 'standard' | 'normal' | 'emergency';

/** The outcome of a change evaluation: everything reported derives from it (`internal`: a step failed, the change could not be evaluated). */
export type Decision = 'pass' | 'needs-approval' | 'blocked' | 'internal';
