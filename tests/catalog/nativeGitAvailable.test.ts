import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nativeGitAvailable } from '../../catalog/git/NativeGitReader.ts';

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

  it('finds git in any directory of PATH', async () => {
    const bin = tempDir();
    fs.writeFileSync(path.join(bin, 'git'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    process.env.PATH = [tempDir(), bin].join(path.delimiter);
    expect(await nativeGitAvailable()).toBe(true);
  });
});
