import type { EngineStep } from '../EngineStep.ts';

/**
 * Adds probable causes (incidents/probableCause.ts) to incidents opened or
 * whose root or correlated entities changed while unresolved. Causes a person
 * dismissed stay, dismissed, and are not ranked again.
 */
export const probableCauseStep: EngineStep = {
  name: 'probable-cause',
  async run(draft, context) {
    const { lookBackMs, correlation } = draft.settings;
    for (const id of draft.topologyChanged) {
      const incident = draft.incidentForWrite(id);
      if (incident.state === 'resolved' || (incident.root === null && incident.correlated.length === 0)) continue;
      const openedMs = Date.parse(incident.openedAt);
      const index = await context.causeIndex(openedMs - 2 * lookBackMs);
      const upstream = incident.root === null ? new Map() : (await context.topology.of(incident.root, correlation.depth)).upstream;
      const dismissed = incident.probableCauses.filter((c) => c.dismissed);
      const ranked = index.rank({ root: incident.root, upstream, correlated: incident.correlated, openedAt: incident.openedAt }, lookBackMs, new Set(dismissed.map((c) => c.change.id)));
      incident.probableCauses = [...ranked, ...dismissed];
    }
  },
};
