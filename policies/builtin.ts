import { CmdbError } from '../core/errors.ts';
import type { Entity } from '../catalog/types.ts';
import { compilePolicy } from './compile.ts';
import type { ChangeManagementConfig } from './config.ts';
import { findSecrets } from './secrets.ts';
import type { ExplainContext, Explanation, Policy } from './types.ts';

/** The label that makes a change an emergency change. */
export const EMERGENCY_LABEL = 'emergency';

/** A built-in policy: a ChangePolicy spec, plus an optional hook that details failures. */
interface BuiltinSpec {
  name: string;
  spec: (config: ChangeManagementConfig) => Record<string, unknown>;
  explain?: (context: ExplainContext) => Explanation[];
}

const BUILTINS: readonly BuiltinSpec[] = [
  {
    name: 'owner-required',
    spec: () => ({
      description: 'Every Component, System and Resource is owned by a Group (or a User).',
      rules: [
        {
          expression:
            "change.entities.all(e, e.op == 'removed' || !(e.kind in ['component', 'system', 'resource']) || e.owner.startsWith('group:') || e.owner.startsWith('user:'))",
          message: 'Components, Systems and Resources need an owner: set spec.owner to the group that runs it (e.g. group:shop-team)',
        },
      ],
    }),
  },
  {
    name: 'no-removal-with-dependents',
    spec: () => ({
      description: 'An entity other entities still refer to is not removed.',
      rules: [
        {
          expression: "change.entities.all(e, e.op != 'removed' || size(e.dependents) == 0)",
          message: 'This change removes an entity others still refer to: remove or repoint their references first (or in this change)',
        },
      ],
    }),
    explain: ({ entity }) => (entity ? [{ note: `${entity.ref} is still referred to by ${entity.dependents.join(', ')}` }] : []),
  },
  {
    name: 'critical-needs-cab',
    spec: (config) => ({
      description: 'The change reaches a critical entity: the change advisory board approves it.',
      match: "impact.maxCriticality == 'critical'",
      approvals: [{ from: config.cabGroup, count: 1 }],
      risk: 'high',
    }),
  },
  {
    name: 'freeze-windows',
    spec: () => ({
      description: `No normal change while a freeze applies to an entity it changes or impacts; an emergency change (label "${EMERGENCY_LABEL}") may go ahead, approved by the CAB.`,
      match: "windows.exists(w, w.type == 'freeze')",
      rules: [
        {
          expression: `'${EMERGENCY_LABEL}' in change.labels`,
          message: `A change freeze is in force: merge after it ends, or label the change "${EMERGENCY_LABEL}" to make it an emergency change the CAB approves`,
        },
      ],
    }),
    explain: ({ activation, entityOf }) =>
      activation.windows
        .filter((w) => w.type === 'freeze')
        .map((w) => {
          const window = entityOf(w.ref);
          return {
            note: `${w.name} (until ${w.end.toISOString().replace('.000Z', 'Z')}) applies to ${w.entities.slice(0, 5).join(', ')}${w.entities.length > 5 ? ` and ${w.entities.length - 5} more` : ''}`,
            ...(window ? { place: { entity: window, pointer: '/metadata/name' } } : {}),
          };
        }),
  },
  {
    name: 'emergency-changes',
    spec: (config) => ({
      description: `An emergency change (label "${EMERGENCY_LABEL}") is approved by the change advisory board.`,
      match: `'${EMERGENCY_LABEL}' in change.labels`,
      approvals: [{ from: config.cabGroup, count: 1 }],
    }),
  },
  {
    name: 'no-secrets',
    spec: () => ({
      description: 'No secret-looking values (private keys, cloud keys, tokens, passwords) in any entity: everyone who can read the repository could read them.',
      rules: [
        {
          expression: 'change.entities.all(e, size(e.secrets) == 0)',
          message: 'Secret-looking value: move it to a secret store and refer to it instead, then rotate it (it is in the Git history)',
        },
      ],
    }),
    explain: ({ entity, entityOf }) => {
      const source = entity ? entityOf(entity.ref) : undefined;
      if (!entity || !source) return [];
      return findSecrets({ metadata: source.metadata, spec: source.spec }).map((s) => ({
        note: `${s.path} looks like ${s.looksLike}`,
        place: { entity: source, pointer: s.pointer },
      }));
    },
  },
];

/** Names of the built-in policies. */
export const BUILTIN_POLICY_NAMES: readonly string[] = BUILTINS.map((b) => b.name);

/** A document-less entity for a built-in spec, so it compiles like a config-repo policy. */
function syntheticEntity(name: string, spec: Record<string, unknown>): Entity {
  return {
    ref: `changepolicy:default/${name}`,
    apiVersion: 'cmdb/v1',
    kind: 'ChangePolicy',
    facts: {},
    metadata: { name, namespace: 'default' },
    spec,
    source: { file: '(built-in)', line: 1, column: 1, blob: '', document: 0 },
    positions: {},
  };
}

const cache = new Map<string, Policy[]>();

/** The built-in policy pack for a configuration (compiled once per distinct configuration). */
export function builtinPolicies(config: ChangeManagementConfig): Policy[] {
  const key = JSON.stringify(config);
  const hit = cache.get(key);
  if (hit) return hit;
  const policies = BUILTINS.map((b) => {
    const entity = syntheticEntity(b.name, b.spec(config));
    const { definition, problems } = compilePolicy(entity);
    if (!definition) throw new CmdbError(`built-in policy ${b.name} does not compile: ${problems.map((p) => p.message).join('; ')}`, { code: 'internal' });
    return { ...definition, origin: { ref: entity.ref }, explain: b.explain } as Policy;
  });
  cache.set(key, policies);
  return policies;
}
