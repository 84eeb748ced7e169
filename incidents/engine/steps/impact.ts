import type { ImpactedRef } from '../../../state/IncidentRecords.ts';
import { severityOf } from '../../severity.ts';
import type { EngineStep } from '../EngineStep.ts';

/**
 * Adds what the root impacts (graph.impact within the correlation depth, with
 * each entity's criticality) and the severity (highest criticality among the
 * root and the impacted; `low` when none is known) to incidents opened or
 * reopened or re-rooted by this input; a changed severity goes on the timeline.
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
      impacted.sort((a, b) => a.distance - b.distance || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
      const rootCriticality = (await context.graph.getEntity(incident.root))?.criticality;
      const severity = severityOf([rootCriticality, ...impacted.map((i) => i.criticality)]);
      incident.impacted = impacted;
      if (severity !== incident.severity && !draft.opened.has(id)) incident.timeline.push(draft.entry('severity', `severity ${incident.severity} -> ${severity}`));
      incident.severity = severity;
    }
  },
};
