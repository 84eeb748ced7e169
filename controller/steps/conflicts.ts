import { findConflicts } from '../../policies/conflicts.ts';
import type { Step } from '../Evaluation.ts';

/** Other open changes (`input.openChanges`) that change or impact an entity this change changes or impacts. */
export const conflictsStep: Step = async (ev) => {
  const touched = [...ev.diff!.changes.map((c) => c.ref), ...ev.impact!.entities.map((e) => e.ref)];
  ev.conflicts = findConflicts({ touched, openChanges: ev.input.openChanges ?? [] });
};
