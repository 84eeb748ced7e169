import fs from 'node:fs';
import path from 'node:path';
import { CmdbError } from '../../core/errors.ts';
import type { GitReader } from './GitReader.ts';
import { NativeGitReader, nativeGitAvailable } from './NativeGitReader.ts';

export type GitImplementation = 'native' | 'isomorphic' | 'auto';

/** True when dir is a work tree with .git or a bare repository. */
function isRepository(dir: string): boolean {
  if (fs.existsSync(path.join(dir, '.git'))) return true;
  return fs.existsSync(path.join(dir, 'HEAD')) && fs.existsSync(path.join(dir, 'objects'));
}

/**
 * Opens the repository at dir with the requested reader (`auto`: native git when
 * installed, else isomorphic-git; `CMDB_GIT` overrides `auto`).
 * Throws CmdbError `repo-not-found` when dir is not a Git repository.
 */
export async function openRepo(dir: string, implementation: GitImplementation = 'auto'): Promise<GitReader> {
  const resolved = path.resolve(dir);
  if (!fs.existsSync(resolved)) throw new CmdbError(`repository ${dir} does not exist`, { code: 'repo-not-found' });
  if (!isRepository(resolved)) throw new CmdbError(`${dir} is not a Git repository`, { code: 'repo-not-found' });
  const wanted = implementation === 'auto' ? ((process.env.CMDB_GIT as GitImplementation | undefined) ?? 'auto') : implementation;
  if (wanted === 'native' || (wanted !== 'isomorphic' && (await nativeGitAvailable()))) return new NativeGitReader({ dir: resolved });
  const { IsomorphicGitReader } = await import('./IsomorphicGitReader.ts'); // isomorphic-git loads only when used
  return new IsomorphicGitReader({ dir: resolved });
}
