/**
 * Policy evaluation on a large change: 50 generated ChangePolicies (plus the
 * built-in pack) and two ChangeWindows, evaluated the way the controller's
 * policy steps do (CEL facts, windows, policies, risk, change type,
 * approvals) on one base..head change. Standalone:
 *   node --import tsx bench/policies.ts [--runs N]
 * (generates or reuses bench/.work/repo-100k).
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { CatalogReader } from '../catalog/CatalogReader.ts';
import { diffSnapshots } from '../catalog/diff.ts';
import { NativeGitReader } from '../catalog/git/NativeGitReader.ts';
import type { Entity, Snapshot, SnapshotDiff } from '../catalog/types.ts';
import { maxCriticality } from '../controller/steps/impact.ts';
import { InMemoryGraphStore } from '../graph/InMemoryGraphStore.ts';
import { requiredApprovals, satisfyApprovals } from '../policies/approvals.ts';
import { builtinPolicies } from '../policies/builtin.ts';
import { classifyChange } from '../policies/changeType.ts';
import { compilePolicy, compileWindow } from '../policies/compile.ts';
import { DEFAULT_CHANGE_MANAGEMENT } from '../policies/config.ts';
import { Directory } from '../policies/directory.ts';
import { evaluatePolicies } from '../policies/evaluate.ts';
import { celChange, celImpact, criticalityOf, ownershipOf, ownerOf, type ImpactInput } from '../policies/facts.ts';
import { assessRisk } from '../policies/risk.ts';
import type { Policy, Window } from '../policies/types.ts';
import { evaluateWindows, windowSubjects } from '../policies/windows.ts';
import { formatMs, summarize } from './stats.ts';

/** Number of generated policies (the built-in pack comes on top). */
export const GENERATED_POLICIES = 50;

const KINDS = ['component', 'resource', 'system', 'api'];
const CRITICALITY = ['critical', 'high', 'medium', 'low'];

/** The i-th generated policy: five shapes, over the change, the impact, labels and time. */
function policySpec(i: number): Record<string, unknown> {
  const kind = KINDS[i % KINDS.length];
  const level = CRITICALITY[i % CRITICALITY.length];
  const shapes: Array<() => Record<string, unknown>> = [
    () => ({ match: `impact.maxCriticality == '${level}'`, approvals: [{ from: `group:team-${i}` }], risk: 'moderate' }),
    () => ({ rules: [{ expression: `change.entities.all(e, e.op != 'removed' || e.kind != '${kind}' || size(e.dependents) == 0)`, message: `no removal ${i}` }], enforcement: 'advisory' }),
    () => ({ rules: [{ expression: `impact.entities.all(x, x.distance < ${3 + (i % 5)} || x.criticality != '${level}')`, message: `deep impact ${i}` }], enforcement: 'advisory' }),
    () => ({ match: `change.entities.exists(e, e.kind == '${kind}' && has(e.after.metadata.labels))`, rules: [{ expression: `'reviewed-${i}' in change.labels || change.author != ''`, message: `label ${i}` }], enforcement: 'advisory' }),
    () => ({ match: `change.entities.exists(e, e.fields.exists(f, f.startsWith('spec.')) && e.criticality == '${level}')`, approvals: [{ from: 'owners-of-impacted' }], risk: 'low' }),
  ];
  return { description: `generated policy ${i}`, ...shapes[i % shapes.length]() };
}

/** A document-less entity for a generated definition. */
function syntheticEntity(kind: 'ChangePolicy' | 'ChangeWindow', name: string, spec: Record<string, unknown>): Entity {
  return {
    ref: `${kind.toLowerCase()}:default/${name}`,
    apiVersion: 'cmdb/v1',
    kind,
    facts: {},
    metadata: { name, namespace: 'default' },
    spec,
    source: { file: `(bench)/${name}.yaml`, line: 1, column: 1, blob: '', document: 0 },
    positions: {},
  };
}

/** The generated policies and windows, compiled (compilation is not part of the timed runs). */
export function generatedRules(): { policies: Policy[]; windows: Window[] } {
  const policies = Array.from({ length: GENERATED_POLICIES }, (_, i) => {
    const c = compilePolicy(syntheticEntity('ChangePolicy', `bench-policy-${i}`, policySpec(i)));
    if (!c.definition) throw new Error(`bench policy ${i} does not compile: ${c.problems.map((p) => p.message).join('; ')}`);
    return c.definition;
  });
  const windows = [
    { type: 'freeze', start: '2000-01-01T00:00:00Z', end: '2100-01-01T00:00:00Z', appliesTo: "entity.criticality == 'critical' && entity.kind == 'system'" },
    { type: 'maintenance', start: '2099-01-01T00:00:00Z', end: '2099-01-01T04:00:00Z', appliesTo: "entity.kind in ['resource', 'cluster']" },
  ].map((spec, i) => compileWindow(syntheticEntity('ChangeWindow', `bench-window-${i}`, spec)).definition!);
  return { policies: [...builtinPolicies(DEFAULT_CHANGE_MANAGEMENT), ...policies], windows };
}

/** The impact as the controller's impact step computes it. */
async function impactOf(base: Snapshot, head: Snapshot): Promise<ImpactInput> {
  const changes = diffSnapshots(base, head).changes;
  const roots = changes.filter((c) => c.op !== 'removed').map((c) => c.ref);
  const graph = new InMemoryGraphStore({});
  try {
    await graph.load(head);
    const result = await graph.impact(roots);
    const entities = result.entities.map((e) => {
      const entity = head.entities.get(e.ref);
      return { ...e, criticality: criticalityOf(entity), owner: ownerOf(entity) };
    });
    const touched = changes.map((c) => c.after ?? c.before);
    const owners = [...new Set(entities.map((e) => e.owner).filter((o): o is string => o !== undefined))].sort();
    return { entities, maxCriticality: maxCriticality([...touched.map(criticalityOf), ...entities.map((e) => e.criticality)]), owners };
  } finally {
    await graph.close();
  }
}

/** One evaluation of every rule on the change, as the policy steps run it. */
function evaluateOnce(options: { base: Snapshot; head: Snapshot; diff: SnapshotDiff; impact: ImpactInput; policies: Policy[]; windows: Window[] }): { matched: number; violations: number } {
  const { base, head, diff, impact, policies, windows } = options;
  const now = new Date('2026-06-01T12:00:00Z');
  const change = celChange({ diff, base, head, context: { title: 'bench', author: 'bench-bot', labels: ['bench'] } });
  const cel = celImpact(impact);
  const w = evaluateWindows({ windows, subjects: () => windowSubjects({ changes: diff.changes, impact, head }), change, impact: cel, now });
  const activation = { change, impact: cel, now, windows: w.active };
  const result = evaluatePolicies({ policies, activation, entityOf: (ref) => head.entities.get(ref) ?? base.entities.get(ref) });
  const { risk } = assessRisk({ matched: result.matched, maxCriticality: impact.maxCriticality, impacted: impact.entities.length, config: DEFAULT_CHANGE_MANAGEMENT });
  classifyChange({ labels: ['bench'], risk, changes: diff.changes, standardPolicies: [] });
  const ownership = () => ownershipOf({ changes: diff.changes, impacted: impact.entities.map((e) => e.ref), base, head });
  satisfyApprovals(requiredApprovals(result.matched, ownership), { approvedBy: ['someone'], author: 'bench-bot', directory: Directory.of(base) });
  return { matched: result.matched.length, violations: result.findings.length };
}

/**
 * Evaluation time (ms per run, after one warm-up) of the generated policies
 * plus the built-in pack on base..head. The diff, the graph impact and policy
 * compilation are outside the timed section (the diff and impact steps, and
 * the rulebook's per-entity memo, own them).
 */
export async function benchPolicies(options: { base: Snapshot; head: Snapshot; runs?: number }): Promise<{ policies: number; ms: number[] }> {
  const { base, head } = options;
  const { policies, windows } = generatedRules();
  const impact = await impactOf(base, head);
  const diff = diffSnapshots(base, head);
  const run = () => evaluateOnce({ base, head, diff, impact, policies, windows });
  run();
  const ms: number[] = [];
  for (let i = 0; i < (options.runs ?? 5); i++) {
    const start = performance.now();
    run();
    ms.push(performance.now() - start);
  }
  return { policies: policies.length, ms };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string' } } });
  const { generateRepo } = await import('./generate.ts');
  const repo = await generateRepo({ dir: 'bench/.work/repo-100k', entities: 100_000 });
  const git = new NativeGitReader({ dir: repo.dir });
  try {
    const reader = new CatalogReader({ git });
    const base = await reader.read(repo.base);
    const head = await reader.readFrom(base, repo.head);
    const diff = diffSnapshots(base, head);
    const compileStart = performance.now();
    generatedRules();
    const compileMs = performance.now() - compileStart;
    const { policies, ms } = await benchPolicies({ base, head, runs: Number(values.runs ?? 5) });
    const s = summarize(ms);
    const once = evaluateOnce({ base, head, diff, impact: await impactOf(base, head), ...generatedRules() });
    console.log(`${base.entities.size} entities, ${diff.changes.length} changed; ${policies} policies (${GENERATED_POLICIES} generated + built-ins), ${once.matched} matched, ${once.violations} findings`);
    console.log(`compile ${GENERATED_POLICIES} policies + 2 windows: ${formatMs(compileMs)}`);
    console.log(`evaluate: median ${formatMs(s.p50)}, min ${formatMs(s.min)}, max ${formatMs(s.max)} over ${ms.length} runs: ${ms.map((x) => x.toFixed(1)).join(', ')} ms`);
  } finally {
    await git.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
