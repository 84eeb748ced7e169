import { findConflicts } from '../../policies/conflicts.ts';
import { defineStep } from '../Evaluation.ts';

/** Other open changes (`input.openChanges`) that change or impact an entity this change changes or impacts. */
export const conflictsStep = defineStep({
  name: 'conflicts',
  reads: ['diff', 'impact'],
  adds: ['conflicts'],
  run: async ({ input, diff, impact }) => {
    const touched = [...diff.changes.map((c) => c.ref), ...impact.entities.map((e) => e.ref)];
    return { conflicts: findConflicts({ touched, openChanges: input.openChanges ?? [] }) };
  },
});
