import type { Violation } from '../../catalog/types.ts';
import type { ApiBuilder } from '../builder.ts';
import { addCatalogFields } from '../catalogFields.ts';

/**
 * `CatalogViolation` and the root field `catalogViolations`: the problems of
 * the served commit. A commit with violations is still served (its valid
 * part); this is where a client sees what was left out or is wrong.
 */
export function addCatalogViolationType(builder: ApiBuilder): void {
  const Severity = builder.enumType('ViolationSeverity', {
    description: 'An error leaves something out of the served catalog or breaks a rule; a warning does not.',
    values: { ERROR: { value: 'error' }, WARNING: { value: 'warning' } } as const,
  });
  const CatalogViolation = builder.objectRef<Violation>('CatalogViolation').implement({
    description: 'A problem of the served commit, where it is (as `cmdb validate` prints it).',
    fields: (t) => ({
      rule: t.exposeString('rule', { description: 'yaml, file, schema, reference, duplicate, dangling-reference, cycle, config, policy...' }),
      severity: t.field({ type: Severity, resolve: (v) => v.severity }),
      message: t.exposeString('message'),
      ref: t.exposeString('ref', { nullable: true, description: 'The entity it is about, when known.' }),
      file: t.exposeString('file', { nullable: true }),
      line: t.exposeInt('line', { nullable: true }),
      column: t.exposeInt('column', { nullable: true }),
    }),
  });
  addCatalogFields(builder, (t, viewOf) => ({
    catalogViolations: t.field({
      type: [CatalogViolation],
      description: 'The problems of the commit (on Query: the one the graph was last synced to), in file order; empty when it is valid.',
      args: { severity: t.arg({ type: Severity, description: 'Only problems of this severity.' }) },
      resolve: (parent, { severity }, ctx) =>
        viewOf(parent, ctx)
          .violations()
          .filter((v) => !severity || v.severity === severity),
    }),
  }));
}
