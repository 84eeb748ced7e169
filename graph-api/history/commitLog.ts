import fs from 'node:fs';
import path from 'node:path';
import git from 'isomorphic-git';

/** A commit as `Catalog.commit` shows it. */
export interface CommitInfo {
  sha: string;
  /** Committer date, ISO 8601 in UTC. */
  committedAt: string;
}

/**
 * Commit dates and the log of a branch, read with isomorphic-git (pure
 * JavaScript, any repository layout the CatalogReader accepts: a work tree,
 * a bare repository, a `.git` file).
 */
export class CommitLog {
  private readonly dir: string;
  private readonly gitdir: string;
  private readonly cache: object = {};
  /** The log of the last tip asked about: [committer time in seconds, sha], newest first (a branch moves rarely). */
  private lastLog?: { tip: string; entries: Promise<Array<[number, string]>> };

  constructor(options: { repo: string }) {
    this.dir = path.resolve(options.repo);
    this.gitdir = findGitdir(this.dir);
  }

  /** Sha and committer date of a commit (a full sha). */
  async info(sha: string): Promise<CommitInfo> {
    const { commit } = await git.readCommit({ fs, dir: this.dir, gitdir: this.gitdir, oid: sha, cache: this.cache });
    return { sha, committedAt: isoDate(commit.committer.timestamp) };
  }

  /**
   * The first commit of `tip`'s log (newest committer date first, as `git log`
   * walks it) committed at or before `time`; undefined when all are later.
   */
  async lastAtOrBefore(tip: string, time: Date): Promise<CommitInfo | undefined> {
    const limit = Math.floor(time.getTime() / 1000);
    const hit = (await this.logOf(tip)).find(([seconds]) => seconds <= limit);
    return hit && { sha: hit[1], committedAt: isoDate(hit[0]) };
  }

  private logOf(tip: string): Promise<Array<[number, string]>> {
    if (this.lastLog?.tip !== tip) {
      const entries = git
        .log({ fs, dir: this.dir, gitdir: this.gitdir, ref: tip, cache: this.cache })
        .then((log) => log.map((e): [number, string] => [e.commit.committer.timestamp, e.oid]));
      entries.catch(() => this.lastLog?.entries === entries && (this.lastLog = undefined));
      this.lastLog = { tip, entries };
    }
    return this.lastLog.entries;
  }
}

const isoDate = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/** The git directory of a work tree (`.git` dir or file) or a bare repository. */
function findGitdir(dir: string): string {
  const dotGit = path.join(dir, '.git');
  if (!fs.existsSync(dotGit)) return dir;
  if (!fs.statSync(dotGit).isFile()) return dotGit;
  const line = fs.readFileSync(dotGit, 'utf8').trim();
  return line.startsWith('gitdir:') ? path.resolve(dir, line.slice(7).trim()) : dotGit;
}
