import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CmdbError } from '../../core/errors.ts';
import type { GitReader } from '../../catalog/git/GitReader.ts';
import { IsomorphicGitReader } from '../../catalog/git/IsomorphicGitReader.ts';
import { NativeGitReader } from '../../catalog/git/NativeGitReader.ts';
import { openRepo } from '../../catalog/git/openRepo.ts';
import { TestRepo } from '../helpers/gitRepo.ts';

let repo: TestRepo;
let first: string;
let second: string;
let third: string;

beforeAll(() => {
  repo = TestRepo.create();
  first = repo.commit({
    'a.yaml': 'a: 1\n',
    'dir/b.yaml': 'b: 1\n',
    'dir/sub/c.yaml': 'c: 1\n',
    'same/x.yaml': 'x: 1\n',
    'big.bin': Buffer.alloc(300_000, 7),
    'link.yaml': { symlink: 'a.yaml' },
  });
  repo.git('tag', 'v1');
  second = repo.commit({ 'a.yaml': 'a: 2\n', 'dir/b.yaml': undefined, 'dir/sub/d.yaml': 'd: 1\n', 'e.yaml': 'e: 1\n' });
  repo.git('tag', 'v2');
  third = repo.commit({
    'NOTES.MD': '# Notes\n',
    'docs/run book.md': '# Run\n',
    'docs/x.md.txt': 'not markdown\n',
    'docs.md/inside.yaml': 'y: 1\n',
    'cmdb.yaml': 'exclude: []\n',
    'docs/sub/cmdb.yaml': 'x: 1\n',
    'docs/notcmdb.yaml.bak': 'x: 1\n',
  });
});
afterAll(() => repo.remove());

const readers: Array<[string, () => GitReader]> = [
  ['NativeGitReader', () => new NativeGitReader({ dir: repo.dir })],
  ['IsomorphicGitReader', () => new IsomorphicGitReader({ dir: repo.dir })],
];

describe.each(readers)('GitReader contract: %s', (_name, make) => {
  it('resolves branches, tags, HEAD and full and abbreviated oids to commits', async () => {
    const git = make();
    expect(await git.resolve('main')).toBe(third);
    expect(await git.resolve('HEAD')).toBe(third);
    expect(await git.resolve('v2')).toBe(second);
    expect(await git.resolve('v1')).toBe(first);
    expect(await git.resolve(first)).toBe(first);
    expect(await git.resolve(first.slice(0, 10))).toBe(first);
  });

  it('rejects a revision that names no commit with ref-not-found', async () => {
    const git = make();
    await expect(git.resolve('no-such-branch')).rejects.toMatchObject({ code: 'ref-not-found' });
    await expect(git.resolve('0'.repeat(40))).rejects.toBeInstanceOf(CmdbError);
  });

  it('lists every file of a commit recursively, sorted, with modes', async () => {
    const files = await make().listFiles(first);
    expect(files.map((f) => f.path)).toEqual(['a.yaml', 'big.bin', 'dir/b.yaml', 'dir/sub/c.yaml', 'link.yaml', 'same/x.yaml']);
    expect(files.find((f) => f.path === 'link.yaml')!.mode).toBe('120000');
    expect(files.find((f) => f.path === 'a.yaml')!.mode).toBe('100644');
  });

  it('lists only the files ending with given suffixes, ignoring case, sorted', async () => {
    const git = make();
    expect((await git.listFiles(third, { endingWith: ['.md', 'cmdb.yaml'] })).map((f) => f.path)).toEqual(['NOTES.MD', 'cmdb.yaml', 'docs/run book.md', 'docs/sub/cmdb.yaml']);
    expect(await git.listFiles(third, { endingWith: ['.MD'] })).toEqual((await git.listFiles(third)).filter((f) => /\.md$/i.test(f.path)));
    expect(await git.listFiles(third, { endingWith: ['.none'] })).toEqual([]);
    expect((await git.listFiles(third, { endingWith: ['*.yaml'] })).map((f) => f.path)).toEqual([]); // a suffix, not a pattern
    expect(await git.listFiles(third, { endingWith: [] })).toEqual([]);
  });

  it('lists the paths that changed between two commits', async () => {
    const changes = await make().diffFiles(first, second);
    expect(changes.map((c) => [c.path, c.status])).toEqual([
      ['a.yaml', 'modified'],
      ['dir/b.yaml', 'deleted'],
      ['dir/sub/d.yaml', 'added'],
      ['e.yaml', 'added'],
    ]);
    expect(changes[0].entry?.oid).toBe(repo.git('rev-parse', `${second}:a.yaml`));
    expect(await make().diffFiles(second, second)).toEqual([]);
  });

  it('reads blobs, including large ones, byte for byte', async () => {
    const files = await make().listFiles(first);
    const got = new Map<string, Buffer>();
    await make().readBlobs(
      files.map((f) => f.oid),
      (oid, content) => got.set(oid, Buffer.from(content)),
    );
    expect(got.size).toBe(files.length);
    const big = files.find((f) => f.path === 'big.bin')!;
    expect(got.get(big.oid)!.equals(Buffer.alloc(300_000, 7))).toBe(true);
    expect(got.get(files[0].oid)!.toString()).toBe('a: 1\n');
  });
});

describe('openRepo', () => {
  it('refuses a missing directory and a directory that is not a repository', async () => {
    await expect(openRepo('/nonexistent/cmdb-repo')).rejects.toMatchObject({ code: 'repo-not-found' });
    await expect(openRepo('/tmp')).rejects.toMatchObject({ code: 'repo-not-found' });
  });

  it('opens the requested implementation', async () => {
    expect((await openRepo(repo.dir, 'isomorphic')).name).toBe('isomorphic-git');
    expect((await openRepo(repo.dir, 'native')).name).toBe('native git');
  });
});
