import { CRITICALITIES } from '../../../core/types.ts';
import type { ImpactedRef } from '../../../state/IncidentRecords.ts';
import { severityOf } from '../../severity.ts';
import type { EngineStep } from '../EngineStep.ts';

/** How many impacted entities an incident lists when the engine is given no `impactedLimit`. */
export const DEFAULT_IMPACTED_LIMIT = 500;

const rank = (c: ImpactedRef['criticality']) => (c ? CRITICALITIES.indexOf(c) : CRITICALITIES.length);

/** Nearest first: by distance, then highest criticality (none last), then ref. */
export const nearestFirst = (a: ImpactedRef, b: ImpactedRef): number =>
  a.distance - b.distance || rank(a.criticality) - rank(b.criticality) || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0);

/**
 * Adds what the root impacts (graph.impact within the correlation depth, with
 * each entity's criticality) and the severity (highest criticality among the
 * root and ALL the impacted; `low` when none is known) to incidents opened or
 * reopened or re-rooted by this input; a changed severity goes on the
 * timeline. The incident keeps the nearest `impactedLimit` impacted
 * (`nearestFirst`) and the full count in `impactedCount`, so a root that
 * impacts tens of thousands of entities does not make every revision as large.
 */
export const impactStep: EngineStep = {
  name: 'impact',
  async run(draft, context) {
    for (const id of draft.rootChanged) {
      const incident = draft.incidentForWrite(id);
      if (incident.state === 'resolved' || incident.root === null) continue;
      const topology = await context.topology.of(incident.root, draft.settings.correlation.depth);
      const impacted: ImpactedRef[] = [];
      for (const [ref, distance] of topology.impact) {
        const criticality = (await context.graph.getEntity(ref))?.criticality;
        impacted.push({ ref, distance, ...(criticality ? { criticality } : {}) });
      }
      const rootCriticality = (await context.graph.getEntity(incident.root))?.criticality;
      const severity = severityOf([rootCriticality, ...impacted.map((i) => i.criticality)]);
      impacted.sort(nearestFirst);
      incident.impacted = impacted.slice(0, context.impactedLimit);
      incident.impactedCount = impacted.length;
      if (severity !== incident.severity && !draft.opened.has(id)) incident.timeline.push(draft.entry('severity', `severity ${incident.severity} -> ${severity}`));
      incident.severity = severity;
    }
  },
};
