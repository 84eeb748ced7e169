import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogReader } from '../../catalog/CatalogReader.ts';
import type { GitReader } from '../../catalog/git/GitReader.ts';
import { IsomorphicGitReader } from '../../catalog/git/IsomorphicGitReader.ts';
import { NativeGitReader } from '../../catalog/git/NativeGitReader.ts';
import { annotationPaths, parseRunbook, readRunbookBody, readRunbooks } from '../../catalog/runbooks.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';

let repo: TestRepo;
let first: string;
let second: string;
let third: string;

const team = entity('Group', 'ops', { type: 'team', children: [] });
const db = entity('Resource', 'db', { type: 'database', owner: 'ops' }, { annotations: { 'cmdb.dev/runbook': 'runbooks/db-failover.md, ./docs/plain.md, runbooks/missing.md' } });
const cart = entity('Component', 'cart', { type: 'service', lifecycle: 'production', owner: 'ops', dependsOn: ['resource:db'] });
const cartStaging = entity('Component', 'cart', { type: 'service', lifecycle: 'production', owner: 'ops' }, { namespace: 'staging' });

beforeAll(() => {
  repo = TestRepo.create();
  first = repo.commit({
    'cmdb.yaml': 'exclude: ["vendor/**"]\n',
    'teams/ops.yaml': team,
    'resources/db.yaml': db,
    'services/cart.yaml': cart,
    'services/cart-staging.yaml': cartStaging,
    // Front matter: a full ref, a kind and name, a title.
    'runbooks/db-failover.md': '---\ntitle: Fail the database over\nentities: [resource:default/db, component:cart]\n---\n# Ignored heading\n',
    // Title from the first heading (not the one in a code fence); a single ref as a string.
    'runbooks/cart.md': '---\nentities: component:default/cart\n---\n\n```\n# not a heading\n```\n# Restart the cart ##\n# Second heading\n',
    // No front matter: linked only by annotation; title from its heading.
    'docs/plain.md': 'Some text\n# Plain notes\n',
    // No heading, no front matter title: the file name.
    'runbooks/untitled.md': '---\nentities: [db]\n---\nno heading here\n',
    // A ref naming nothing and one naming two entities: warnings at their line and column.
    'runbooks/bad-refs.md': '---\ntitle: Bad refs\nentities:\n  - component:ghost\n  - cart\n  - 42\n---\n',
    // Bad YAML in the front matter.
    'runbooks/bad-yaml.md': '---\ntitle: [unclosed\n---\n# Bad\n',
    'runbooks/unterminated.md': '---\ntitle: x\n# never closed\n',
    'runbooks/list.md': '---\n- a\n- b\n---\n',
    'runbooks/binary.md': Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0x00, 0x01]),
    'vendor/ignored.md': '---\nentities: [component:nothing]\n---\n',
    'README.md': '# The config repo\n',
  });
  second = repo.commit({ 'runbooks/db-failover.md': '---\ntitle: Fail over, v2\nentities: [resource:db]\n---\n', 'runbooks/bad-refs.md': undefined });
  third = repo.commit({ 'cmdb.yaml': 'exclude: []\n', 'runbooks/cart.md': '# Cart, renamed\n' });
});
afterAll(() => repo.remove());

const readers: Array<[string, () => GitReader]> = [
  ['native git', () => new NativeGitReader({ dir: repo.dir })],
  ['isomorphic-git', () => new IsomorphicGitReader({ dir: repo.dir })],
];

describe.each(readers)('readRunbooks (%s)', (_, open) => {
  it('links runbooks by front matter and by annotation, with their titles', async () => {
    const git = open();
    const snapshot = await new CatalogReader({ git, cache: false }).read(first);
    const index = await readRunbooks(git, first, snapshot);
    expect(index.forRefs(['resource:default/db'])).toEqual([
      { path: 'runbooks/db-failover.md', title: 'Fail the database over' },
      { path: 'runbooks/untitled.md', title: 'untitled' },
      { path: 'docs/plain.md', title: 'Plain notes' },
    ]);
    expect(index.forRefs(['component:default/cart'])).toEqual([
      { path: 'runbooks/cart.md', title: 'Restart the cart' },
      { path: 'runbooks/db-failover.md', title: 'Fail the database over' },
    ]);
    // Each once, in the order of the refs asked for.
    expect(index.forRefs(['component:default/cart', 'resource:default/db']).map((r) => r.path)).toEqual([
      'runbooks/cart.md',
      'runbooks/db-failover.md',
      'runbooks/untitled.md',
      'docs/plain.md',
    ]);
    expect(index.forRefs(['group:default/ops', 'component:default/nothing'])).toEqual([]);
    // Annotations of the first N refs only: the others get their front matter links.
    expect(index.forRefs(['component:default/cart', 'resource:default/db'], { annotationsOf: 1 }).map((r) => r.path)).toEqual(['runbooks/cart.md', 'runbooks/db-failover.md', 'runbooks/untitled.md']);
    expect(index.runbooks.find((r) => r.path === 'README.md')).toEqual({ path: 'README.md', title: 'The config repo', entities: [] });
    expect(index.runbooks.some((r) => r.path.startsWith('vendor/'))).toBe(false);
  });

  it('reads a runbook\'s Markdown at a commit without its front matter; none for a file that is not a readable Markdown file there', async () => {
    const git = open();
    expect(await readRunbookBody(git, first, 'runbooks/cart.md')).toBe('\n```\n# not a heading\n```\n# Restart the cart ##\n# Second heading\n');
    expect(await readRunbookBody(git, first, 'docs/plain.md')).toBe('Some text\n# Plain notes\n');
    expect(await readRunbookBody(git, second, 'runbooks/db-failover.md')).toBe('');
    // An unterminated front matter is all text.
    expect(await readRunbookBody(git, first, 'runbooks/unterminated.md')).toBe('---\ntitle: x\n# never closed\n');
    expect(await readRunbookBody(git, first, 'runbooks/binary.md')).toBeUndefined();
    expect(await readRunbookBody(git, first, 'vendor/ignored.md')).toBeUndefined();
    expect(await readRunbookBody(git, second, 'runbooks/bad-refs.md')).toBeUndefined();
    expect(await readRunbookBody(git, first, 'teams/ops.yaml')).toBeUndefined();
  });

  it('reports bad front matter and refs naming nothing as warnings at file:line:column', async () => {
    const git = open();
    const snapshot = await new CatalogReader({ git, cache: false }).read(first);
    const index = await readRunbooks(git, first, snapshot);
    const lines = index.violations.map((v) => `${v.file}:${v.line}:${v.column}: ${v.severity} [${v.rule}] ${v.message}`).sort();
    expect(lines).toEqual([
      'runbooks/bad-refs.md:4:5: warning [runbook] front matter entities: no entity "component:ghost" at commit ' + first.slice(0, 12),
      'runbooks/bad-refs.md:5:5: warning [runbook] front matter entities: "cart" matches 2 entities (component:default/cart, component:staging/cart); write the one you mean in full, as in component:default/cart',
      'runbooks/bad-refs.md:6:5: warning [runbook] front matter entities[2] must be an entity ref (a string)',
      expect.stringMatching(/^runbooks\/bad-yaml\.md:3:1: warning \[runbook\] front matter is not valid YAML: /),
      'runbooks/binary.md:1:1: warning [runbook] is not a UTF-8 text file; not read as a runbook',
      'runbooks/list.md:2:1: warning [runbook] front matter must be a mapping (title, entities)',
      'runbooks/unterminated.md:1:1: warning [runbook] front matter starts with --- on line 1 but has no closing --- line',
    ]);
    // The file with bad refs still links nothing it could not resolve, and its title stands.
    expect(index.runbooks.find((r) => r.path === 'runbooks/bad-refs.md')).toEqual({ path: 'runbooks/bad-refs.md', title: 'Bad refs', entities: [] });
  });

  it('reads each commit on its own and answers a snapshot again from the cache', async () => {
    const git = open();
    const reader = new CatalogReader({ git, cache: false });
    const a = await reader.read(first);
    const b = await reader.readFrom(a, second);
    const indexA = readRunbooks(git, first, a);
    expect(readRunbooks(git, first, a)).toBe(indexA);
    const indexB = await readRunbooks(git, second, b);
    expect(indexB.forRefs(['resource:default/db'])[0]).toEqual({ path: 'runbooks/db-failover.md', title: 'Fail over, v2' });
    expect(indexB.forRefs(['component:default/cart']).map((r) => r.path)).toEqual(['runbooks/cart.md']);
    expect(indexB.violations.some((v) => v.file === 'runbooks/bad-refs.md')).toBe(false);
    expect((await indexA).forRefs(['component:default/cart']).map((r) => r.path)).toEqual(['runbooks/cart.md', 'runbooks/db-failover.md']);
    // Derived again: a changed cmdb.yaml (exclude) reads every Markdown file; a file without front matter links nothing.
    const indexC = await readRunbooks(git, third, await reader.readFrom(b, third));
    expect(indexC.forRefs(['component:default/cart'])).toEqual([]);
    expect(indexC.runbooks.find((r) => r.path === 'runbooks/cart.md')?.title).toBe('Cart, renamed');
    expect(indexC.violations.map((v) => `${v.file}:${v.line}:${v.column}`)).toContain('vendor/ignored.md:2:12');
  });

  it('derives a commit from a base given explicitly, as read in full', async () => {
    const git = open();
    const reader = new CatalogReader({ git, cache: false });
    const snapshot = await reader.read(second);
    const derived = await readRunbooks(git, second, snapshot, { base: first });
    const full = await readRunbooks(open(), second, await reader.read(second));
    expect(derived.runbooks).toEqual(full.runbooks);
    expect(derived.violations).toEqual(full.violations);
  });
});

describe('parseRunbook', () => {
  it('refuses a file over the size limit without reading it', () => {
    const f = parseRunbook('big.md', Buffer.from(`---\nentities: [a]\n---\n${'x'.repeat(200)}`), 100);
    expect(f.refs).toEqual([]);
    expect(f.violations.map((v) => v.message)).toEqual([expect.stringMatching(/^is \d+ bytes, over the 100-byte limit/)]);
  });

  it('refuses YAML nested too deep in the front matter', () => {
    const f = parseRunbook('deep.md', Buffer.from(`---\nentities: ${'['.repeat(150)}${']'.repeat(150)}\n---\n`));
    expect(f.violations.map((v) => `${v.line}: ${v.message}`)).toEqual([expect.stringMatching(/^2: front matter nests YAML collections more than 100 levels/)]);
  });

  it('splits annotation values on commas and new lines', () => {
    expect(annotationPaths(' a.md,./b/c.md\n/d.md ,, ')).toEqual(['a.md', 'b/c.md', 'd.md']);
  });
});
