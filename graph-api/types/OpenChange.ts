import type { OpenChangeListing } from '../../controller/github/OpenChanges.ts';
import { requireRole } from '../auth.ts';
import type { ApiBuilder } from '../builder.ts';

type ConflictShape = NonNullable<OpenChangeListing['conflicts']>[number] & { repository: string };

/**
 * `OpenChange` and `openChanges`: the open pull requests as the GitHub
 * controller last evaluated them (controller/github/OpenChanges.ts, in the
 * state directory). A server without GitHub has none: an empty list.
 */
export function addOpenChangeType(builder: ApiBuilder): void {
  const Conflict = builder.objectRef<ConflictShape>('OpenChangeConflict').implement({
    description: 'Another open pull request of the same repository whose changed or impacted entities overlap.',
    fields: (t) => ({
      id: t.string({ description: '`owner/repo#number`.', resolve: (c) => `${c.repository}#${c.number}` }),
      number: t.exposeInt('number'),
      title: t.string({ nullable: true, resolve: (c) => c.title ?? null }),
      refs: t.stringList({ description: 'The entities both change or impact, sorted.', resolve: (c) => c.refs }),
    }),
  });
  const OpenChange = builder.objectRef<OpenChangeListing>('OpenChange').implement({
    description: 'An open pull request as the GitHub controller last evaluated it. Fields the controller did not keep yet (files written by an older version) are null or empty until its next evaluation.',
    fields: (t) => ({
      id: t.string({ description: '`owner/repo#number` (the id its Change will have once merged).', resolve: (o) => `${o.repository}#${o.number}` }),
      repository: t.exposeString('repository'),
      number: t.exposeInt('number'),
      title: t.exposeString('title'),
      head: t.exposeString('head', { description: 'The head commit evaluated.' }),
      risk: t.string({ nullable: true, description: '`low`, `moderate` or `high`.', resolve: (o) => o.risk ?? null }),
      decision: t.string({ nullable: true, description: '`pass`, `needs-approval` or `blocked`.', resolve: (o) => o.decision ?? null }),
      changed: t.stringList({ description: 'Refs it adds, modifies or removes.', resolve: (o) => o.changed ?? [] }),
      touched: t.stringList({ description: 'Refs it changes or impacts.', resolve: (o) => o.touched }),
      conflicts: t.field({ type: [Conflict], description: 'Other open pull requests it overlaps, as of its evaluation.', resolve: (o) => (o.conflicts ?? []).map((c) => ({ ...c, repository: o.repository })) }),
    }),
  });
  builder.queryFields((t) => ({
    openChanges: t.field({
      type: [OpenChange],
      description: 'The open pull requests the GitHub controller evaluated, by repository then number; an empty list on a server without GitHub (no --github-repo).',
      resolve: async (_root, _args, ctx) => {
        requireRole(ctx, 'viewer');
        return ctx.openChanges ? ctx.openChanges() : [];
      },
    }),
  }));
}
