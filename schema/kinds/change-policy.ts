import { HINT_KEYWORD, nonEmptyString, objectOf, refList, stringList, type JsonSchema } from '../fragments.ts';
import type { KindDefinition } from './kind-definition.ts';

export const ENFORCEMENTS = ['advisory', 'soft-mandatory', 'hard-mandatory'] as const;
export const RISKS = ['low', 'moderate', 'high'] as const;

const rule: JsonSchema = objectOf(
  {
    expression: nonEmptyString('CEL expression that must be true for the change to comply.'),
    message: nonEmptyString('Shown when the expression is false.'),
  },
  { required: ['expression', 'message'], strict: true },
);

const approval: JsonSchema = objectOf(
  {
    from: nonEmptyString('A group reference, "owners-of-impacted" or "owners-of-changed".'),
    count: { type: 'integer', minimum: 1, default: 1, description: 'Approvals needed (default 1).' },
  },
  { required: ['from'], strict: true },
);

const scope: JsonSchema = objectOf(
  {
    kinds: stringList('Kinds a standard change may touch.'),
    fields: stringList('Field paths (globs, e.g. spec.observe.*) a standard change may modify.'),
  },
  { strict: true, description: 'What a standard change may touch.' },
);

/** A rule changes must follow, evaluated in CEL (cmdb/v1 only). Needs at least one of rules, approvals, risk, standard. */
export const CHANGE_POLICY_KIND: KindDefinition = {
  kind: 'ChangePolicy',
  description: 'A rule changes must follow: CEL checks, approvals, risk and standard-change scope.',
  cmdb: {
    ...objectOf(
      {
        description: { type: 'string', description: 'What the policy is for.' },
        match: nonEmptyString('CEL expression selecting the changes the policy applies to (default: all).'),
        rules: { type: 'array', items: rule, description: 'Checks a matching change must pass.' },
        enforcement: { enum: [...ENFORCEMENTS], default: 'hard-mandatory', description: 'What a failed rule does.' },
        owners: refList('Who owns the policy.'),
        approvals: { type: 'array', items: approval, description: 'Approvals a matching change needs.' },
        risk: { enum: [...RISKS], description: 'Risk of a matching change.' },
        standard: { type: 'boolean', description: 'Matching changes are pre-approved standard changes.' },
        scope,
      },
      { required: ['description'], strict: true },
    ),
    anyOf: [{ required: ['rules'] }, { required: ['approvals'] }, { required: ['risk'] }, { required: ['standard'] }],
    [HINT_KEYWORD]: 'needs at least one of rules, approvals, risk, standard',
  },
};
