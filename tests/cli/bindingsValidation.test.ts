/**
 * `spec.observe` bindings to clusters the reconcilers cannot use (no such
 * entity, not a Cluster, no `spec.kubernetes.context`, none at all), given or
 * defaulted from `runsOn`: errors at file:line:column of `cmdb validate` and
 * `cmdb check`, the same lines `cmdb reconcile` refuses to reconcile with.
 * Real Git repositories in temp dirs, with the parse cache and stored tables.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmdb } from '../helpers/cli.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';

let repo: TestRepo;
let cacheDir: string;
const commits: Record<string, string> = {};

const team = entity('Group', 'shop-team', { type: 'team', children: [] });
const cluster = (name: string, context?: string) => entity('Cluster', name, { type: 'kubernetes', owner: 'shop-team', ...(context ? { kubernetes: { context } } : {}) });
const deployment = (name: string, clusterRef?: string) => ({ kubernetes: { ...(clusterRef ? { cluster: clusterRef } : {}), apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name } });
const svc = (name: string, spec: Record<string, unknown>) => entity('Component', name, { type: 'service', lifecycle: 'production', owner: 'shop-team', ...spec });

/** The files of the valid commit: every binding names (or defaults to) a Cluster with a context. */
const valid = {
  'teams.yaml': team,
  'clusters.yaml': `${cluster('prod', 'prod-admin')}---\n${cluster('spare', 'spare-admin')}`,
  'web.yaml': svc('web', { observe: [{ http: { url: 'http://web.shop/healthz' } }, deployment('web', 'cluster:prod')] }),
  'cart.yaml': svc('cart', { runsOn: ['cluster:prod'], observe: [deployment('cart')] }),
  'redis.yaml': entity('Resource', 'redis', { type: 'cache', owner: 'shop-team' }),
};

/** line:column of the first line of `text` containing `needle`, at the needle. */
function where(text: string, needle: string): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not in ${text}`);
  return `${i + 1}:${lines[i].indexOf(needle) + 1}`;
}

const broken = {
  'a.yaml': svc('a', { observe: [{ http: { url: 'http://a.shop/' } }, deployment('a', 'cluster:elsewhere')] }),
  'b.yaml': svc('b', { observe: [deployment('b', 'nocontext')] }),
  'c.yaml': svc('c', { runsOn: ['cluster:nocontext'], observe: [deployment('c')] }),
  'd.yaml': svc('d', { observe: [deployment('d')] }),
  'e.yaml': svc('e', { observe: [deployment('e', 'resource:redis')] }),
  'nocontext.yaml': cluster('nocontext'),
};

/** The lines validate prints for `broken`, in path order. */
const brokenLines = () => [
  `a.yaml:${where(broken['a.yaml'], 'cluster:')}: component:default/a: spec.observe[1].kubernetes.cluster refers to cluster:default/elsewhere, which is not an entity of the catalog [observe]`,
  `b.yaml:${where(broken['b.yaml'], 'cluster:')}: component:default/b: spec.observe[0].kubernetes.cluster refers to cluster:default/nocontext, which has no spec.kubernetes.context (the kubeconfig context the controller uses for it) [observe]`,
  `c.yaml:${where(broken['c.yaml'], 'kubernetes:')}: component:default/c: spec.observe[0].kubernetes.cluster is not set and defaults to cluster:default/nocontext (the cluster the entity runs on), which has no spec.kubernetes.context (the kubeconfig context the controller uses for it) [observe]`,
  `d.yaml:${where(broken['d.yaml'], 'kubernetes:')}: component:default/d: spec.observe[0].kubernetes.cluster is required: the entity runs on no cluster [observe]`,
  `e.yaml:${where(broken['e.yaml'], 'cluster:')}: component:default/e: spec.observe[0].kubernetes.cluster refers to resource:default/redis, a Resource, not a Cluster [observe]`,
];

beforeAll(() => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-bindings-cache-'));
  process.env.CMDB_CACHE_DIR = cacheDir;
  repo = TestRepo.create();
  commits.valid = repo.commit(valid);
  commits.broken = repo.commit(broken);
  // Only the Cluster's file changes: the binding in the unchanged web.yaml loses its context.
  commits.contextless = repo.commit({ ...Object.fromEntries(Object.keys(broken).map((p) => [p, undefined])), 'clusters.yaml': `${cluster('prod')}---\n${cluster('spare', 'spare-admin')}` });
  commits.removed = repo.commit({ 'clusters.yaml': cluster('spare', 'spare-admin') });
});
afterAll(() => {
  repo.remove();
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

const sorted = (text: string) => text.trim().split('\n').sort();

describe('cmdb validate: observe bindings', () => {
  it('a catalog whose bindings all name a Cluster with a context is valid', async () => {
    const r = await cmdb('validate', '--repo', repo.dir, '--ref', commits.valid);
    expect(r).toMatchObject({ code: 0, stdout: '' });
  });

  it('reports each binding to an unknown cluster, a non-Cluster, a Cluster without context or no cluster at the cluster setting, exit 1; the same read again from the stored table', async () => {
    for (let run = 0; run < 2; run++) {
      const r = await cmdb('validate', '--repo', repo.dir, '--ref', commits.broken);
      expect(r.code).toBe(1);
      expect(sorted(r.stdout)).toEqual(brokenLines());
    }
    const json = JSON.parse((await cmdb('validate', '--repo', repo.dir, '--ref', commits.broken, '--format', 'json')).stdout);
    expect(json.valid).toBe(false);
    expect(json.violations).toContainEqual({
      rule: 'observe',
      severity: 'error',
      ref: 'component:default/a',
      message: 'component:default/a: spec.observe[1].kubernetes.cluster refers to cluster:default/elsewhere, which is not an entity of the catalog',
      file: 'a.yaml',
      line: Number(where(broken['a.yaml'], 'cluster:').split(':')[0]),
      column: Number(where(broken['a.yaml'], 'cluster:').split(':')[1]),
    });
  });

  it('cmdb reconcile refuses the same bindings with the same lines (one rule), exit 2', async () => {
    const r = await cmdb('reconcile', '--repo', repo.dir, '--ref', commits.broken);
    expect(r.code).toBe(2);
    expect(sorted(r.stdout)).toEqual(brokenLines());
  });

  it('a Cluster that loses its context, or is removed, breaks the bindings of files that did not change', async () => {
    const contextless = await cmdb('validate', '--repo', repo.dir, '--ref', commits.contextless);
    expect(contextless.code).toBe(1);
    const [webLine, cartLine] = [where(valid['web.yaml'], 'cluster:'), where(valid['cart.yaml'], 'kubernetes:')];
    expect(sorted(contextless.stdout)).toEqual([
      `cart.yaml:${cartLine}: component:default/cart: spec.observe[0].kubernetes.cluster is not set and defaults to cluster:default/prod (the cluster the entity runs on), which has no spec.kubernetes.context (the kubeconfig context the controller uses for it) [observe]`,
      `web.yaml:${webLine}: component:default/web: spec.observe[1].kubernetes.cluster refers to cluster:default/prod, which has no spec.kubernetes.context (the kubeconfig context the controller uses for it) [observe]`,
    ]);
    const removed = await cmdb('validate', '--repo', repo.dir, '--ref', commits.removed);
    expect(removed.code).toBe(1);
    expect(removed.stdout).toContain(`web.yaml:${webLine}: component:default/web: spec.observe[1].kubernetes.cluster refers to cluster:default/prod, which is not an entity of the catalog [observe]`);
  });
});

describe('cmdb check: observe bindings', () => {
  it('blocks a change that adds bindings to clusters the reconcilers cannot use, at file:line:column', async () => {
    const r = await cmdb('check', '--repo', repo.dir, '--base', commits.valid, '--head', commits.broken, '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.decision).toBe('blocked');
    const observe = report.violations.filter((v: { rule: string }) => v.rule === 'observe');
    expect(observe.map((v: { file: string; line: number; column: number; message: string; severity: string }) => `${v.file}:${v.line}:${v.column}: ${v.message} [observe]`).sort()).toEqual(brokenLines());
    expect(observe.every((v: { severity: string }) => v.severity === 'error')).toBe(true);
  });

  it('blocks a change to the Cluster alone that leaves an unchanged binding without context', async () => {
    const r = await cmdb('check', '--repo', repo.dir, '--base', commits.valid, '--head', commits.contextless, '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.decision).toBe('blocked');
    expect(report.violations.filter((v: { rule: string }) => v.rule === 'observe').map((v: { ref: string; severity: string }) => [v.ref, v.severity]).sort()).toEqual([
      ['component:default/cart', 'error'],
      ['component:default/web', 'error'],
    ]);
  });

  it('a binding problem the base already had is a warning (the change did not cause it)', async () => {
    const r = await cmdb('check', '--repo', repo.dir, '--base', commits.contextless, '--head', commits.removed, '--format', 'json');
    const report = JSON.parse(r.stdout);
    const observe = report.violations.filter((v: { rule: string }) => v.rule === 'observe');
    // cart's default cluster and web's cluster now do not exist: new messages, errors; none repeats the base's.
    expect(observe.map((v: { ref: string; severity: string; message: string }) => [v.ref, v.severity, /not an entity/.test(v.message)]).sort()).toEqual([
      ['component:default/cart', 'error', true],
      ['component:default/web', 'error', true],
    ]);
    const again = JSON.parse((await cmdb('check', '--repo', repo.dir, '--base', commits.removed, '--head', commits.removed, '--format', 'json')).stdout);
    expect(again.violations.filter((v: { rule: string }) => v.rule === 'observe').map((v: { severity: string; message: string }) => [v.severity, v.message.endsWith('(already on the base commit)')])).toEqual([
      ['warning', true],
      ['warning', true],
    ]);
  });
});
