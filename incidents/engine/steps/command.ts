import { CmdbError } from '../../../core/errors.ts';
import type { IncidentCommand } from '../../../state/IncidentRecords.ts';
import type { EngineDraft } from '../EngineDraft.ts';
import type { EngineStep } from '../EngineStep.ts';

const notFound = (what: string, id: string, command: IncidentCommand) =>
  new CmdbError(`${what} ${id} not found (command ${command.id}, ${command.type} by ${command.by}): no ${what} has this id; list them with \`cmdb ${what === 'problem' ? 'problems' : 'incidents'} --state all\``, { code: 'usage' });

/**
 * Adds a person's command: acknowledge, resolve, note, dismiss-cause,
 * update-problem, each on the timeline with who did it. A command id already
 * applied (store.applied) changes nothing. An unknown incident, problem or
 * cause throws a CmdbError (`usage`) before anything is written.
 */
export const commandStep: EngineStep = {
  name: 'command',
  run(draft) {
    if (draft.input.type !== 'command') return;
    const command = draft.input.command;
    if (draft.store.applied(command.id)) return;
    if (command.type === 'update-problem') updateProblem(draft, command);
    else incidentCommand(draft, command);
    draft.commands.push(command.id);
  },
};

function incidentCommand(draft: EngineDraft, command: Exclude<IncidentCommand, { type: 'update-problem' }>): void {
  if (!draft.incident(command.incident)) throw notFound('incident', command.incident, command);
  const kept = draft.incident(command.incident)!;
  if (command.type === 'dismiss-cause' && !kept.probableCauses.some((c) => c.change.id === command.change))
    throw new CmdbError(`incident ${command.incident} has no probable cause ${command.change} (command ${command.id}); its causes: ${kept.probableCauses.map((c) => c.change.id).join(', ') || 'none'}`, { code: 'usage' });
  const incident = draft.incidentForWrite(command.incident);
  const { by, note } = command;
  switch (command.type) {
    case 'acknowledge':
      if (incident.state === 'open') {
        incident.state = 'acknowledged';
        incident.acknowledgedAt = draft.at;
        draft.noteChange(incident.id, 'acknowledged');
        incident.timeline.push(draft.entry('acknowledged', `acknowledged by ${by}`, by, note));
      } else incident.timeline.push(draft.entry('note', `${by} acknowledged an incident already ${incident.state}`, by, note));
      return;
    case 'resolve':
      if (incident.state !== 'resolved') {
        incident.state = 'resolved';
        incident.resolvedAt = draft.at;
        delete incident.clearSince;
        draft.noteChange(incident.id, 'resolved');
        incident.timeline.push(draft.entry('resolved', `resolved by ${by}`, by, note));
      } else incident.timeline.push(draft.entry('note', `${by} resolved an incident already resolved`, by, note));
      return;
    case 'note':
      incident.timeline.push(draft.entry('note', `note by ${by}`, by, note));
      return;
    case 'dismiss-cause': {
      const dismissed = { by, at: draft.at, ...(note !== undefined ? { note } : {}) };
      incident.probableCauses = incident.probableCauses.map((c) => (c.change.id === command.change && !c.dismissed ? { ...c, dismissed } : c));
      incident.timeline.push(draft.entry('cause-dismissed', `${by} dismissed ${command.change} as probable cause`, by, note));
      return;
    }
  }
}

function updateProblem(draft: EngineDraft, command: Extract<IncidentCommand, { type: 'update-problem' }>): void {
  if (!draft.problem(command.problem)) throw notFound('problem', command.problem, command);
  const problem = draft.problemForWrite(command.problem, command.state === 'resolved' ? 'resolved' : 'updated');
  const changes: string[] = [];
  if (command.state && command.state !== problem.state) {
    changes.push(`state ${problem.state} -> ${command.state}`);
    problem.state = command.state;
    if (command.state === 'resolved') problem.resolvedAt = draft.at;
    else delete problem.resolvedAt;
  }
  if (command.workaround !== undefined && command.workaround !== problem.workaround) {
    problem.workaround = command.workaround;
    changes.push('workaround set');
  }
  problem.updatedAt = draft.at;
  problem.timeline.push(draft.entry(command.state ?? 'note', `${command.by}: ${changes.join(', ') || 'note'}`, command.by, command.note));
}
