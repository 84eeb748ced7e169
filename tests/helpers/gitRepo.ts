import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

/** Contents to write: text, bytes, or a symlink to a path. */
export type FileContent = string | Buffer | { symlink: string };

/** A real Git repository in a temp dir, driven with the git binary. */
export class TestRepo {
  constructor(readonly dir: string) {}

  static create(prefix = 'cmdb-test-'): TestRepo {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const repo = new TestRepo(dir);
    repo.git('init', '-q', '-b', 'main');
    return repo;
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, env: ENV, encoding: 'utf8' }).trim();
  }

  /** Writes files (undefined removes them), commits everything, returns the commit oid. */
  commit(files: Record<string, FileContent | undefined>, message = 'change'): string {
    for (const [rel, content] of Object.entries(files)) {
      const file = path.join(this.dir, rel);
      fs.rmSync(file, { force: true });
      if (content === undefined) continue;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      if (typeof content === 'object' && !Buffer.isBuffer(content)) fs.symlinkSync(content.symlink, file);
      else fs.writeFileSync(file, content);
    }
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  branch(name: string, from = 'HEAD'): void {
    this.git('branch', name, from);
  }

  checkout(name: string): void {
    this.git('checkout', '-q', name);
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A cmdb/v1 entity document. */
export function entity(kind: string, name: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): string {
  return stringify({ apiVersion: 'cmdb/v1', kind, metadata: { name, ...metadata }, spec });
}
