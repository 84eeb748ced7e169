import { findConflicts, resolveOpenChanges } from '../../policies/conflicts.ts';
import { defineStep } from '../Evaluation.ts';

/**
 * Other open changes (`input.openChanges`) that change or impact an entity
 * this change changes or impacts. Names in them are resolved on the head like
 * every ref a user types; one that names no entity or several is a warning.
 */
export const conflictsStep = defineStep({
  name: 'conflicts',
  reads: ['head', 'diff', 'impact'],
  adds: ['conflicts', 'violations'],
  run: async ({ input, head, diff, impact }) => {
    const { openChanges, problems } = await resolveOpenChanges(input.openChanges ?? [], head);
    const touched = [...diff.changes.map((c) => c.ref), ...impact.entities.map((e) => e.ref)];
    return { conflicts: findConflicts({ touched, openChanges }), violations: problems };
  },
});
