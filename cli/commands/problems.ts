import { renderProblemTable } from '../../incidents/render.ts';
import { EXIT } from '../exitCodes.ts';
import type { Output } from '../output.ts';
import { openIncidentState, type IncidentStateOptions } from './incidentState.ts';

export interface ProblemsOptions extends IncidentStateOptions {
  format: 'text' | 'json';
}

/** `cmdb problems`: the problem records, newest first (JSON: the records as stored, without `revision`). */
export async function runProblems(o: ProblemsOptions, io: Output): Promise<number> {
  const { store, where, recorded } = await openIncidentState(o);
  try {
    const problems = store.problems();
    if (o.format === 'json') io.out(JSON.stringify(problems.map(({ revision: _revision, ...p }) => p), null, 2));
    else if (!recorded) io.out(`no problems recorded in ${where}`);
    else io.out(problems.length ? renderProblemTable(problems) : 'no problems');
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
