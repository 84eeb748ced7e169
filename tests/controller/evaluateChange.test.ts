import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogReader } from '../../catalog/CatalogReader.ts';
import { NativeGitReader } from '../../catalog/git/NativeGitReader.ts';
import { CmdbError } from '../../core/errors.ts';
import { defineStep, type AnyStep, type StepTiming } from '../../controller/Evaluation.ts';
import { evaluateChange, orderedSteps, STEPS, stepOrderProblems } from '../../controller/evaluateChange.ts';
import { toReport } from '../../controller/report.ts';
import { JsonReporter, MarkdownReporter, TextReporter } from '../../controller/reporters/index.ts';
import { decideStep } from '../../controller/steps/decide.ts';
import { diffStep } from '../../controller/steps/diff.ts';
import { loadStep } from '../../controller/steps/load.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';

let repo: TestRepo;
let git: NativeGitReader;
let base: string;
let head: string;

beforeAll(() => {
  repo = TestRepo.create('cmdb-evaluate-');
  base = repo.commit({
    'team.yaml': entity('Group', 'shop-team', { type: 'team', children: [] }),
    'redis.yaml': entity('Resource', 'redis', { type: 'cache', owner: 'shop-team', criticality: 'medium' }),
    'cart.yaml': entity('Component', 'cart', { type: 'service', lifecycle: 'production', owner: 'shop-team', dependsOn: ['resource:redis'] }),
  });
  head = repo.commit({ 'redis.yaml': entity('Resource', 'redis', { type: 'cache', owner: 'shop-team', criticality: 'high' }) });
  git = new NativeGitReader({ dir: repo.dir });
});
afterAll(async () => {
  await git.close();
  repo.remove();
});

const names = (steps: readonly AnyStep[]) => steps.map((s) => s.name);

async function evaluate(steps: readonly AnyStep[] = STEPS) {
  const graph = new InMemoryGraphStore({});
  const timings: StepTiming[] = [];
  try {
    const evaluation = await evaluateChange({ base, head }, { reader: new CatalogReader({ git, cache: false }), graph, onStep: (e) => timings.push(e) }, steps);
    return { evaluation, timings };
  } finally {
    await graph.close();
  }
}

/** STEPS with the step `name` replaced by one that declares the same and throws `error`. */
const throwingAt = (name: string, error: unknown): AnyStep[] =>
  STEPS.map((s) =>
    s.name === name
      ? {
          ...s,
          run: async () => {
            throw error;
          },
        }
      : s,
  );

/** A last step that decides without reading anything, for short step lists. */
const finish = defineStep({ name: 'decide', reads: [], adds: ['decision'], run: async () => ({ decision: 'pass' }) });

describe('the order of the steps', () => {
  it('is sound: every step reads only what an earlier step added, decide last', () => {
    expect(stepOrderProblems(STEPS)).toEqual([]);
    expect(names(STEPS)).toEqual(['load', 'validate', 'diff', 'impact', 'rules', 'windows', 'policies', 'conflicts', 'approvals', 'runbooks', 'decide']);
  });

  it('fails loudly when a step reads what no earlier step adds', () => {
    const swapped = [diffStep, ...STEPS.filter((s) => s !== diffStep)];
    expect(stepOrderProblems(swapped)).toEqual(['step "diff" reads "base", which no earlier step adds', 'step "diff" reads "head", which no earlier step adds']);
    expect(() => orderedSteps(swapped)).toThrow(/out of order: step "diff" reads "base", which no earlier step adds/);
  });

  it('fails when two steps add one key, when decide is not last, and when a step list given to evaluateChange is out of order', async () => {
    const twice = [...STEPS.slice(0, -1), defineStep({ name: 'again', reads: [], adds: ['diff', 'violations'], run: async () => ({ diff: undefined!, violations: [] }) }), decideStep];
    expect(stepOrderProblems(twice)).toEqual(['step "again" adds "diff", which step "diff" already added']);
    expect(stepOrderProblems(STEPS.slice(0, -1))).toEqual(['the last step must be "decide"']);
    await expect(evaluate([diffStep, loadStep, finish])).rejects.toThrow(/out of order/);
  });
});

describe('evaluateChange', () => {
  it('times every step through onStep, in order', async () => {
    const { evaluation, timings } = await evaluate();
    expect(evaluation.decision).toBe('pass');
    expect(evaluation.failure).toBeUndefined();
    expect(timings.map((t) => t.step)).toEqual(names(STEPS));
    for (const t of timings) {
      expect(t.ms).toBeGreaterThanOrEqual(0);
      expect(t).not.toHaveProperty('error');
    }
  });

  it('loads the head into the graph store in the load step', async () => {
    const graph = new InMemoryGraphStore({});
    const steps = [loadStep, finish];
    const evaluation = await evaluateChange({ base, head }, { reader: new CatalogReader({ git, cache: false }), graph }, steps);
    expect(await graph.commit()).toBe(head);
    expect(evaluation.graph).toBe(graph);
    await graph.close();
  });

  it('a step that throws ends the evaluation as `internal` with the step and the message: later steps are skipped, decide runs', async () => {
    const failure = new CmdbError('the graph store stopped answering', { code: 'graph-store' });
    const { evaluation, timings } = await evaluate(throwingAt('impact', failure));
    expect(evaluation.decision).toBe('internal');
    expect(evaluation.failure).toEqual({ step: 'impact', message: 'the graph store stopped answering' });
    expect(evaluation.policies).toBeUndefined();
    expect(timings.map((t) => t.step)).toEqual(['load', 'validate', 'diff', 'impact', 'decide']);
    expect(timings.find((t) => t.step === 'impact')?.error).toBe(failure);

    const report = toReport(evaluation);
    expect(report).toMatchObject({ base, head, decision: 'internal', failure: { step: 'impact', message: 'the graph store stopped answering' } });
    expect(JSON.parse(new JsonReporter().render(report)).failure).toEqual({ step: 'impact', message: 'the graph store stopped answering' });
    expect(new TextReporter({ color: false }).render(report)).toMatch(/^Decision: COULD NOT EVALUATE .*\n {2}the impact step failed: the graph store stopped answering$/);
    expect(new MarkdownReporter().render(report)).toContain('the impact step failed: the graph store stopped answering');
  });

  it("starts every step's prefetch before the first step runs; a prefetch that throws changes nothing", async () => {
    const order: string[] = [];
    const steps = STEPS.map((s) =>
      s.name === 'load'
        ? { ...s, prefetch: () => void order.push('prefetch load'), run: (v: never, c: Parameters<typeof s.run>[1]) => (order.push('run load'), s.run(v, c)) }
        : s.name === 'runbooks'
          ? {
              ...s,
              prefetch: () => {
                order.push('prefetch runbooks');
                throw new Error('git is gone');
              },
            }
          : s,
    );
    const { evaluation } = await evaluate(steps);
    expect(order).toEqual(['prefetch load', 'prefetch runbooks', 'run load']);
    const plain = (await evaluate()).evaluation;
    expect(evaluation.failure).toBeUndefined();
    expect(toReport(evaluation)).toEqual(toReport(plain));
  });

  it('a bug (not a CmdbError) and a step returning a key it does not declare are failures too', async () => {
    const bug = await evaluate(throwingAt('diff', new TypeError('x is undefined')));
    expect(bug.evaluation).toMatchObject({ decision: 'internal', failure: { step: 'diff', message: 'x is undefined' } });
    const sneaky = defineStep({ name: 'diff', reads: ['base', 'head'], adds: ['diff'], run: async (ev, context) => ({ ...(await diffStep.run(ev, context)), risk: 'high' }) as never });
    const undeclared = await evaluate(STEPS.map((s) => (s.name === 'diff' ? sneaky : s)));
    expect(undeclared.evaluation.failure).toEqual({ step: 'diff', message: 'step "diff" returned "risk", which it does not declare it adds' });
    expect(undeclared.evaluation.risk).toBeUndefined();
    expect(undeclared.evaluation.diff).toBeUndefined();
  });

  it('a step sees the input and what it reads, nothing else', async () => {
    let seen: string[] = [];
    const peek = defineStep({
      name: 'peek',
      reads: ['head'],
      adds: [],
      run: async (view) => {
        seen = Object.keys(view).sort();
        return {};
      },
    });
    await evaluate([loadStep, peek, finish]);
    expect(seen).toEqual(['head', 'input']);
  });
});
