/**
 * deploy/Dockerfile, read as Docker reads it (no Docker daemon here to build
 * it): multi-stage, the runtime stage non-root and without the sources, every
 * COPY source present in the build context (the repository root, filtered by
 * deploy/Dockerfile.dockerignore) or made by the stage it is copied from.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DOCKERFILE = path.join(ROOT, 'deploy', 'Dockerfile');

interface Instruction { keyword: string; args: string; line: number }
interface Stage { name?: string; from: string; instructions: Instruction[] }

/** Instructions (continuation lines joined, comments and parser directives dropped), grouped by FROM. */
function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (pending && line.startsWith('#')) return;
    if (!pending) start = i + 1;
    pending += `${line.replace(/\\$/, '').trim()} `;
    if (line.endsWith('\\')) return;
    const [keyword, ...rest] = pending.trim().split(/\s+/);
    instructions.push({ keyword: keyword!.toUpperCase(), args: rest.join(' '), line: start });
    pending = '';
  });
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      expect(m, `FROM at line ${ins.line}`).not.toBeNull();
      stages.push({ from: m![1]!, name: m![2], instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push(ins);
    } else {
      expect(ins.keyword, `line ${ins.line}: only ARG may come before FROM`).toBe('ARG');
    }
  }
  return stages;
}

/** COPY's flags and operands (sources..., destination); the JSON form too. */
function copyArgs(args: string): { from?: string; sources: string[]; dest: string } {
  const words = args.trim().startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const operands = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: operands.slice(0, -1), dest: operands.at(-1)! };
}

/** Whether a .dockerignore pattern list excludes a context path (the subset of patterns used: names, globs, **). */
function ignored(patterns: string[], rel: string): boolean {
  let out = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const pattern = (negate ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '');
    const re = new RegExp(`^${pattern.split('/').map((part) => (part === '**' ? '(?:.*/)?' : `${part.replace(/[.+^${}()|[\]]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}/`)).join('').replace(/\/$/, '')}(?:/.*)?$`);
    if (re.test(rel)) out = !negate;
  }
  return out;
}

const stages = parseDockerfile(fs.readFileSync(DOCKERFILE, 'utf8'));
const runtime = stages.at(-1)!;
const ignorePatterns = fs.readFileSync(`${DOCKERFILE}.dockerignore`, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

describe('deploy/Dockerfile', () => {
  it('is multi-stage: named build stages, and a runtime stage from the same slim Node 20 image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages.slice(0, -1)) expect(stage.name, `stage FROM ${stage.from}`).toBeTruthy();
    const arg = fs.readFileSync(DOCKERFILE, 'utf8').match(/^ARG NODE_IMAGE=(\S+)$/m)?.[1];
    expect(arg).toBe('node:20-bookworm-slim');
    for (const stage of stages) expect(stage.from).toBe('${NODE_IMAGE}');
  });

  it('builds the bundle and the web UI ahead of time in the build stage, with the project\'s own `npm run build`', () => {
    const build = stages.find((s) => s.name === 'build')!;
    const runs = build.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs).toContain('npm ci --no-audit --no-fund');
    expect(runs).toContain('npm run build');
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    // The CLI bundle (it empties dist/), then the web UI into dist/web: the runtime stage copies dist/ whole.
    expect(pkg.scripts.build).toBe('node bin/bundle.js build && node bin/build-web.js');
  });

  it('ends as a non-root user (numeric, so Kubernetes can check runAsNonRoot) that matches the chart', () => {
    const users = runtime.instructions.filter((i) => i.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const [uid, gid] = users.at(-1)!.args.split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    expect(gid).toBeGreaterThan(0);
    // Nothing runs after USER but the entry point: no RUN as the non-root user can need root.
    expect(runtime.instructions.slice(runtime.instructions.indexOf(users.at(-1)!) + 1).map((i) => i.keyword)).not.toContain('RUN');
    const values = parseAllDocuments(fs.readFileSync(path.join(ROOT, 'deploy/helm/gitops-cmdb/values.yaml'), 'utf8'))[0]!.toJS() as { podSecurityContext: { runAsUser: number; runAsGroup: number } };
    expect([values.podSecurityContext.runAsUser, values.podSecurityContext.runAsGroup]).toEqual([uid, gid]);
  });

  it('runs bin/cmdb.js from the bundle, with git and only production dependencies; no sources in the runtime stage', () => {
    const entry = JSON.parse(runtime.instructions.find((i) => i.keyword === 'ENTRYPOINT')!.args) as string[];
    expect(entry[0]).toBe('node');
    expect(entry.at(-1)).toBe('/app/bin/cmdb.js');
    const copies = runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => copyArgs(i.args));
    for (const c of copies) expect(c.from, `COPY ${c.sources.join(' ')}: from a stage, never the raw context`).toBeTruthy();
    expect(copies.map((c) => c.sources.join(' '))).toEqual(expect.arrayContaining(['/app/node_modules', '/src/package.json', '/src/bin', '/src/dist']));
    const deps = stages.find((s) => s.name === copies.find((c) => c.sources[0] === '/app/node_modules')!.from)!;
    expect(deps.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n')).toMatch(/npm ci --omit=dev/);
    expect(runtime.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n')).toMatch(/apt-get install .*\bgit\b/);
  });

  it('carries the demo config repo where the chart looks for it, readable by the non-root user', () => {
    const demo = fs.readFileSync(path.join(ROOT, 'deploy/helm/gitops-cmdb/templates/_helpers.tpl'), 'utf8').match(/define "gitops-cmdb\.demoRepo" -}}\s*(\S+)/)?.[1];
    expect(demo).toBe('/opt/gitops-cmdb/demo.git');
    const copies = runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => copyArgs(i.args));
    expect(copies.find((c) => c.dest === demo)?.from).toBe('build');
    const cmd = JSON.parse(runtime.instructions.find((i) => i.keyword === 'CMD')!.args) as string[];
    expect(cmd.slice(cmd.indexOf('--repo'), cmd.indexOf('--repo') + 2)).toEqual(['--repo', demo]); // docker run with no arguments serves it
    // The repo belongs to root: git (2.39.4+) refuses to clone another user's repository unless it is a safe.directory.
    expect(runtime.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n')).toContain(`git config --system --add safe.directory ${demo}`);
  });

  it('copies only what exists: context sources present and not ignored, stage sources from a defined stage', () => {
    const names = new Set<string>();
    for (const stage of stages) {
      for (const ins of stage.instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')) {
        const c = copyArgs(ins.args);
        expect(c.sources.length, `line ${ins.line}`).toBeGreaterThan(0);
        if (c.from) {
          expect(names.has(c.from), `line ${ins.line}: stage ${c.from} is defined before`).toBe(true);
          continue;
        }
        for (const source of c.sources) {
          expect(fs.existsSync(path.join(ROOT, source)), `line ${ins.line}: ${source} exists`).toBe(true);
          if (source !== '.') expect(ignored(ignorePatterns, source), `line ${ins.line}: ${source} is not ignored`).toBe(false);
        }
      }
      if (stage.name) names.add(stage.name);
    }
  });

  it('keeps every source folder the bundle is built from in the context (and tests, .git, node_modules out)', async () => {
    const { BUNDLE_SOURCES } = await import('../../bin/bundle.js');
    const present = BUNDLE_SOURCES.filter((dir) => fs.existsSync(path.join(ROOT, dir)));
    expect(present).toContain('cli');
    for (const dir of [...present, 'package.json', 'package-lock.json', 'bin/bundle.js', 'examples/create-demo-repo.ts', 'tsconfig.json']) {
      expect(ignored(ignorePatterns, dir), dir).toBe(false);
    }
    for (const dir of ['.git', 'node_modules', 'catalog/node_modules', 'tests', 'dist', 'tests/infra/.work']) expect(ignored(ignorePatterns, dir), dir).toBe(true);
  });
});
