import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogReader } from '../../catalog/CatalogReader.ts';
import { NativeGitReader } from '../../catalog/git/NativeGitReader.ts';
import { evaluateChange } from '../../controller/evaluateChange.ts';
import { toReport } from '../../controller/report.ts';
import { JsonReporter, MarkdownReporter, TextReporter } from '../../controller/reporters/index.ts';
import { InMemoryGraphStore } from '../../graph/InMemoryGraphStore.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';

let repo: TestRepo;
let git: NativeGitReader;
let base: string;
let head: string;
let quiet: string;

const redis = (criticality: string) => entity('Resource', 'redis', { type: 'cache', owner: 'shop-team', criticality }, { annotations: { 'cmdb.dev/runbook': 'runbooks/redis.md' } });

beforeAll(() => {
  repo = TestRepo.create('cmdb-runbooks-step-');
  base = repo.commit({
    'team.yaml': entity('Group', 'shop-team', { type: 'team', children: [] }),
    'redis.yaml': redis('medium'),
    'cart.yaml': entity('Component', 'cart', { type: 'service', lifecycle: 'production', owner: 'shop-team', dependsOn: ['resource:redis'] }),
    'web.yaml': entity('Component', 'web', { type: 'website', lifecycle: 'production', owner: 'shop-team' }),
    'runbooks/redis.md': '# Flush the redis cache\n',
    'runbooks/cart.md': '---\ntitle: Restart the cart\nentities: [component:cart]\n---\n',
    // A runbook problem the change does not touch: not reported on it.
    'runbooks/old.md': '---\nentities: [component:gone]\n---\n',
  });
  head = repo.commit({
    'redis.yaml': redis('high'),
    'runbooks/new.md': '---\ntitle: New\nentities: [component:ghost]\n---\n',
  });
  quiet = repo.commit({ 'web.yaml': entity('Component', 'web', { type: 'website', lifecycle: 'production', owner: 'shop-team', criticality: 'low' }) });
  git = new NativeGitReader({ dir: repo.dir });
});
afterAll(async () => {
  await git.close();
  repo.remove();
});

async function report(from: string, to: string) {
  const graph = new InMemoryGraphStore({});
  try {
    return toReport(await evaluateChange({ base: from, head: to }, { reader: new CatalogReader({ git, cache: false }), graph }));
  } finally {
    await graph.close();
  }
}

describe('the runbooks step', () => {
  it('lists the runbooks of changed and impacted entities in the pull-request comment and the text report', async () => {
    const r = await report(base, head);
    expect(r.runbooks).toEqual([
      { path: 'runbooks/redis.md', title: 'Flush the redis cache', refs: ['resource:default/redis'] },
      { path: 'runbooks/cart.md', title: 'Restart the cart', refs: ['component:default/cart'] },
    ]);
    const markdown = new MarkdownReporter().render(r);
    expect(markdown).toContain(
      ['### Runbooks', '', '- **Flush the redis cache** (`runbooks/redis.md`) for `resource:default/redis`', '- **Restart the cart** (`runbooks/cart.md`) for `component:default/cart`', ''].join('\n'),
    );
    expect(new TextReporter({ color: false }).render(r)).toContain('Runbooks (2):\n  Flush the redis cache  runbooks/redis.md, for resource:default/redis\n  Restart the cart  runbooks/cart.md, for component:default/cart');
  });

  it('reports problems of the runbooks the change adds or modifies, as warnings, and only those', async () => {
    const r = await report(base, head);
    const runbookProblems = r.violations.filter((v) => v.rule === 'runbook');
    expect(runbookProblems).toEqual([
      { rule: 'runbook', severity: 'warning', message: `front matter entities: no entity "component:ghost" at commit ${head.slice(0, 12)}`, file: 'runbooks/new.md', line: 3, column: 12 },
    ]);
    expect(r.decision).toBe('pass');
  });

  it('leaves the JSON report as it was: no runbooks key', async () => {
    const r = await report(base, head);
    const json = new JsonReporter().render(r);
    expect(JSON.parse(json)).not.toHaveProperty('runbooks');
    const { runbooks: _, ...rest } = r;
    expect(json).toBe(JSON.stringify(rest, null, 2));
  });

  it('adds no section when nothing changed or impacted has a runbook', async () => {
    const r = await report(head, quiet);
    expect(r.runbooks).toBeUndefined();
    expect(r.violations.filter((v) => v.rule === 'runbook')).toEqual([]);
    expect(new MarkdownReporter().render(r)).not.toContain('Runbooks');
    expect(new TextReporter({ color: false }).render(r)).not.toContain('Runbooks');
  });
});
