import type { IncidentTransaction, Notification } from '../../../state/IncidentRecords.ts';
import type { EngineStep } from '../EngineStep.ts';

/** Adds one revision to every incident and problem the batch writes (a new one gets revision 1). */
export const reviseStep: EngineStep = {
  name: 'revise',
  phase: 'commit',
  run(draft) {
    for (const incident of draft.incidents.values()) incident.revision = (draft.store.incident(incident.id)?.revision ?? 0) + 1;
    for (const problem of draft.problems.values()) problem.revision = (draft.store.problem(problem.id)?.revision ?? 0) + 1;
  },
};

const EVENT = { opened: 'incident.opened', resolved: 'incident.resolved' } as const;

/**
 * The last step: the one transaction of the batch. Signals written (a cleared
 * signal that is part of no incident is removed instead), incidents and
 * problems, the command applied, and one outbox notification per notify
 * target for each incident written (`incident.opened|updated|resolved`, id
 * `<incident>:<revision>:<target>`), so a notification exists exactly when
 * its incident change does; except an incident opened and resolved (merged
 * into another) within the batch, which nobody outside ever saw. `createdAt` is the batch's last input's time.
 */
export const transactionStep: EngineStep = {
  name: 'transaction',
  phase: 'commit',
  run(draft, context) {
    const tx: IncidentTransaction = {};
    if (draft.forgotten.size) tx.removeSignals = [...draft.forgotten];
    for (const s of draft.signals.values()) {
      if (s.state === 'cleared' && !s.incident) (tx.removeSignals ??= []).push(s.fingerprint);
      else (tx.signals ??= []).push(s);
    }
    if (draft.incidents.size) tx.incidents = [...draft.incidents.values()];
    if (draft.problems.size) tx.problems = [...draft.problems.values()];
    if (draft.commands.length) tx.commands = [...draft.commands];
    const targets = draft.incidents.size ? (context.notifyTargets?.() ?? []) : [];
    const notifications: Notification[] = [];
    for (const incident of draft.incidents.values()) {
      // Opened and merged into another within this batch: nobody was told it opened, so nobody is told it ended.
      if (incident.state === 'resolved' && !draft.store.incident(incident.id)) continue;
      const change = draft.incidentChanges.get(incident.id) ?? 'updated';
      const event = change === 'opened' || change === 'resolved' ? EVENT[change] : 'incident.updated';
      for (const target of targets)
        notifications.push({ id: `${incident.id}:${incident.revision}:${target}`, target, event, incident: incident.id, revision: incident.revision, createdAt: draft.at, attempts: 0, nextAttemptAt: draft.at });
    }
    if (notifications.length) tx.notifications = notifications;
    return tx;
  },
};
