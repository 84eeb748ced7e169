import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NativeGitReader, nativeGitAvailable } from '../../catalog/git/NativeGitReader.ts';
import { TestRepo } from '../helpers/gitRepo.ts';

describe('nativeGitAvailable (openRepo picks native git with it)', () => {
  const saved = process.env.PATH;
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdb-path-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    process.env.PATH = saved;
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is true with the git of this machine on PATH', async () => {
    expect(await nativeGitAvailable()).toBe(true);
  });

  it('is false when no directory of PATH holds an executable git file', async () => {
    const notExecutable = tempDir();
    fs.writeFileSync(path.join(notExecutable, 'git'), '#!/bin/sh\n', { mode: 0o644 });
    const directory = tempDir();
    fs.mkdirSync(path.join(directory, 'git'), { mode: 0o755 });
    process.env.PATH = [tempDir(), notExecutable, directory, ''].join(path.delimiter);
    expect(await nativeGitAvailable()).toBe(false);
  });

  it('a broken git on PATH (it runs but fails): resolving a revision says git failed and what it printed, not that the revision names no commit', async () => {
    const repo = TestRepo.create();
    try {
      repo.commit({ 'a.yaml': 'kind: Group\n' });
      const git = new NativeGitReader({ dir: repo.dir });
      await expect(git.resolve('no-such-branch')).rejects.toMatchObject({ code: 'ref-not-found', message: `revision "no-such-branch" does not name a commit in ${repo.dir}` });
      // git exits 1 with an `error:` line for an object that is not a commit: still the revision's fault.
      const tree = execFileSync('git', ['rev-parse', 'HEAD^{tree}'], { cwd: repo.dir, encoding: 'utf8' }).trim();
      await expect(git.resolve(tree)).rejects.toMatchObject({
        code: 'ref-not-found',
        message: `revision "${tree}" does not name a commit in ${repo.dir} (expected commit type, but the object dereferences to tree type)`,
      });
      const bin = tempDir();
      fs.writeFileSync(path.join(bin, 'git'), '#!/bin/sh\necho "git: error while loading shared libraries: libpcre2-8.so.0" >&2\nexit 127\n', { mode: 0o755 });
      process.env.PATH = [bin, saved].join(path.delimiter);
      expect(await nativeGitAvailable()).toBe(true);
      const error = await new NativeGitReader({ dir: repo.dir }).resolve('main').catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'git',
        message: `cannot resolve revision "main" in ${repo.dir}: git rev-parse failed (exit 127): git: error while loading shared libraries: libpcre2-8.so.0`,
      });
    } finally {
      repo.remove();
    }
  });

  it('finds git in any directory of PATH', async () => {
    const bin = tempDir();
    fs.writeFileSync(path.join(bin, 'git'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    process.env.PATH = [tempDir(), bin].join(path.delimiter);
    expect(await nativeGitAvailable()).toBe(true);
  });
});
