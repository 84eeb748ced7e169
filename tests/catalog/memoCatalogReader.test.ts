import { afterAll, describe, expect, it } from 'vitest';
import { NativeGitReader } from '../../catalog/git/NativeGitReader.ts';
import { MemoCatalogReader } from '../../catalog/MemoCatalogReader.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';

describe('MemoCatalogReader', () => {
  const repo = TestRepo.create();
  afterAll(() => repo.remove());

  it('answers a kept commit id without resolving it again; other revisions are resolved', async () => {
    const main = repo.commit({ 'a.yaml': entity('Component', 'a') });
    const change = repo.commit({ 'b.yaml': entity('Component', 'b') });
    const git = new NativeGitReader({ dir: repo.dir });
    const resolved: string[] = [];
    const resolve = git.resolve.bind(git);
    git.resolve = (rev: string) => (resolved.push(rev), resolve(rev));
    const reader = new MemoCatalogReader({ git, cache: false });

    const base = await reader.read(main);
    const head = await reader.readFrom(base, change);
    const first = resolved.length;
    expect(await reader.read(main)).toBe(base);
    expect(await reader.readFrom(base, change)).toBe(head);
    expect(await reader.read(change)).toBe(head);
    expect(resolved).toHaveLength(first);
    expect(await reader.read('HEAD')).toBe(head);
    expect(resolved.slice(first)).toEqual(['HEAD']);
    expect([base.commit, head.commit]).toEqual([main, change]);
  });
});
