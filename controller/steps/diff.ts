import { diffSnapshots } from '../../catalog/diff.ts';
import type { Step } from '../Evaluation.ts';

/** Added, modified (with field paths) and removed entities. */
export const diffStep: Step = async (ev) => {
  ev.diff = diffSnapshots(ev.base!, ev.head!);
};
