import { diffSnapshots } from '../../catalog/diff.ts';
import { defineStep } from '../Evaluation.ts';

/** Added, modified (with field paths) and removed entities. */
export const diffStep = defineStep({
  name: 'diff',
  reads: ['base', 'head'],
  adds: ['diff'],
  run: async ({ base, head }) => ({ diff: diffSnapshots(base, head) }),
});
