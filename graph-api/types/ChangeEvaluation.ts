import type { ApiBuilder } from '../builder.ts';
import { badInput } from '../errors.ts';
import { historyOf } from './Catalog.ts';

/** Weight of `evaluateChange` (a whole `cmdb check`): with the default maxCost, at most 2 per query. */
export const EVALUATION_COST = 50_000;

/** The `JSON` scalar, `ChangeEvaluation` and `evaluateChange(base, head)`: what-if. */
export function addChangeEvaluation(builder: ApiBuilder): void {
  builder.scalarType('JSON', {
    description: 'Any JSON value.',
    serialize: (value) => value,
    parseValue: (value) => value,
  });
  builder.objectType('ChangeEvaluation', {
    description: 'A change request evaluated as `cmdb check` evaluates it.',
    fields: (t) => ({
      base: t.exposeString('base', { description: 'Commit id of the base.' }),
      head: t.exposeString('head', { description: 'Commit id of the head.' }),
      decision: t.exposeString('decision', { description: '`pass`, `needs-approval`, `blocked`, or `internal` when a step failed (see `report.failure`).' }),
      risk: t.exposeString('risk'),
      changeType: t.exposeString('changeType'),
      report: t.field({
        type: 'JSON',
        description: 'Exactly what `cmdb check --format json` prints: changes, impact, violations, decision, risk, windows, approvals, conflicts, policies.',
        resolve: (r) => r,
      }),
    }),
  });
  builder.queryField('evaluateChange', (t) =>
    t.field({
      type: 'ChangeEvaluation',
      description: 'What-if: evaluates merging `head` into `base` (commits, branches, tags or ISO dates, as `catalog(at:)` takes them), without recording anything.',
      args: {
        base: t.arg.string({ required: true }),
        head: t.arg.string({ required: true }),
        at: t.arg.string({ description: 'Evaluation time (ISO 8601), for change windows; default: now.' }),
      },
      extensions: { cost: EVALUATION_COST },
      resolve: (_root, { base, head, at }, ctx) => {
        const time = at === null || at === undefined ? undefined : new Date(at);
        if (time && Number.isNaN(time.getTime())) throw badInput(`"at" is not an ISO 8601 time: "${at}".`);
        return historyOf(ctx).evaluate(base, head, time);
      },
    }),
  );
}
