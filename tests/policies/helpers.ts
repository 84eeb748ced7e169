import { stringify } from 'yaml';
import { CatalogReader } from '../../catalog/CatalogReader.ts';
import { NativeGitReader } from '../../catalog/git/NativeGitReader.ts';
import type { ChangeInput, Evaluation } from '../../controller/Evaluation.ts';
import { evaluateChange } from '../../controller/evaluateChange.ts';
import { toReport, type ChangeReport } from '../../controller/report.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';

/*
 * A small organisation for policy tests. Logins: csmith (carol, CAB),
 * ipetrov (ivan, sre, a child group of platform), anguyen (alice, shop-team),
 * bmartin (bob, data-team). noah is in the CAB but has no login.
 *
 *   redis (resource, medium, sre) <- cart (high) <- checkout (critical) <- web (low)     [shop-team]
 *   docs-site (low) <- reports (medium)                                                   [data-team]
 */

const docs = (...texts: string[]) => texts.join('---\n');

export const TEAMS = docs(
  entity('Group', 'cab', { type: 'committee', children: [], members: ['carol', 'noah'] }),
  entity('Group', 'platform', { type: 'department', children: ['sre'] }),
  entity('Group', 'sre', { type: 'team', children: [] }),
  entity('Group', 'shop-team', { type: 'team', children: [] }),
  entity('Group', 'data-team', { type: 'team', children: [] }),
);

const user = (name: string, login: string | undefined, memberOf: string[]) =>
  entity('User', name, { memberOf }, login ? { annotations: { 'github.com/user-login': login } } : {});

export const USERS = docs(
  user('carol', 'csmith', []),
  user('noah', undefined, []),
  user('ivan', 'ipetrov', ['sre']),
  user('alice', 'anguyen', ['shop-team']),
  user('bob', 'bmartin', ['data-team']),
);

const SERVICES: Record<string, [kind: string, spec: Record<string, unknown>]> = {
  redis: ['Resource', { type: 'cache', owner: 'sre', criticality: 'medium' }],
  cart: ['Component', { type: 'service', lifecycle: 'production', owner: 'shop-team', criticality: 'high', dependsOn: ['resource:redis'] }],
  checkout: ['Component', { type: 'service', lifecycle: 'production', owner: 'shop-team', criticality: 'critical', dependsOn: ['component:cart'] }],
  web: ['Component', { type: 'website', lifecycle: 'production', owner: 'shop-team', criticality: 'low', dependsOn: ['component:checkout'] }],
  'docs-site': ['Component', { type: 'website', lifecycle: 'production', owner: 'data-team', criticality: 'low' }],
  reports: ['Component', { type: 'service', lifecycle: 'production', owner: 'data-team', criticality: 'medium', dependsOn: ['component:docs-site'] }],
};

/** One of the services, optionally with spec fields replaced (undefined drops one) and labels. */
export function service(name: string, change: { spec?: Record<string, unknown>; labels?: Record<string, string>; annotations?: Record<string, string> } = {}): string {
  const [kind, spec] = SERVICES[name];
  const metadata = { ...(change.labels ? { labels: change.labels } : {}), ...(change.annotations ? { annotations: change.annotations } : {}) };
  return entity(kind, name, { ...spec, ...change.spec }, metadata);
}

/** The file a service lives in. */
export const fileOf = (name: string) => `services/${name}.yaml`;

/** A harmless modification of a service (a label), as a file map entry. */
export const touch = (name: string, labels: Record<string, string> = { version: 'v2' }) => ({ [fileOf(name)]: service(name, { labels }) });

export const policy = (name: string, spec: Record<string, unknown>) => entity('ChangePolicy', name, { description: `test policy ${name}`, ...spec });
export const changeWindow = (name: string, spec: Record<string, unknown>) => entity('ChangeWindow', name, spec);

/** The organisation's files, plus `extra` (undefined removes a file). */
export function orgFiles(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const files: Record<string, string | undefined> = { 'teams.yaml': TEAMS, 'users.yaml': USERS };
  for (const name of Object.keys(SERVICES)) files[fileOf(name)] = service(name);
  return { ...files, ...extra };
}

export const yaml = (value: unknown) => stringify(value);

export interface CheckResult {
  report: ChangeReport;
  evaluation: Evaluation;
}

/**
 * Evaluates a change on a real Git repository: the base commit holds the
 * organisation plus `base`, the head commit applies `head` on top.
 */
export async function check(options: { base?: Record<string, string | undefined>; head: Record<string, string | undefined>; input?: Partial<ChangeInput> }): Promise<CheckResult> {
  const repo = TestRepo.create('cmdb-policies-');
  const git = new NativeGitReader({ dir: repo.dir });
  const graph = new InMemoryGraphStore({});
  try {
    const base = repo.commit(orgFiles(options.base));
    const head = repo.commit(options.head);
    const reader = new CatalogReader({ git, cache: false });
    const evaluation = await evaluateChange({ base, head, ...options.input }, { reader, graph });
    return { report: toReport(evaluation), evaluation };
  } finally {
    await git.close();
    await graph.close();
    repo.remove();
  }
}

/** The violations of one policy. */
export const violationsOf = (report: ChangeReport, policyName: string) => report.violations.filter((v) => v.policy === policyName);
