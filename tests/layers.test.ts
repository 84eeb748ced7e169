import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

/** Top folders with sources: the layers and the folders outside them. */
const TOP = ['core', 'schema', 'catalog', 'graph', 'policies', 'state', 'controller', 'reconcilers', 'incidents', 'graph-api', 'server', 'web', 'cli', 'bench', 'tests', 'examples', 'scripts'];

/** The rule that holds once graph/ reads snapshots through catalog's contract only (the catalog rewrite). */
const GRAPH_CONTRACT_RULE = 'graph-reads-catalog-contract-only';

interface Violation {
  rule: string;
  from: string;
  to: string;
}

/** Runs dependency-cruiser (the CLI) with the repository's config over the top folders of `dir`; its violations. */
function cruise(dir: string): Violation[] {
  const folders = TOP.filter((f) => fs.existsSync(path.join(dir, f)));
  const r = spawnSync(process.execPath, [DEPCRUISE, '--config', CONFIG, '--output-type', 'json', ...folders], { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (!r.stdout) throw new Error(`dependency-cruiser failed: ${r.stderr}`);
  const result = JSON.parse(r.stdout) as { summary: { violations: Array<{ rule: { name: string }; from: string; to: string; cycle?: Array<{ name: string }> }> } };
  return result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.cycle ? v.cycle.map((c) => c.name).join(' -> ') : v.to }));
}

const listed = (violations: Violation[]) => violations.map((v) => `${v.rule}: ${v.from} -> ${v.to}`);

describe('layers (.dependency-cruiser.cjs, docs/architecture.md "Layers")', () => {
  const violations = cruise(ROOT);

  it('every top folder imports only the layers below it; no cycle between top folders; nothing imports a test or tests/, bench/, examples/, scripts/', () => {
    expect(listed(violations.filter((v) => v.rule !== GRAPH_CONTRACT_RULE))).toEqual([]);
  });

  it('graph/ imports only the contract of catalog/: catalog/types.ts, catalog/relations.ts, catalog/refs.ts', () => {
    expect(listed(violations.filter((v) => v.rule === GRAPH_CONTRACT_RULE))).toEqual([]);
  });
});

describe('the layer rules catch', () => {
  const fixture = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-layers-'));
  afterAll(() => fs.rmSync(fixture, { recursive: true, force: true }));
  const write = (files: Record<string, string>) => {
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(fixture, file)), { recursive: true });
      fs.writeFileSync(path.join(fixture, file), text);
    }
  };
  write({
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, noEmit: true } }),
    // Two layered top folders importing each other.
    'catalog/a.ts': "import { b } from '../graph/b.ts';\nexport const a = (): number => b() + 1;\n",
    'graph/b.ts': "import { a } from '../catalog/a.ts';\nexport const b = (): number => a() - 1;\n",
    // Two folders outside the layers (they may import anything) importing each other.
    'bench/c.ts': "import { d } from '../scripts/d.ts';\nexport const c = (): number => d();\n",
    'scripts/d.ts': "import { c } from '../bench/c.ts';\nexport const d = (): number => c();\n",
    // A cycle inside one folder is not a cycle between folders.
    'policies/x.ts': "import { y } from './y.ts';\nexport const x = (): number => y();\n",
    'policies/y.ts': "import { x } from './x.ts';\nexport const y = (): number => x();\n",
    // A layer importing a test.
    'cli/main.ts': "import { helper } from '../tests/helper.test.ts';\nexport const main = (): number => helper();\n",
    'tests/helper.test.ts': 'export const helper = (): number => 1;\n',
  });
  const found = cruise(fixture);

  it('a cycle between two top folders, layered or not', () => {
    // One violation per cycle, from its first module, through the cycle back to it.
    const cycles = found.filter((v) => v.rule === 'no-cycle-between-top-folders').map((v) => `${v.from} -> ${v.to}`);
    expect(cycles.sort()).toEqual(['bench/c.ts -> scripts/d.ts -> bench/c.ts', 'catalog/a.ts -> graph/b.ts -> catalog/a.ts']);
    expect(listed(found)).toContain('layer-catalog: catalog/a.ts -> graph/b.ts');
  });

  it('an import of a test file, and of tests/ from a layer', () => {
    expect(listed(found)).toEqual(expect.arrayContaining(['no-import-of-tests: cli/main.ts -> tests/helper.test.ts', 'no-import-of-outside-folders: cli/main.ts -> tests/helper.test.ts']));
  });
});
