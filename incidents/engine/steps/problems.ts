import type { Incident } from '../../../state/IncidentRecords.ts';
import { liveProblem, mergedAway, problemKeyOf, recurrences } from '../../problems.ts';
import type { EngineDraft } from '../EngineDraft.ts';
import type { EngineStep } from '../EngineStep.ts';

/**
 * Adds problems (incidents/problems.ts) for incidents opened or re-rooted by
 * this input and not yet linked to one: linked to the open or known-error
 * problem of their key, or, when their key has now caused `problems.count`
 * incidents within `problems.periodMs`, to a new problem linking all of them.
 */
export const problemsStep: EngineStep = {
  name: 'problems',
  run(draft) {
    for (const id of draft.rootChanged) {
      const incident = draft.incident(id)!;
      if (incident.problem || mergedAway(incident)) continue;
      const key = problemKeyOf(incident, (fp) => draft.signal(fp));
      if (!key) continue;
      const live = liveProblem(draft.allProblems(), key.key);
      if (live) {
        link(draft, draft.incidentForWrite(id), live.id);
        continue;
      }
      const keyOf = (i: Incident) => (i.root === key.root ? problemKeyOf(i, (fp) => draft.signal(fp))?.key : undefined);
      const recurred = recurrences(draft.allIncidents(), key.key, keyOf, draft.at, draft.settings.problems.periodMs, (p) => draft.problem(p)?.state === 'resolved');
      if (recurred.length < draft.settings.problems.count) continue;
      const problem = draft.newProblem({
        state: 'open',
        title: `${incident.title} recurred ${recurred.length} times`,
        key: key.key,
        root: key.root,
        kind: key.kind,
        incidents: [],
        openedAt: draft.at,
        updatedAt: draft.at,
        timeline: [draft.entry('opened', `${recurred.length} incidents of ${key.key} within ${Math.round(draft.settings.problems.periodMs / 3_600_000)}h`)],
      });
      for (const i of recurred) link(draft, draft.incidentForWrite(i.id), problem.id);
    }
  },
};

function link(draft: EngineDraft, incident: Incident, problemId: string): void {
  const problem = draft.problemForWrite(problemId);
  incident.problem = problemId;
  incident.timeline.push(draft.entry('problem', `linked to problem ${problemId}`));
  if (!problem.incidents.includes(incident.id)) problem.incidents.push(incident.id);
  problem.updatedAt = draft.at;
  if (!draft.openedProblems.has(problemId)) problem.timeline.push(draft.entry('incident', `${incident.id} linked`));
}
