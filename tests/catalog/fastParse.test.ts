import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allEntities, planCatalog, renderEntity } from '../../bench/model.ts';
import { createRandom } from '../../bench/random.ts';
import { fastDocuments } from '../../catalog/fastYaml.ts';
import { DEFAULT_LIMITS, parseBlob, parseBlobFast, type BlobInput } from '../../catalog/parseBlob.ts';
import { builtinValidator } from '../../schema/index.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const validator = builtinValidator();

const blob = (content: string | Buffer, file = 'x.yaml'): BlobInput => ({
  path: file,
  oid: 'f'.repeat(40),
  mode: '100644',
  content: Buffer.isBuffer(content) ? content : Buffer.from(content),
});

/** Both paths on the same input; the fast one must not differ in anything. */
function expectSameResult(input: BlobInput): void {
  const slow = parseBlob(input, DEFAULT_LIMITS, validator, { fast: false });
  const fast = parseBlob(input, DEFAULT_LIMITS, validator, { fast: true });
  expect(fast, input.path).toStrictEqual(slow);
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

const COMPONENT = `apiVersion: cmdb/v1
kind: Component
metadata:
  name: cart
  title: Cart
  labels:
    tier: backend
spec:
  type: service
  lifecycle: production
  owner: shop-team
  system: shop
  dependsOn: [resource:redis, component:auth]
  runsOn: [cluster:prod-eu]
`;

const BACKSTAGE = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: artist-web\nspec:\n  type: website\n  lifecycle: production\n  owner: artist-relations-team\n";

const ENTITY_HEAD = 'apiVersion: cmdb/v1\nkind: Component\nmetadata:\n  name: cart\nspec:\n  type: service\n  lifecycle: production\n  owner: shop-team\n';

/** Inputs chosen to find where the two parsers could disagree. */
const TRICKY: Array<[string, string | Buffer]> = [
  ['plain entity', COMPONENT],
  ['keep-chomped literal block ending in a space-only line at EOF', 'apiVersion: cmdb/v1\nkind: Group\nspec:\n  type: team\nmetadata:\n  name: t\n  description: |+\n    a\n\n  '],
  ['keep-chomped folded block ending in a space-only line at EOF', 'apiVersion: cmdb/v1\nkind: Group\nspec:\n  type: team\nmetadata:\n  name: t\n  description: >+\n    a\n    b\n\n '],
  ['multi-doc with empty docs', `---\n---\n${COMPONENT}---\n\n---\n${COMPONENT.replace('name: cart', 'name: cart2')}---\n`],
  ['leading empty doc then comment', `# header\n---\n# again\n---\n${COMPONENT}`],
  ['comments everywhere', `# top\n${COMPONENT.replace(/\n/g, '  # trailing\n').replace('spec:', '# between\nspec:')}# end\n`],
  ['comment lines at odd indentation', COMPONENT.replace('  lifecycle', '      # deep\n# shallow\n  lifecycle')],
  ['quoted values', COMPONENT.replace('owner: shop-team', `owner: "shop-team"`).replace('title: Cart', `title: 'Cart''s "service"'`)],
  ['quoted keys', COMPONENT.replace('  owner:', '  "owner":')],
  ['single-quoted key', COMPONENT.replace('  system:', "  'system':")],
  ['quoted flow items', COMPONENT.replace('[resource:redis, component:auth]', `['resource:redis', "component:auth"]`)],
  ['flow items with spaces', COMPONENT.replace('[resource:redis, component:auth]', '[ resource:redis ,component:auth   ]')],
  ['empty flow seq', COMPONENT.replace('[resource:redis, component:auth]', '[]')],
  ['flow seq with trailing comma', COMPONENT.replace('[resource:redis, component:auth]', '[resource:redis, component:auth,]')],
  ['multi-line flow seq', COMPONENT.replace('[resource:redis, component:auth]', '[resource:redis,\n    component:auth]')],
  ['flow map metadata', COMPONENT.replace('metadata:\n  name: cart\n  title: Cart\n  labels:\n    tier: backend\n', 'metadata: {name: cart, title: Cart}\n')],
  ['flow map with quoted value', COMPONENT.replace('metadata:\n  name: cart\n  title: Cart\n  labels:\n    tier: backend\n', `metadata: {name: 'cart', labels: {tier: x}}\n`)],
  ['block sequences', COMPONENT.replace('[resource:redis, component:auth]', '\n    - resource:redis\n    -   component:auth')],
  ['compact block sequence', COMPONENT.replace('[resource:redis, component:auth]', '\n  - resource:redis\n  - component:auth')],
  ['block scalars', COMPONENT.replace('  title: Cart\n', '  description: |\n    line one\n      indented\n\n    line three\n  title: >-\n    folded\n    text\n')],
  ['block scalar in spec', `${COMPONENT}  notes: |+\n    kept\n\n`],
  ['block scalar with indentation indicator', `${COMPONENT}  notes: |2\n     x\n`],
  ['block scalar with leading blank spaces line', `${COMPONENT}  notes: |\n      \n    x\n`],
  ['key:  value spacing', COMPONENT.replace('owner: shop-team', 'owner:     shop-team   ').replace('type: service', 'type:\tservice')],
  ['CRLF line endings', COMPONENT.replace(/\n/g, '\r\n')],
  ['CRLF multi-doc', `${COMPONENT}---\n${COMPONENT.replace('name: cart', 'name: c2')}`.replace(/\n/g, '\r\n')],
  ['CRLF with block scalars', `${COMPONENT}  notes: |\n    one\n    two\n  more: >\n    a\n    b\n`.replace(/\n/g, '\r\n')],
  ['unicode before flow items', COMPONENT.replace('[resource:redis, component:auth]', '[😀resource:redis, résumé:auth, "日本:x"]')],
  ['lone CR', COMPONENT.replace('title: Cart', 'title: Ca\rrt')],
  ['BOM', `\ufeff${COMPONENT}`],
  ['tab indentation', COMPONENT.replace('  type: service', '\ttype: service')],
  ['tab in value', COMPONENT.replace('title: Cart', 'title: Ca\trt')],
  ['duplicate keys', COMPONENT.replace('  type: service', '  type: service\n  type: library')],
  ['duplicate top-level key', `${COMPONENT}kind: Component\n`],
  ['numbers', `${COMPONENT}  a: 0o17\n  b: 0x1F\n  c: 1e3\n  d: .inf\n  e: -.Inf\n  f: .NaN\n  g: 012\n  h: 1_000\n  i: 0b1\n  j: +12\n  k: 1.50\n  l: .5\n  m: 1.\n  n: -0\n  o: 0x\n  p: 0o8\n  q: 12345678901234567890\n`],
  ['numbers in a Backstage spec', `${BACKSTAGE}  a: 0o17\n  b: 0x1F\n  c: 1e3\n  d: .inf\n  e: -.Inf\n  f: .NaN\n  g: 012\n  h: 1_000\n  i: 0b1\n  j: +12\n  k: 1.50\n  l: .5\n  m: 1.\n  n: -0\n  o: 0x\n  p: 0o8\n  q: 12345678901234567890\n  r: [0o17, 0x1F, 1e3, 012, 1_000, .5]\n`],
  ['nulls and bools in a Backstage spec', `${BACKSTAGE}  a: null\n  b: ~\n  c:\n  d: Null\n  e: NULL\n  f: true\n  g: False\n  h: yes\n  i: on\n  j: TRUE\n  k: tRUE\n  l: [null, ~, true, no]\n`],
  ['numbers in a pending kind', 'apiVersion: cmdb/v1\nkind: Certificate\nmetadata:\n  name: web\nspec:\n  a: 0o17\n  b: 0x1F\n  c: 1e3\n  d: .inf\n  g: 012\n  h: 1_000\n'],
  ['nulls and bools', `${COMPONENT}  a: null\n  b: ~\n  c:\n  d: Null\n  e: NULL\n  f: true\n  g: False\n  h: yes\n  i: on\n  j: TRUE\n  k: tRUE\n`],
  ['null-like keys', `${COMPONENT}  null: a\n  true: b\n  ~: c\n`],
  ['capitalised null- and bool-like keys', `${COMPONENT}  Null: a\n  TRUE: b\n  False: c\n`],
  ['keys and scalars that only start like a null, bool or number', `${COMPONENT}  nothing: nulls\n  tally: trueish\n  fx: falsey\n  _under: ~tilde\n  dot: .x\n  plus: +x\n`],
  ['spec keys with a slash (escaped in pointers)', `${COMPONENT}  a/b: x\n  c/d: [x, y]\n`],
  ['numeric keys', `${COMPONENT}  1: a\n  0x10: b\n`],
  ['merge keys', `${ENTITY_HEAD}  <<: {system: shop}\n`],
  ['__proto__ key', `${ENTITY_HEAD}  __proto__: x\n`],
  ['unicode', COMPONENT.replace('title: Cart', 'title: Caffè ☕ 日本語 😀').replace('tier: backend', 'tier: back-énd')],
  ['unicode line separator', COMPONENT.replace('title: Cart', 'title: a\u2028b')],
  ['NEL', COMPONENT.replace('title: Cart', 'title: a\u0085b')],
  ['trailing ...', `${COMPONENT}...\n`],
  ['... then comment', `${COMPONENT}...\n# bye\n`],
  ['... then a document', `${COMPONENT}...\n${COMPONENT.replace('name: cart', 'name: c2')}`],
  ['... then ---', `${COMPONENT}...\n---\n${COMPONENT.replace('name: cart', 'name: c2')}`],
  ['deep nesting', `${COMPONENT}  observe:\n    - kubernetes:\n        cluster: c\n        expect:\n          spec:\n            replicas: 2\n            containers:\n              - name: server\n                image: x:1\n                ports: [80, 443]\n              -\n                name: side\n    - http: {url: x}\n`],
  ['invalid YAML: unclosed flow', COMPONENT.replace('[resource:redis, component:auth]', '[resource:redis')],
  ['invalid YAML: bad indentation', COMPONENT.replace('  lifecycle', '   lifecycle')],
  ['invalid YAML: nested compact map', COMPONENT.replace('title: Cart', 'title: a: b')],
  ['invalid YAML: unclosed quote', COMPONENT.replace('title: Cart', 'title: "Cart')],
  ['multi-line quoted', COMPONENT.replace('title: Cart', 'title: "Ca\n    rt"')],
  ['multi-line plain', COMPONENT.replace('title: Cart', 'title: Ca\n    rt')],
  ['multi-line plain after blank', COMPONENT.replace('title: Cart', 'title: Ca\n\n    rt')],
  ['more-indented continuation in spec', COMPONENT.replace('owner: shop-team', 'owner: shop\n    -team')],
  ['schema-invalid entity', COMPONENT.replace('lifecycle: production', 'lifecycle: production\n  criticality: extreme')],
  ['missing name', COMPONENT.replace('  name: cart\n', '')],
  ['bad references', COMPONENT.replace('[resource:redis, component:auth]', '[resource:, "a:b:c", x/y]').replace('owner: shop-team', 'owner: ":bad"')],
  ['non-string references', COMPONENT.replace('[resource:redis, component:auth]', '[1, true, null]')],
  ['non-entity documents', 'name: ci\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n---\n'],
  ['non-entity then entity', `- a\n- b\n---\nhello\n---\n${COMPONENT}`],
  ['scalar document', 'just a string\n'],
  ['comment-only file', '# nothing here\n# at all\n'],
  ['empty file', ''],
  ['only markers', '---\n...\n'],
  ['pending kind', 'apiVersion: cmdb/v1\nkind: Certificate\nmetadata: {name: web}\nspec: {issuer: le}\n'],
  ['CIClass', 'apiVersion: cmdb/v1\nkind: CIClass\nmetadata:\n  name: certificate\nspec:\n  kind: Certificate\n  schema:\n    type: object\n'],
  ['anchors and aliases', `${ENTITY_HEAD}  labels: &l {a: b}\n  more: *l\n`],
  ['alias bomb', 'apiVersion: cmdb/v1\nkind: Component\na: &a ["lol","lol"]\nb: &b [*a,*a,*a]\nmetadata: {name: x}\nspec: {x: *b}\n'],
  ['tags', `${ENTITY_HEAD}  system: !!str 123\n`],
  ['directive', `%YAML 1.2\n---\n${COMPONENT}`],
  ['ampersand inside words', COMPONENT.replace('title: Cart', 'title: R&D * team! 100% a@b `x`')],
  ['indicator-looking values', COMPONENT.replace('title: Cart', 'title: -x').replace('tier: backend', 'tier: ?y')],
  ['dash value', COMPONENT.replace('title: Cart', 'title: ---')],
  ['seq item without space', COMPONENT.replace('[resource:redis, component:auth]', '\n    -resource:redis')],
  ['colon in plain', COMPONENT.replace('title: Cart', 'title: a:b c:d')],
  ['value ending with colon', COMPONENT.replace('title: Cart', 'title: Cart:')],
  ['hash without space', COMPONENT.replace('title: Cart', 'title: Cart#1')],
  ['comment right after quote', COMPONENT.replace('title: Cart', 'title: "Cart"#x')],
  ['escapes in double quotes', COMPONENT.replace('title: Cart', 'title: "a\\tb\\u00e9\\x41"')],
  ['indented document', COMPONENT.replace(/^/gm, '  ').replace(/ +$/, '')],
  ['explicit key', `${ENTITY_HEAD}  ? system\n  : shop\n`],
  ['flow pair in seq', COMPONENT.replace('[resource:redis, component:auth]', '[a: b]')],
  ['nested flow seq', COMPONENT.replace('[resource:redis, component:auth]', '[[a], b]')],
  ['seq of seqs', COMPONENT.replace('[resource:redis, component:auth]', '\n    - - a\n      - b')],
  ['empty seq item', COMPONENT.replace('[resource:redis, component:auth]', '\n    -\n    - b')],
  ['spec keys with slash and tilde', `${ENTITY_HEAD}  a/b: x\n  c~d: [y]\n`],
  ['keys with spaces', `${ENTITY_HEAD}  my key: x\n`],
  ['space before colon', `${ENTITY_HEAD}  key : x\n`],
  ['long key', `${ENTITY_HEAD}  ${'k'.repeat(1100)}: x\n`],
  ['document marker with comment', `--- # first\n${COMPONENT}--- # second\n${COMPONENT.replace('name: cart', 'name: c2')}`],
  ['document marker with content', `--- ${COMPONENT}`],
  ['top-level indented after marker', `---\n  apiVersion: cmdb/v1\n  kind: Group\n  metadata:\n    name: g\n  spec:\n    type: team\n`],
  ['backstage descriptor', "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: artist-web\nspec:\n  type: website\n  lifecycle: production\n  owner: artist-relations-team\n  dependsOn: ['resource:artists-db']\n  providesApis: [artist-api]\n"],
  ['no trailing newline', COMPONENT.trimEnd()],
  ['trailing blank lines with spaces', `${COMPONENT}   \n\n  \n`],
  ['mapping value on next line', `${ENTITY_HEAD}  system:\n    shop\n`],
  ['control character', COMPONENT.replace('title: Cart', 'title: Ca\u0007rt')],
];

describe('fast parse path', () => {
  it('has at least 40 tricky inputs', () => expect(TRICKY.length).toBeGreaterThanOrEqual(40));

  it.each(TRICKY)('gives the same result as the yaml parser: %s', (_, text) => expectSameResult(blob(text)));

  it('gives the same result on every YAML file of examples/', () => {
    const files = yamlFiles(EXAMPLES);
    expect(files.length).toBeGreaterThan(30);
    for (const file of files) expectSameResult(blob(readFileSync(file), path.relative(EXAMPLES, file)));
  });

  it('gives the same result on generated entity files (and their multi-document and CRLF variants)', () => {
    const entities = allEntities(planCatalog(1000, createRandom(7)));
    for (const e of entities) expectSameResult(blob(renderEntity(e), e.path));
    for (let i = 0; i + 3 <= entities.length; i += 50) {
      const text = entities.slice(i, i + 3).map(renderEntity).join('---\n');
      expectSameResult(blob(text));
      expectSameResult(blob(text.replace(/\n/g, '\r\n')));
    }
  });

  it('gives the same result on randomly mutated files (fixed seed)', () => {
    const seeds = [...yamlFiles(path.join(EXAMPLES, 'acme')).map((f) => readFileSync(f, 'utf8')), ...allEntities(planCatalog(100, createRandom(5))).slice(0, 30).map(renderEntity)];
    const bits = [':', ': ', '#', ' #', '"', "'", '[', ']', '{', '}', ',', ' ', '  ', '-', '- ', '\n', '\n  ', '\n    ', '|', '>', '?', '~', '0', '1e3', '.', '---\n', '...\n', '\r\n', 'null', 'a: b', '\\', '@', '`', '%', '&a ', '*a', '!'];
    const random = createRandom(11);
    let fast = 0;
    for (let i = 0; i < 1500; i++) {
      let text = seeds[random.int(seeds.length)];
      for (let m = 1 + random.int(3); m > 0; m--) {
        const at = random.int(text.length);
        const kind = random.next();
        if (kind < 0.5) text = text.slice(0, at) + bits[random.int(bits.length)] + text.slice(at);
        else if (kind < 0.8) text = text.slice(0, at) + text.slice(at + 1 + random.int(3));
        else {
          const lines = text.split('\n');
          lines.splice(random.int(lines.length), 0, lines[random.int(lines.length)]);
          text = lines.join('\n');
        }
      }
      if (parseBlobFast(blob(text), DEFAULT_LIMITS, validator)) fast++;
      expectSameResult(blob(text, `mutant-${i}.yaml`));
    }
    expect(fast).toBeGreaterThan(150);
  });

  it('actually takes the fast path for typical entity files', () => {
    const entities = allEntities(planCatalog(1000, createRandom(7)));
    const fast = entities.filter((e) => fastDocuments(renderEntity(e)) !== undefined);
    expect(fast.length).toBe(entities.length);
    const acme = yamlFiles(path.join(EXAMPLES, 'acme'));
    const acmeFast = acme.filter((f) => fastDocuments(readFileSync(f, 'utf8')) !== undefined);
    expect(acmeFast.length / acme.length).toBeGreaterThan(0.8);
    const fastOnes = ['plain entity', 'multi-doc with empty docs', 'comments everywhere', 'quoted values', 'flow map metadata', 'block scalars', 'CRLF line endings', 'numbers in a Backstage spec', 'nulls and bools in a Backstage spec', 'trailing ...'];
    for (const name of fastOnes) {
      const text = TRICKY.find(([n]) => n === name)![1];
      expect(parseBlobFast(blob(text), DEFAULT_LIMITS, validator), name).toBeDefined();
    }
    expect(fastDocuments(String(TRICKY.find(([n]) => n === 'deep nesting')![1]))).toBeDefined();
  });

  it('refuses what it cannot be sure of', () => {
    for (const name of ['alias bomb', 'anchors and aliases', 'tags', 'directive', 'quoted keys', 'multi-line plain', 'BOM', 'tab indentation']) {
      const text = TRICKY.find(([n]) => n === name)![1];
      expect(fastDocuments(String(text)), name).toBeUndefined();
    }
  });
});
