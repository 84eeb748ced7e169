import fs from 'node:fs/promises';
import path from 'node:path';
import type { RefString } from '../../catalog/types.ts';
import type { OpenChange } from '../../policies/types.ts';
import { writeFileAtomic } from '../state/jsonLines.ts';

interface Entry {
  title: string;
  head: string;
  /** Entities the change changes or impacts. */
  touched: RefString[];
}

export const OPEN_CHANGES_DIR = 'open-changes';

/**
 * What each open pull request of a repository changes or impacts, as last
 * evaluated, so an evaluation can report overlaps with the others. One file
 * per pull request (`open-changes/<owner>/<repo>/<number>.json` in the state
 * directory, rewritten atomically), read once.
 */
export class OpenChanges {
  private readonly dir: string;
  /** repository (lower case) -> number -> entry, read once per repository. */
  private readonly loaded = new Map<string, Promise<Map<number, Entry>>>();

  constructor(options: { dir: string }) {
    this.dir = path.join(options.dir, OPEN_CHANGES_DIR);
  }

  /** Open changes of the repository other than pull request `except`. */
  async others(repository: string, except: number): Promise<OpenChange[]> {
    const entries = await this.load(repository);
    return [...entries]
      .filter(([n]) => n !== except)
      .sort(([a], [b]) => a - b)
      .map(([n, e]) => ({ id: `#${n}`, title: e.title, impacted: e.touched }));
  }

  async update(repository: string, number: number, entry: Entry): Promise<void> {
    (await this.load(repository)).set(number, entry);
    await fs.mkdir(this.repoDir(repository), { recursive: true });
    await writeFileAtomic(this.file(repository, number), JSON.stringify(entry));
  }

  async remove(repository: string, number: number): Promise<void> {
    const entries = await this.load(repository);
    if (!entries.delete(number)) return;
    await fs.rm(this.file(repository, number), { force: true });
  }

  private repoDir(repository: string): string {
    return path.join(this.dir, ...repository.toLowerCase().split('/').map((s) => s.replace(/[^a-z0-9._-]/g, '_')));
  }

  private file(repository: string, number: number): string {
    return path.join(this.repoDir(repository), `${number}.json`);
  }

  private load(repository: string): Promise<Map<number, Entry>> {
    const key = repository.toLowerCase();
    let loading = this.loaded.get(key);
    if (!loading) {
      loading = this.read(repository);
      this.loaded.set(key, loading);
    }
    return loading;
  }

  private async read(repository: string): Promise<Map<number, Entry>> {
    const entries = new Map<number, Entry>();
    let names: string[] = [];
    try {
      names = await fs.readdir(this.repoDir(repository));
    } catch {
      return entries;
    }
    for (const name of names) {
      const m = /^(\d+)\.json$/.exec(name);
      if (!m) continue;
      try {
        entries.set(Number(m[1]), JSON.parse(await fs.readFile(path.join(this.repoDir(repository), name), 'utf8')) as Entry);
      } catch {
        /* a file cut short by a crash: the next evaluation of that pull request rewrites it */
      }
    }
    return entries;
  }
}
