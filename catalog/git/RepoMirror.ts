import fs from 'node:fs';
import path from 'node:path';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { CmdbError } from '../../core/errors.ts';

/** Where to fetch a repository from. */
export interface MirrorSource {
  /** `owner/name`: names the local clone. */
  fullName: string;
  /** Smart-HTTP clone URL. */
  url: string;
  /** Sent as `x-access-token:TOKEN` basic auth (GitHub App and token alike); none: anonymous. */
  token?: string;
}

export interface FetchResult {
  gitdir: string;
  /** Branch tips of the remote after the fetch (`main` -> sha). */
  branches: Map<string, string>;
  /** Head of the pull request, when one was asked for and the remote has `refs/pull/N/head`. */
  pullHead?: string;
}

const REFSPEC = '+refs/heads/*:refs/remotes/origin/*';

/**
 * Local bare clones of config repos (one per repository under `root`), kept
 * up to date with isomorphic-git over smart HTTP. A fetch announces every
 * local ref as `have`, so only objects the clone lacks are transferred.
 * Fetches of one repository run one at a time.
 */
export class RepoMirror {
  readonly root: string;
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly caches = new Map<string, object>();

  constructor(options: { root: string }) {
    this.root = options.root;
  }

  /** The clone's git directory: `root/owner/name.git` (lower case: GitHub names are case-insensitive). */
  gitdir(fullName: string): string {
    const [owner, name] = fullName.toLowerCase().split('/');
    return path.join(this.root, safeSegment(owner), `${safeSegment(name)}.git`);
  }

  /** Fetches every branch and, when `pull` is given, `refs/pull/<pull>/head` (kept locally as `refs/cmdb/pull/<pull>`). */
  fetch(source: MirrorSource, want: { pull?: number } = {}): Promise<FetchResult> {
    return this.locked(source.fullName, () => this.fetchNow(source, want));
  }

  /** True when the clone has the commit. */
  async hasCommit(fullName: string, oid: string): Promise<boolean> {
    try {
      await git.readCommit({ fs, gitdir: this.gitdir(fullName), oid, cache: this.cacheOf(fullName) });
      return true;
    } catch {
      return false;
    }
  }

  /** The best common ancestor of two commits (what the pull request's diff is against); undefined when unrelated. */
  async mergeBase(fullName: string, a: string, b: string): Promise<string | undefined> {
    const bases = (await git.findMergeBase({ fs, gitdir: this.gitdir(fullName), oids: [a, b], cache: this.cacheOf(fullName) })) as string[];
    return bases[0];
  }

  private async fetchNow(source: MirrorSource, want: { pull?: number }): Promise<FetchResult> {
    const gitdir = this.gitdir(source.fullName);
    await this.prepare(gitdir, source.url);
    const headers: Record<string, string> = source.token ? { authorization: `Basic ${Buffer.from(`x-access-token:${source.token}`).toString('base64')}` } : {};
    const base = { fs, http, gitdir, remote: 'origin', url: source.url, singleBranch: false, tags: false, prune: true, headers, cache: this.cacheOf(source.fullName) };
    let pullHead: string | undefined;
    try {
      if (want.pull !== undefined) {
        try {
          const r = await git.fetch({ ...base, remoteRef: `refs/pull/${want.pull}/head` });
          pullHead = r.fetchHead ?? undefined;
        } catch (e) {
          if ((e as { code?: string }).code !== 'NotFoundError') throw e;
          await git.fetch(base); // no refs/pull on this remote: branches only
        }
      } else {
        await git.fetch(base);
      }
    } catch (cause) {
      throw new CmdbError(`cannot fetch ${source.fullName} from ${redact(source.url)}: ${(cause as Error).message}`, { code: 'git', cause });
    }
    if (pullHead) await git.writeRef({ fs, gitdir, ref: `refs/cmdb/pull/${want.pull}`, value: pullHead, force: true });
    return { gitdir, branches: await this.branches(gitdir), pullHead };
  }

  /** Creates the bare clone on first use; keeps the remote's URL current. */
  private async prepare(gitdir: string, url: string): Promise<void> {
    if (!fs.existsSync(path.join(gitdir, 'config'))) {
      await fs.promises.mkdir(gitdir, { recursive: true });
      await git.init({ fs, dir: gitdir, gitdir, bare: true, defaultBranch: 'main' });
    }
    if ((await git.getConfig({ fs, gitdir, path: 'remote.origin.url' })) !== url) await git.setConfig({ fs, gitdir, path: 'remote.origin.url', value: url });
    if ((await git.getConfig({ fs, gitdir, path: 'remote.origin.fetch' })) !== REFSPEC) await git.setConfig({ fs, gitdir, path: 'remote.origin.fetch', value: REFSPEC });
  }

  private async branches(gitdir: string): Promise<Map<string, string>> {
    const names = await git.listBranches({ fs, gitdir, remote: 'origin' });
    const tips = new Map<string, string>();
    for (const name of names) if (name !== 'HEAD') tips.set(name, await git.resolveRef({ fs, gitdir, ref: `refs/remotes/origin/${name}` }));
    return tips;
  }

  private cacheOf(fullName: string): object {
    const key = fullName.toLowerCase();
    let cache = this.caches.get(key);
    if (!cache) this.caches.set(key, (cache = {}));
    return cache;
  }

  private locked<T>(fullName: string, fn: () => Promise<T>): Promise<T> {
    const key = fullName.toLowerCase();
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    this.locks.set(key, next);
    return next;
  }
}

/** A path segment that stays inside the root. */
const safeSegment = (s: string): string => {
  const cleaned = s.replace(/[^A-Za-z0-9._-]/g, '_');
  return cleaned === '.' || cleaned === '..' || cleaned === '' ? `_${cleaned}` : cleaned;
};

/** A URL without credentials, for messages. */
const redact = (url: string): string => url.replace(/\/\/[^@/]*@/, '//');
