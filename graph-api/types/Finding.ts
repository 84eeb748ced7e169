import type { ApiBuilder } from '../builder.ts';
import { apiError } from '../errors.ts';
import { entityRefArg, type IncidentRefs } from './incidentRefs.ts';

/** `Finding` (what a reconciler found wrong, now) and `findings(ref)`, from the FindingStore. */
export function addFindingTypes(builder: ApiBuilder, refs: IncidentRefs): void {
  refs.Finding.implement({
    description: 'A current reconciler finding: the live target differs from the catalog (drifted), is missing, unhealthy, or cannot be checked (unknown).',
    fields: (t) => ({
      key: t.exposeString('key', { description: 'Stable: the check, ref, target and the drifted field or kind.' }),
      ref: t.string({ resolve: (f) => f.finding.ref }),
      entity: t.field({ type: 'Entity', nullable: true, description: 'The entity in the served catalog; null when it is gone from it.', resolve: (f, _a, ctx) => ctx.loadEntity(f.finding.ref) }),
      check: t.string({ description: 'The reconciler\'s check (`kubernetes`, `http`).', resolve: (f) => f.finding.check }),
      finding: t.string({ description: '`drifted`, `missing`, `unhealthy` or `unknown`.', resolve: (f) => f.finding.finding }),
      message: t.string({ resolve: (f) => f.finding.message }),
      target: t.field({ type: 'JSON', description: 'The observed target (a Kubernetes object, an HTTP URL).', resolve: (f) => f.finding.target }),
      field: t.string({ nullable: true, description: 'For `drifted`: the differing field.', resolve: (f) => f.finding.field ?? null }),
      expected: t.field({ type: 'JSON', nullable: true, description: 'For `drifted`: what the catalog expects.', resolve: (f) => f.finding.expected ?? null }),
      actual: t.field({ type: 'JSON', nullable: true, description: 'For `drifted`: what is live (null when the field is absent).', resolve: (f) => f.finding.actual ?? null }),
      since: t.exposeString('since', { description: 'Open since.' }),
      updatedAt: t.exposeString('updatedAt'),
    }),
  });
  builder.queryFields((t) => ({
    findings: t.field({
      type: [refs.Finding],
      description: 'The reconcilers\' current findings, by key; of one entity with `ref`.',
      args: { ref: t.arg.string({ description: 'Only the findings of this entity.' }) },
      resolve: async (_root, { ref }, ctx) => {
        if (!ctx.findings) throw apiError('findings are not available: the server reconciles only with --reconcile (cmdb serve --reconcile).', 'NOT_AVAILABLE');
        const current = ctx.findings.current();
        if (ref === null || ref === undefined) return current;
        const wanted = await entityRefArg(ctx, ref, 'ref');
        return current.filter((f) => f.finding.ref === wanted);
      },
    }),
  }));
}
