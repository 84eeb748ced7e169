import type { EngineStep } from '../EngineStep.ts';

/**
 * Adds reopening: a signal firing again within `reopenWithinMs` after its
 * incident resolved reopens that incident (state open, timeline `reopened`).
 * Later than that, the signal starts a new occurrence (firstSeen now) that
 * opens a new incident once it has lasted `for`.
 */
export const reopenStep: EngineStep = {
  name: 'reopen',
  run(draft) {
    for (const fp of draft.fired) {
      const signal = draft.signal(fp)!;
      const incident = signal.incident ? draft.incident(signal.incident) : undefined;
      if (!incident || incident.state !== 'resolved') continue;
      const resolvedMs = Date.parse(incident.resolvedAt ?? incident.openedAt);
      if (draft.atMs - resolvedMs <= draft.settings.reopenWithinMs) {
        const writable = draft.incidentForWrite(incident.id, 'reopened');
        writable.state = 'open';
        delete writable.resolvedAt;
        delete writable.acknowledgedAt;
        delete writable.clearSince;
        writable.timeline.push(draft.entry('reopened', `reopened: ${signal.ref ?? 'alert'} fires again within ${draft.settings.reopenWithinMs / 1000}s of resolution: ${signal.message}`));
        draft.rootChanged.add(incident.id);
        draft.topologyChanged.add(incident.id);
      } else draft.putSignal({ ...signal, firstSeen: draft.at });
    }
  },
};
