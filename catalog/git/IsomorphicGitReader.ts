import fs from 'node:fs';
import git from 'isomorphic-git';
import { CmdbError } from '../../core/errors.ts';
import { DiffMemo, listed, type CommitInfo, type FileChange, type GitReader, type ListOptions, type TreeEntry } from './GitReader.ts';
import { isoSeconds } from './NativeGitReader.ts';

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/**
 * GitReader in pure JavaScript (isomorphic-git): the portable path.
 * Revisions: branch and tag names, `HEAD`, full or abbreviated object ids.
 */
export class IsomorphicGitReader implements GitReader {
  readonly name = 'isomorphic-git';
  private readonly dir: string;
  private readonly gitdir: string;
  /** isomorphic-git's object cache, shared by every call (keeps packfile indexes). */
  private readonly cache: object = {};

  constructor(options: { dir: string; gitdir?: string }) {
    this.dir = options.dir;
    this.gitdir = options.gitdir ?? findGitdir(options.dir);
  }

  async resolve(rev: string): Promise<string> {
    const oid = await this.resolveOid(rev);
    try {
      const { type, object } = await git.readObject({ fs, dir: this.dir, gitdir: this.gitdir, oid, cache: this.cache });
      if (type === 'commit') return oid;
      if (type === 'tag') return (object as { object: string }).object;
    } catch (cause) {
      throw new CmdbError(`revision "${rev}" does not name a commit in ${this.dir}`, { code: 'ref-not-found', cause });
    }
    throw new CmdbError(`revision "${rev}" does not name a commit in ${this.dir}`, { code: 'ref-not-found' });
  }

  private async resolveOid(rev: string): Promise<string> {
    const args = { fs, dir: this.dir, gitdir: this.gitdir };
    try {
      return await git.resolveRef({ ...args, ref: rev });
    } catch {
      try {
        if (/^[0-9a-f]{4,40}$/i.test(rev)) return await git.expandOid({ ...args, oid: rev.toLowerCase(), cache: this.cache });
      } catch {
        /* fall through */
      }
    }
    throw new CmdbError(`revision "${rev}" does not name a commit in ${this.dir}`, { code: 'ref-not-found' });
  }

  async listFiles(commit: string, options?: ListOptions): Promise<TreeEntry[]> {
    const entries: TreeEntry[] = [];
    await this.walkTree(await this.treeOf(commit), '', entries);
    return listed(entries.sort(byPath), options);
  }

  private readonly diffs = new DiffMemo();

  diffFiles(base: string, head: string): Promise<FileChange[]> {
    return this.diffs.get(base, head, async () => {
      const changes: FileChange[] = [];
      await this.diffTrees(await this.treeOf(base), await this.treeOf(head), '', changes);
      return changes.sort(byPath);
    });
  }

  async readBlobs(oids: readonly string[], onBlob: (oid: string, content: Buffer) => void): Promise<void> {
    for (const oid of oids) {
      const { blob } = await git.readBlob({ fs, dir: this.dir, gitdir: this.gitdir, oid, cache: this.cache });
      onBlob(oid, Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength));
    }
  }

  async commitsBetween(base: string | undefined, head: string): Promise<CommitInfo[]> {
    const excluded = new Set<string>();
    for (const stack = base === undefined ? [] : [base]; stack.length > 0; ) {
      const oid = stack.pop()!;
      if (excluded.has(oid)) continue;
      excluded.add(oid);
      stack.push(...(await this.commitOf(oid)).parent);
    }
    // Depth-first from head, each commit after its parents.
    const seen = new Set<string>(excluded);
    const out: CommitInfo[] = [];
    const stack: Array<{ oid: string; after: boolean }> = [{ oid: head, after: false }];
    while (stack.length > 0) {
      const { oid, after } = stack.pop()!;
      if (!after && seen.has(oid)) continue;
      const c = await this.commitOf(oid);
      if (after) {
        out.push({ oid, subject: c.message.split('\n')[0], author: `${c.author.name} <${c.author.email}>`, committedAt: isoSeconds(c.committer.timestamp) });
        continue;
      }
      seen.add(oid);
      stack.push({ oid, after: true });
      for (const p of [...c.parent].reverse()) if (!seen.has(p)) stack.push({ oid: p, after: false });
    }
    return out;
  }

  private async commitOf(oid: string) {
    const { commit } = await git.readCommit({ fs, dir: this.dir, gitdir: this.gitdir, oid, cache: this.cache });
    return commit;
  }

  async close(): Promise<void> {}

  private async treeOf(commit: string): Promise<string> {
    const { commit: c } = await git.readCommit({ fs, dir: this.dir, gitdir: this.gitdir, oid: commit, cache: this.cache });
    return c.tree;
  }

  private async readTree(oid: string) {
    const { tree } = await git.readTree({ fs, dir: this.dir, gitdir: this.gitdir, oid, cache: this.cache });
    return tree;
  }

  private async walkTree(oid: string, prefix: string, out: TreeEntry[]): Promise<void> {
    for (const e of await this.readTree(oid)) {
      const path = prefix + e.path;
      if (e.type === 'tree') await this.walkTree(e.oid, `${path}/`, out);
      else out.push({ path, oid: e.oid, mode: e.mode });
    }
  }

  /** Recursive tree comparison that never descends into identical subtrees. */
  private async diffTrees(a: string | undefined, b: string | undefined, prefix: string, out: FileChange[]): Promise<void> {
    if (a === b) return;
    const left = new Map((a ? await this.readTree(a) : []).map((e) => [e.path, e]));
    const right = new Map((b ? await this.readTree(b) : []).map((e) => [e.path, e]));
    for (const name of new Set([...left.keys(), ...right.keys()])) {
      const l = left.get(name);
      const r = right.get(name);
      const path = prefix + name;
      if (l && r && l.oid === r.oid && l.mode === r.mode) continue;
      const lTree = l?.type === 'tree' ? l.oid : undefined;
      const rTree = r?.type === 'tree' ? r.oid : undefined;
      if (lTree || rTree) await this.diffTrees(lTree, rTree, `${path}/`, out);
      if (l && l.type !== 'tree' && !(r && r.type !== 'tree')) out.push({ path, status: 'deleted' });
      if (r && r.type !== 'tree') {
        const entry = { path, oid: r.oid, mode: r.mode };
        out.push({ path, status: l && l.type !== 'tree' ? 'modified' : 'added', entry });
      }
    }
  }
}

/** The git directory of a work tree or bare repository. */
function findGitdir(dir: string): string {
  const dotGit = `${dir}/.git`;
  if (fs.existsSync(dotGit)) {
    if (fs.statSync(dotGit).isFile()) {
      const line = fs.readFileSync(dotGit, 'utf8').trim();
      if (line.startsWith('gitdir:')) return line.slice(7).trim();
    }
    return dotGit;
  }
  return dir;
}
