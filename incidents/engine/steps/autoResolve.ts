import type { EngineStep } from '../EngineStep.ts';

/** Adds automatic resolution: an unresolved incident whose signals have all stayed clear for `resolveAfterMs` (since `clearSince`) resolves, by `cmdb`. */
export const autoResolveStep: EngineStep = {
  name: 'auto-resolve',
  run(draft) {
    const after = draft.settings.resolveAfterMs;
    for (const incident of draft.unresolved()) {
      if (!incident.clearSince || draft.atMs - Date.parse(incident.clearSince) < after) continue;
      if (incident.signals.some((fp) => draft.signal(fp)?.state === 'firing')) continue;
      const writable = draft.incidentForWrite(incident.id, 'resolved');
      writable.state = 'resolved';
      writable.resolvedAt = draft.at;
      writable.timeline.push(draft.entry('resolved', `resolved: every signal clear since ${writable.clearSince} (${after / 1000}s)`));
      delete writable.clearSince;
    }
  },
};
