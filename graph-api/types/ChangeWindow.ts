import { compileSnapshotDefinitions } from '../../policies/rulebook.ts';
import type { Window, WindowType } from '../../policies/types.ts';
import type { ChangeRecord } from '../../state/ChangeRecord.ts';
import { requireRole } from '../auth.ts';
import type { ObjectRef } from '@pothos/core';
import type { ApiBuilder, ApiTypes } from '../builder.ts';
import { timeArg } from '../changeData.ts';
import type { ApiContext } from '../context.ts';
import { apiError, badInput } from '../errors.ts';
import { windowAppliesToChange } from '../windowConflicts.ts';

/** `changeWindows` answers at most this long a period (the calendar asks for a month or a week). */
export const MAX_WINDOW_PERIOD_DAYS = 400;

/** Change records merged in [start, end) of the window, oldest first; read once per window and request. */
const merged = new WeakMap<ApiContext, Map<Window, Promise<ChangeRecord[]>>>();
function mergedInside(ctx: ApiContext, w: Window): Promise<ChangeRecord[]> {
  if (!ctx.changes) return Promise.resolve([]);
  let byWindow = merged.get(ctx);
  if (!byWindow) merged.set(ctx, (byWindow = new Map()));
  let records = byWindow.get(w);
  if (!records) {
    records = ctx.changes.changes({ since: w.start }).then((all) => all.filter((r) => Date.parse(r.mergedAt) < w.end.getTime()));
    byWindow.set(w, records);
  }
  return records;
}

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

/**
 * `ChangeWindow` and `changeWindows(from, to)`: the freeze and maintenance
 * windows (ChangeWindow entities) of the served catalog, compiled by the
 * same code as the `windows` evaluation step (policies/rulebook.ts).
 */
export function addChangeWindowType(builder: ApiBuilder, Change: ObjectRef<ApiTypes, ChangeRecord>): void {
  const Kind = builder.enumType('ChangeWindowKind', {
    values: {
      FREEZE: { value: 'freeze' as WindowType, description: 'No changes.' },
      MAINTENANCE: { value: 'maintenance' as WindowType, description: 'Changes allowed.' },
    },
  });
  const ChangeWindow = builder.objectRef<Window>('ChangeWindow').implement({
    description: 'A freeze or maintenance window of the served catalog (a ChangeWindow entity). Times are RFC 3339, UTC; `end` is exclusive.',
    fields: (t) => ({
      name: t.exposeString('name'),
      ref: t.string({ description: 'The ChangeWindow entity.', resolve: (w) => w.origin.ref }),
      kind: t.field({ type: Kind, resolve: (w) => w.type }),
      start: t.string({ resolve: (w) => iso(w.start) }),
      end: t.string({ resolve: (w) => iso(w.end) }),
      description: t.string({ nullable: true, resolve: (w) => w.description ?? null }),
      appliesTo: t.string({
        nullable: true,
        description: 'The CEL expression selecting the changes it applies to (spec.appliesTo); null: every change.',
        resolve: (w) => w.appliesTo?.source ?? null,
      }),
      mergedChanges: t.field({
        type: [Change],
        description: 'Changes merged inside the window, oldest first, whether it applies to them or not. Empty on a server without change records.',
        resolve: (w, _args, ctx) => mergedInside(ctx, w),
      }),
      conflictingChanges: t.field({
        type: [Change],
        description:
          'Of `mergedChanges`, those the window applies to: `appliesTo` evaluated by the `windows` step\'s code at the merge time, over the recorded changed and impacted entities as the served catalog holds them (a change none of whose entities it still holds counts). For a freeze: changes merged while frozen.',
        resolve: async (w, _args, ctx) => {
          const merged = await mergedInside(ctx, w);
          const snapshot = ctx.snapshot();
          return snapshot ? merged.filter((r) => windowAppliesToChange(w, r, snapshot)) : merged;
        },
      }),
    }),
  });
  builder.queryFields((t) => ({
    changeWindows: t.field({
      type: [ChangeWindow],
      description: `The freeze and maintenance windows of the served catalog that overlap [from, to) (at most ${MAX_WINDOW_PERIOD_DAYS} days), by start then name. NOT_AVAILABLE before the server serves a snapshot.`,
      args: {
        from: t.arg.string({ required: true, description: 'Start (ISO 8601), included.' }),
        to: t.arg.string({ required: true, description: 'End (ISO 8601), excluded.' }),
      },
      resolve: (_root, args, ctx) => {
        requireRole(ctx, 'viewer');
        const from = timeArg(args.from, 'from');
        const to = timeArg(args.to, 'to');
        if (to <= from) throw badInput(`"to" must be after "from", got ${args.from} to ${args.to}.`);
        if (to - from > MAX_WINDOW_PERIOD_DAYS * 86_400_000) throw badInput(`The period must be at most ${MAX_WINDOW_PERIOD_DAYS} days, got ${args.from} to ${args.to}.`);
        const snapshot = ctx.snapshot();
        if (!snapshot) throw apiError('changeWindows is not available: the server serves no snapshot yet.', 'NOT_AVAILABLE');
        return compileSnapshotDefinitions(snapshot)
          .windows.filter((w) => w.start.getTime() < to && w.end.getTime() > from)
          .sort((a, b) => a.start.getTime() - b.start.getTime() || a.name.localeCompare(b.name));
      },
    }),
  }));
}
