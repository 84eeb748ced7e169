import type { RefString } from '../../../core/types.ts';
import type { EngineStep } from '../EngineStep.ts';

/** Adds the runbooks of the root and correlated entities (the runbook index given to the engine) to incidents whose root or correlated entities this input changed. */
export const runbooksStep: EngineStep = {
  name: 'runbooks',
  run(draft, context) {
    if (!context.runbooks) return;
    for (const id of draft.topologyChanged) {
      const incident = draft.incidentForWrite(id);
      if (incident.state === 'resolved') continue;
      const refs = [incident.root, ...incident.correlated].filter((r): r is RefString => r !== null);
      incident.runbooks = refs.length ? context.runbooks(refs) : [];
    }
  },
};
