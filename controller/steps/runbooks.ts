import { prefetchRunbooks, readRunbooks, RUNBOOK_RULE } from '../../catalog/runbooks.ts';
import type { RefString } from '../../catalog/types.ts';
import { defineStep, type ChangeRunbook } from '../Evaluation.ts';

const MARKDOWN = /\.md$/i;

/**
 * Entities whose `cmdb.dev/runbook` annotation is read: the changed ones, then
 * the nearest impacted ones up to this many (reading one builds the entity:
 * a line read from the parse cache and its JSON parsed, ~0.1 ms; a blast
 * radius can hold thousands). Front matter links are found for every
 * impacted entity. Only read when the commit has Markdown files at all.
 */
export const ANNOTATION_LOOKUPS = 200;

/**
 * The runbooks of what the change touches: those linked (front matter or
 * `cmdb.dev/runbook` annotation, see ANNOTATION_LOOKUPS) to the added and
 * modified entities, then to the impacted ones nearest first, read on the
 * head commit. Runbook problems (warnings) are
 * reported for the Markdown files the change adds or modifies only, so a
 * change is not told about runbooks it did not touch.
 */
export const runbooksStep = defineStep({
  name: 'runbooks',
  reads: ['base', 'head', 'diff', 'impact'],
  adds: ['runbooks', 'violations'],
  // The base's Markdown files (a walk of its whole tree in git) are listed while the base is read.
  prefetch: (input, { reader }) => prefetchRunbooks(reader.git, input.base),
  run: async ({ base, head, diff, impact }, { reader }) => {
    const index = await readRunbooks(reader.git, head.commit, head);
    const changed = diff.changes.filter((c) => c.op !== 'removed').map((c) => c.ref);
    const nearest = [...impact.entities].sort((a, b) => a.distance - b.distance).map((e) => e.ref);
    const refs: RefString[] = [...changed, ...nearest];
    const byPath = new Map<string, ChangeRunbook>();
    if (index.runbooks.length > 0) {
      let lookups = changed.length + ANNOTATION_LOOKUPS;
      for (const ref of refs) {
        for (const link of index.forRefs([ref], { annotationsOf: lookups-- > 0 ? 1 : 0 })) {
          const entry = byPath.get(link.path);
          if (entry) entry.refs.push(ref);
          else byPath.set(link.path, { path: link.path, title: link.title, refs: [ref] });
        }
      }
    }
    let violations = index.violations.filter((v) => v.rule === RUNBOOK_RULE);
    if (violations.length > 0 && base.commit !== head.commit) {
      const touched = new Set((await reader.git.diffFiles(base.commit, head.commit)).filter((f) => f.status !== 'deleted' && MARKDOWN.test(f.path)).map((f) => f.path));
      violations = violations.filter((v) => v.file !== undefined && touched.has(v.file));
    } else violations = [];
    return { runbooks: [...byPath.values()], violations };
  },
});
