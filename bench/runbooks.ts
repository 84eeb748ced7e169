/**
 * What runbooks cost on the 100,000-entity repo: reading the runbook index of
 * a commit (cold: list the commit, read its Markdown files; warm: the cache),
 * the `runbooks` step of a change, and `forRefs` over every impacted entity
 * (each annotation lookup builds the entity from the parse cache).
 *   node --import tsx bench/runbooks.ts [--runbooks N]
 * Generates (or reuses) bench/.work/repo-100k and commits N runbooks on top of
 * its head on branch `bench-runbooks` (plumbing only: main and change stay).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CatalogReader } from '../catalog/CatalogReader.ts';
import { NativeGitReader } from '../catalog/git/NativeGitReader.ts';
import { readRunbooks } from '../catalog/runbooks.ts';
import type { StepTiming } from '../controller/Evaluation.ts';
import { evaluateChange } from '../controller/evaluateChange.ts';
import { InMemoryGraphStore } from '../graph/InMemoryGraphStore.ts';
import { STANDARD_REPOS } from './generate-main.ts';
import { generateRepo } from './generate.ts';
import { formatMachineInfo, machineInfo } from './stats.ts';

const { values } = parseArgs({ options: { runbooks: { type: 'string', default: '200' } } });
const count = Number(values.runbooks);
const spec = STANDARD_REPOS[1];
const repo = await generateRepo({ dir: spec.dir, entities: spec.entities });
const gitIn = (args: string[], input?: string, env: NodeJS.ProcessEnv = {}) =>
  execFileSync('git', args, { cwd: repo.dir, input, env: { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@x', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@x', ...env }, encoding: 'utf8' }).trim();

/** Commits `count` runbooks on the head, each linked to 5 changed or random components by front matter. */
function commitRunbooks(): string {
  const refs = [...repo.changedRefs.modified, ...repo.changedRefs.added].filter((r) => r.startsWith('component:'));
  const index = path.join(os.tmpdir(), `cmdb-bench-runbooks-index-${process.pid}`);
  const env = { GIT_INDEX_FILE: index };
  gitIn(['read-tree', repo.head], undefined, env);
  for (let i = 0; i < count; i++) {
    const linked = Array.from({ length: 5 }, (_, k) => refs[(i * 5 + k) % refs.length]);
    const oid = gitIn(['hash-object', '-w', '--stdin'], `---\ntitle: Runbook ${i}\nentities: [${linked.join(', ')}]\n---\n# Runbook ${i}\n\nSteps.\n`);
    gitIn(['update-index', '--add', '--cacheinfo', `100644,${oid},runbooks/rb-${String(i).padStart(4, '0')}.md`], undefined, env);
  }
  const tree = gitIn(['write-tree'], undefined, env);
  fs.rmSync(index, { force: true });
  const commit = gitIn(['commit-tree', tree, '-p', repo.head, '-m', `${count} runbooks`]);
  gitIn(['update-ref', 'refs/heads/bench-runbooks', commit]);
  return commit;
}

const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;
const commit = commitRunbooks();
const git = new NativeGitReader({ dir: repo.dir });
const reader = new CatalogReader({ git });
const base = await reader.read(repo.base);
const head = await reader.readFrom(base, commit);
const files = (await git.listFiles(commit)).length;

let t0 = performance.now();
const noRunbooks = await readRunbooks(git, repo.head, await reader.readFrom(base, repo.head));
const coldEmpty = ms(t0);
t0 = performance.now();
const index = await readRunbooks(git, commit, head);
const cold = ms(t0);
t0 = performance.now();
await readRunbooks(git, commit, head);
const warm = ms(t0);

let timings: StepTiming[] = [];
const graph = new InMemoryGraphStore({});
let evaluation = await evaluateChange({ base: repo.base, head: commit }, { reader, graph, onStep: (t) => timings.push(t) });
const firstRunbooksStepMs = Math.round(timings.find((t) => t.step === 'runbooks')!.ms * 10) / 10;
timings = [];
evaluation = await evaluateChange({ base: repo.base, head: commit }, { reader, graph, onStep: (t) => timings.push(t) });
const impacted = evaluation.impact!.entities.map((e) => e.ref);
const fresh = await readRunbooks(git, commit, await reader.read(commit));
t0 = performance.now();
fresh.forRefs(impacted);
const forRefs = ms(t0);
await graph.close();

console.log(formatMachineInfo(await machineInfo()));
console.log(
  JSON.stringify(
    {
      entities: base.rows.refs.length,
      files,
      runbooks: index.runbooks.length,
      noMarkdownIndexMs: coldEmpty,
      noMarkdownRunbooks: noRunbooks.runbooks.length,
      coldIndexMs: cold,
      warmIndexMs: warm,
      changed: evaluation.diff!.changes.length,
      impacted: impacted.length,
      firstRunbooksStepMs,
      runbooksStepMs: Math.round(timings.find((t) => t.step === 'runbooks')!.ms * 10) / 10,
      listedInComment: evaluation.runbooks!.length,
      forRefsImpactedMs: forRefs,
      steps: Object.fromEntries(timings.map((t) => [t.step, Math.round(t.ms)])),
    },
    null,
    2,
  ),
);
