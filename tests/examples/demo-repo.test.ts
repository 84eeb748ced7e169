import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import git from 'isomorphic-git';
import picomatch from 'picomatch';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACME_DIR, createDemoRepo, type DemoRepo } from '../../examples/create-demo-repo.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

// A small, self-contained reading of the catalog (only `yaml`): enough to check
// the demo repo is coherent without relying on the catalog/ implementation.

interface Doc {
  file: string;
  apiVersion: string;
  kind: string;
  key: string; // kind:namespace/name, lower case
  namespace: string;
  metadata: Record<string, unknown>;
  spec: Record<string, unknown>;
}

const NAME = /^[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$/;

/** Spec fields holding references, with the kind a reference without one takes. */
const REF_FIELDS: Record<string, string | undefined> = {
  owner: 'group',
  system: 'system',
  domain: 'domain',
  subdomainOf: 'domain',
  subcomponentOf: 'component',
  dependsOn: undefined,
  dependencyOf: undefined,
  providesApis: 'api',
  consumesApis: 'api',
  runsOn: undefined,
  memberOf: 'group',
  parent: 'group',
  children: 'group',
  members: 'user',
};

/** `[kind:][namespace/]name` -> `kind:namespace/name`, or an error message. */
function resolveRef(text: unknown, defaultKind: string | undefined, defaultNamespace: string): string | { error: string } {
  if (typeof text !== 'string' || text === '') return { error: `not a reference: ${JSON.stringify(text)}` };
  const colon = text.indexOf(':');
  const kind = colon >= 0 ? text.slice(0, colon) : defaultKind;
  const rest = colon >= 0 ? text.slice(colon + 1) : text;
  const slash = rest.indexOf('/');
  const namespace = slash >= 0 ? rest.slice(0, slash) : defaultNamespace;
  const name = slash >= 0 ? rest.slice(slash + 1) : rest;
  if (kind === undefined) return { error: `"${text}" needs a kind` };
  if (!NAME.test(namespace) || !NAME.test(name)) return { error: `"${text}" has an invalid name` };
  return `${kind}:${namespace}/${name}`.toLowerCase();
}

/** Every reference an entity makes: [field, written text, default kind]. */
function referencesOf(doc: Doc): [string, unknown, string | undefined][] {
  const refs: [string, unknown, string | undefined][] = [];
  for (const [field, defaultKind] of Object.entries(REF_FIELDS)) {
    const value = doc.spec[field];
    if (value === undefined) continue;
    if (field === 'runsOn' && !doc.apiVersion.startsWith('cmdb/')) continue;
    for (const text of Array.isArray(value) ? value : [value]) refs.push([field, text, defaultKind]);
  }
  const observe = Array.isArray(doc.spec.observe) ? doc.spec.observe : [];
  observe.forEach((o: { kubernetes?: { cluster?: unknown } }, i) => {
    if (o.kubernetes) refs.push([`observe[${i}].kubernetes.cluster`, o.kubernetes.cluster, undefined]);
  });
  const approvals = Array.isArray(doc.spec.approvals) ? doc.spec.approvals : [];
  approvals.forEach((a: { from?: unknown }, i) => refs.push([`approvals[${i}].from`, a.from, 'group']));
  return refs;
}

interface CatalogAtCommit {
  files: string[]; // all files of the commit
  read: string[]; // files the cmdb.yaml globs select
  docs: Doc[];
  problems: string[];
}

async function readCatalog(dir: string, commit: string): Promise<CatalogAtCommit> {
  const files = await git.listFiles({ fs, dir, ref: commit });
  const text = async (filepath: string) =>
    Buffer.from((await git.readBlob({ fs, dir, oid: commit, filepath })).blob).toString('utf8');
  const config = parse(await text('cmdb.yaml')) as { include: string[]; exclude: string[] };
  const included = picomatch(config.include);
  const excluded = picomatch(config.exclude);
  const read = files.filter((f) => f !== 'cmdb.yaml' && included(f) && !excluded(f));
  const docs: Doc[] = [];
  const problems: string[] = [];
  for (const file of read) {
    parseAllDocuments(await text(file)).forEach((d, i) => {
      for (const e of [...d.errors, ...d.warnings]) problems.push(`${file}#${i}: ${e.message}`);
      const js = d.toJS() as Record<string, unknown> | null;
      const metadata = js?.metadata as Record<string, unknown> | undefined;
      if (typeof js?.apiVersion !== 'string' || typeof js?.kind !== 'string' || typeof metadata?.name !== 'string') {
        problems.push(`${file}#${i}: lacks apiVersion, kind or metadata.name`);
        return;
      }
      const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : 'default';
      docs.push({
        file,
        apiVersion: js.apiVersion,
        kind: js.kind,
        key: `${js.kind}:${namespace}/${metadata.name}`.toLowerCase(),
        namespace,
        metadata,
        spec: (js.spec ?? {}) as Record<string, unknown>,
      });
    });
  }
  return { files, read, docs, problems };
}

/** Names, duplicates, owners, references and cycles. */
function checkCoherence(docs: Doc[]): string[] {
  const problems: string[] = [];
  const keys = new Set<string>();
  for (const d of docs) {
    if (!NAME.test(String(d.metadata.name)) || !NAME.test(d.namespace)) problems.push(`${d.file}: invalid name ${d.key}`);
    if (keys.has(d.key)) problems.push(`${d.file}: duplicate ${d.key}`);
    keys.add(d.key);
    if (!['cmdb/v1', 'backstage.io/v1alpha1', 'backstage.io/v1beta1'].includes(d.apiVersion)) {
      problems.push(`${d.file}: ${d.key} has apiVersion ${d.apiVersion}`);
    }
    if (['Component', 'System', 'Resource', 'API'].includes(d.kind) && typeof d.spec.owner !== 'string') {
      problems.push(`${d.file}: ${d.key} has no owner`);
    }
  }
  // edges X -> Y meaning "X needs Y": a cycle here would make an outage its own cause
  const needs = new Map<string, Set<string>>();
  const need = (from: string, to: string) => needs.set(from, (needs.get(from) ?? new Set()).add(to));
  for (const d of docs) {
    for (const [field, text, defaultKind] of referencesOf(d)) {
      const ref = resolveRef(text, defaultKind, d.namespace);
      if (typeof ref !== 'string') problems.push(`${d.file}: ${d.key} ${field}: ${ref.error}`);
      else if (!keys.has(ref)) problems.push(`${d.file}: ${d.key} ${field}: ${String(text)} -> ${ref} does not exist`);
      else if (field === 'dependsOn' || field === 'runsOn' || field === 'consumesApis') need(d.key, ref);
      else if (field === 'providesApis') need(ref, d.key);
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (node: string, trail: string[]): void => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'visiting') {
      problems.push(`cycle: ${[...trail.slice(trail.indexOf(node)), node].join(' -> ')}`);
      return;
    }
    state.set(node, 'visiting');
    for (const next of needs.get(node) ?? []) visit(next, [...trail, node]);
    state.set(node, 'done');
  };
  for (const node of needs.keys()) visit(node, []);
  return problems;
}

const entity = (cat: CatalogAtCommit, key: string): Doc => {
  const found = cat.docs.find((d) => d.key === key);
  if (!found) throw new Error(`no ${key}`);
  return found;
};

describe('the Acme demo repo', () => {
  let tmp: string;
  let repo: DemoRepo;
  let main: CatalogAtCommit;
  let change: CatalogAtCommit;

  beforeAll(async () => {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'cmdb-demo-'));
    repo = await createDemoRepo({ dir: path.join(tmp, 'acme') });
    main = await readCatalog(repo.dir, repo.main);
    change = await readCatalog(repo.dir, repo.change);
  });

  afterAll(async () => {
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  it('has main and change/scale-cart, the change one commit on top of main', async () => {
    const { dir } = repo;
    expect(repo.main).toMatch(/^[0-9a-f]{40}$/);
    expect(repo.change).toMatch(/^[0-9a-f]{40}$/);
    expect((await git.listBranches({ fs, dir })).sort()).toEqual(['change/scale-cart', 'main']);
    expect(await git.resolveRef({ fs, dir, ref: 'main' })).toBe(repo.main);
    expect(await git.resolveRef({ fs, dir, ref: 'change/scale-cart' })).toBe(repo.change);
    expect(await git.currentBranch({ fs, dir })).toBe('main');
    const log = await git.log({ fs, dir, ref: 'change/scale-cart' });
    expect(log.map((c) => c.oid)).toEqual([repo.change, repo.main]);
    expect(log[0].commit.parent).toEqual([repo.main]);
    expect(log[1].commit.parent).toEqual([]);
    for (const c of log) {
      expect(c.commit.author).toMatchObject({ name: 'Acme Demo', email: 'demo@acme.example' });
    }
  });

  it('checks main out into a clean work tree equal to examples/acme', async () => {
    const status = await git.statusMatrix({ fs, dir: repo.dir });
    expect(status.filter(([, head, work, stage]) => !(head === 1 && work === 1 && stage === 1))).toEqual([]);
    for (const file of main.files) {
      const inRepo = await fsp.readFile(path.join(repo.dir, file), 'utf8');
      expect(inRepo, file).toBe(await fsp.readFile(path.join(ACME_DIR, file), 'utf8'));
    }
  });

  it('is reproducible and reuses an existing demo repo', async () => {
    expect(await createDemoRepo({ dir: repo.dir })).toEqual(repo);
    const other = await createDemoRepo({ dir: path.join(tmp, 'again') });
    expect({ main: other.main, change: other.change }).toEqual({ main: repo.main, change: repo.change });
  });

  it('refuses a directory that holds something else', async () => {
    const busy = path.join(tmp, 'busy');
    await fsp.mkdir(busy);
    await fsp.writeFile(path.join(busy, 'notes.txt'), 'mine');
    await expect(createDemoRepo({ dir: busy })).rejects.toMatchObject({ code: 'usage' });
  });

  it('rebuilds a demo repo whose objects went missing, and refuses a damaged one that is not this demo', async () => {
    const copy = path.join(tmp, 'damaged');
    await fsp.cp(repo.dir, copy, { recursive: true });
    await fsp.rm(path.join(copy, '.git', 'objects'), { recursive: true, force: true });
    await fsp.mkdir(path.join(copy, '.git', 'objects'));
    expect(await createDemoRepo({ dir: copy })).toEqual({ dir: copy, main: repo.main, change: repo.change });
    expect((await git.readCommit({ fs, dir: copy, oid: repo.main })).commit.author.email).toBe('demo@acme.example');
    // main naming a commit that is missing and is not the demo's: refused, naming the directory and the commit.
    const other = path.join(tmp, 'damaged-other');
    await fsp.cp(copy, other, { recursive: true });
    await fsp.writeFile(path.join(other, '.git', 'refs', 'heads', 'main'), `${'1'.repeat(40)}\n`);
    await fsp.rm(path.join(other, '.git', 'objects'), { recursive: true, force: true });
    await fsp.mkdir(path.join(other, '.git', 'objects'));
    await expect(createDemoRepo({ dir: other })).rejects.toMatchObject({
      code: 'usage',
      message: `${other} holds a damaged Git repository (main names commit ${'1'.repeat(40)}, which is missing) that is not this version's Acme demo repo; remove the directory or give another one (CMDB_DEMO_DIR)`,
    });
    // Nothing was written into it.
    expect(fs.readdirSync(path.join(other, '.git', 'objects'))).toEqual([]);
  });

  it('npm start on a damaged directory that is not the demo: one line naming it, exit 2, no stack trace', async () => {
    const other = path.join(tmp, 'damaged-start');
    await fsp.mkdir(path.join(other, '.git', 'refs', 'heads'), { recursive: true });
    await fsp.mkdir(path.join(other, '.git', 'objects'));
    await fsp.writeFile(path.join(other, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    await fsp.writeFile(path.join(other, '.git', 'refs', 'heads', 'main'), `${'2'.repeat(40)}\n`);
    const r = spawnSync(process.execPath, ['scripts/start-demo.js'], { cwd: REPO_ROOT, env: { ...process.env, CMDB_DEMO_DIR: other, PORT: '0' }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`cmdb: ${other} holds a damaged Git repository (main names commit ${'2'.repeat(40)}, which is missing) that is not this version's Acme demo repo; remove the directory or give another one (CMDB_DEMO_DIR)\n`);
    // A CMDB_DEMO_DIR that is a file: one line too.
    const file = path.join(tmp, 'a-file');
    await fsp.writeFile(file, 'x');
    const f = spawnSync(process.execPath, ['scripts/start-demo.js'], { cwd: REPO_ROOT, env: { ...process.env, CMDB_DEMO_DIR: file, PORT: '0' }, encoding: 'utf8', timeout: 60_000 });
    expect(f.status).toBe(2);
    expect(f.stderr).toMatch(new RegExp(`^cmdb: cannot build the demo repo in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(CMDB_DEMO_DIR\\): EEXIST[^\n]*\n$`));
  });

  it('reads only the files cmdb.yaml selects, and excludes docs/', () => {
    expect(main.read.some((f) => f.endsWith('.yml'))).toBe(true);
    expect(main.files).toContain('docs/component-template.yaml');
    expect(main.read.filter((f) => f.startsWith('docs/'))).toEqual([]);
    expect(main.read.length).toBeGreaterThan(20);
  });

  it.each(['main', 'change'] as const)('%s: every YAML document parses and is an entity', (which) => {
    const cat = which === 'main' ? main : change;
    expect(cat.problems).toEqual([]);
  });

  it.each(['main', 'change'] as const)('%s: names, owners and references resolve, no cycles', (which) => {
    const cat = which === 'main' ? main : change;
    expect(checkCoherence(cat.docs)).toEqual([]);
  });

  it('covers every kind, in both formats and two namespaces', () => {
    const kinds = new Set(main.docs.map((d) => d.kind));
    for (const k of ['Domain', 'System', 'Component', 'API', 'Resource', 'Group', 'User', 'Host', 'Cluster', 'Network']) {
      expect(kinds, k).toContain(k);
    }
    for (const k of ['ChangePolicy', 'ChangeWindow', 'CIClass', 'Certificate']) expect(kinds, k).toContain(k);
    const backstage = main.docs.filter((d) => d.apiVersion.startsWith('backstage.io/'));
    expect(backstage.length).toBeGreaterThan(3);
    expect(backstage.map((d) => d.file)).toContain('systems/payments/ledger/catalog-info.yaml');
    expect(new Set(main.docs.map((d) => d.namespace))).toEqual(new Set(['default', 'payments']));
    expect(main.docs.length).toBeGreaterThanOrEqual(50);
    for (const user of main.docs.filter((d) => d.kind === 'User')) {
      expect((user.metadata.annotations as Record<string, string>)['github.com/user-login'], user.key).toBeTruthy();
    }
    const criticalities = new Set(main.docs.map((d) => d.spec.criticality).filter((c) => c !== undefined));
    expect(criticalities).toEqual(new Set(['critical', 'high', 'medium', 'low']));
  });

  it('change/scale-cart scales the cart and adds inventoryservice', async () => {
    const changed = await changedFiles(repo.dir, repo.main, repo.change);
    expect(changed).toEqual([
      ['modify', 'systems/online-boutique/cart.yaml'],
      ['add', 'systems/online-boutique/inventoryservice.yaml'],
    ]);
    expect(change.docs.length).toBe(main.docs.length + 1);

    const before = entity(main, 'component:default/cartservice');
    const after = entity(change, 'component:default/cartservice');
    expect(before.spec.criticality).toBe('high');
    expect(after.spec.criticality).toBe('critical');
    expect(after.spec.dependsOn).toEqual([...(before.spec.dependsOn as string[]), 'component:inventoryservice']);
    expect(JSON.stringify(after.spec.observe)).toContain('"replicas":4');
    expect(entity(change, 'resource:default/redis-cart').spec.criticality).toBe('critical');
    expect(entity(change, 'component:default/inventoryservice').spec.system).toBe('online-boutique');
    expect(main.docs.some((d) => d.key === 'component:default/inventoryservice')).toBe(false);
  });
});

/** [add|modify|remove, path] of the files that differ between two commits, sorted by path. */
async function changedFiles(dir: string, a: string, b: string): Promise<[string, string][]> {
  const result: [string, string][] = [];
  await git.walk({
    fs,
    dir,
    trees: [git.TREE({ ref: a }), git.TREE({ ref: b })],
    map: async (filepath, [x, y]) => {
      if (filepath === '.') return undefined;
      if ((await x?.type()) === 'tree' || (await y?.type()) === 'tree') return undefined;
      const [ox, oy] = [await x?.oid(), await y?.oid()];
      if (ox === oy) return undefined;
      result.push([ox === undefined ? 'add' : oy === undefined ? 'remove' : 'modify', filepath]);
      return undefined;
    },
  });
  return result.sort((p, q) => p[1].localeCompare(q[1]));
}
