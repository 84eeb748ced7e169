import fs from 'node:fs/promises';
import path from 'node:path';
import type { RefString } from '../../catalog/types.ts';
import { OpenChangeIndex } from '../../policies/conflicts.ts';
import type { OpenChange } from '../../policies/types.ts';
import { writeFileAtomic } from '../../state/jsonLines.ts';

interface Entry {
  title: string;
  head: string;
  /** Entities the change changes or impacts. */
  touched: RefString[];
  /** `owner/repo` as GitHub spells it (absent on files written before it was kept). */
  repository?: string;
  /** The evaluation's risk and decision (absent on older files). */
  risk?: string;
  decision?: string;
  /** Entities the change changes (absent on older files). */
  changed?: RefString[];
  /** Other open pull requests of the repository whose impact overlaps this one's, when it was evaluated. */
  conflicts?: Array<{ number: number; title?: string; refs: RefString[] }>;
}

/** An open pull request as the controller last evaluated it (`listOpenChanges`). */
export interface OpenChangeListing extends Entry {
  repository: string;
  number: number;
}

export const OPEN_CHANGES_DIR = 'open-changes';

/**
 * Every open pull request the controller keeps in the state directory `dir`
 * (read afresh: the files are rewritten atomically), by repository then
 * number. A file cut short by a crash is left out until rewritten.
 */
export async function listOpenChanges(dir: string): Promise<OpenChangeListing[]> {
  const root = path.join(dir, OPEN_CHANGES_DIR);
  const out: OpenChangeListing[] = [];
  const list = (d: string) => fs.readdir(d).catch(() => [] as string[]);
  for (const owner of (await list(root)).sort())
    for (const repo of (await list(path.join(root, owner))).sort()) {
      const files = (await list(path.join(root, owner, repo))).flatMap((n) => (/^(\d+)\.json$/.exec(n) ? [Number(n.slice(0, -5))] : [])).sort((a, b) => a - b);
      for (const number of files) {
        try {
          const entry = JSON.parse(await fs.readFile(path.join(root, owner, repo, `${number}.json`), 'utf8')) as Entry;
          out.push({ ...entry, repository: entry.repository ?? `${owner}/${repo}`, number });
        } catch {
          /* cut short: the next evaluation rewrites it */
        }
      }
    }
  return out;
}

const idOf = (number: number): string => `#${number}`;
const numberOf = (change: OpenChange): number => Number(change.id.slice(1));
const byNumber = (a: OpenChange, b: OpenChange): number => numberOf(a) - numberOf(b);
const openChangeOf = (number: number, e: Entry): OpenChange => ({ id: idOf(number), title: e.title, impacted: e.touched });

/**
 * What each open pull request of a repository changes or impacts, as last
 * evaluated, so an evaluation can report overlaps with the others. One file
 * per pull request (`open-changes/<owner>/<repo>/<number>.json` in the state
 * directory, rewritten atomically), read once. Each is indexed by ref when
 * recorded (OpenChangeIndex), so finding overlaps does not revisit the others.
 */
export class OpenChanges {
  private readonly dir: string;
  /** repository (lower case) -> its open changes, read once per repository. */
  private readonly loaded = new Map<string, Promise<OpenChangeIndex>>();

  constructor(options: { dir: string }) {
    this.dir = path.join(options.dir, OPEN_CHANGES_DIR);
  }

  /** Open changes of the repository other than pull request `except`, by number; findConflicts uses their index. */
  async others(repository: string, except: number): Promise<OpenChange[]> {
    return (await this.load(repository)).list({ except: idOf(except), compare: byNumber });
  }

  async update(repository: string, number: number, entry: Entry): Promise<void> {
    (await this.load(repository)).set(openChangeOf(number, entry));
    await fs.mkdir(this.repoDir(repository), { recursive: true });
    await writeFileAtomic(this.file(repository, number), JSON.stringify(entry));
  }

  async remove(repository: string, number: number): Promise<void> {
    if (!(await this.load(repository)).delete(idOf(number))) return;
    await fs.rm(this.file(repository, number), { force: true });
  }

  private repoDir(repository: string): string {
    return path.join(this.dir, ...repository.toLowerCase().split('/').map((s) => s.replace(/[^a-z0-9._-]/g, '_')));
  }

  private file(repository: string, number: number): string {
    return path.join(this.repoDir(repository), `${number}.json`);
  }

  private load(repository: string): Promise<OpenChangeIndex> {
    const key = repository.toLowerCase();
    let loading = this.loaded.get(key);
    if (!loading) {
      loading = this.read(repository);
      this.loaded.set(key, loading);
    }
    return loading;
  }

  private async read(repository: string): Promise<OpenChangeIndex> {
    const index = new OpenChangeIndex();
    let names: string[] = [];
    try {
      names = await fs.readdir(this.repoDir(repository));
    } catch {
      return index;
    }
    for (const name of names) {
      const m = /^(\d+)\.json$/.exec(name);
      if (!m) continue;
      try {
        const entry = JSON.parse(await fs.readFile(path.join(this.repoDir(repository), name), 'utf8')) as Entry;
        index.set(openChangeOf(Number(m[1]), entry));
      } catch {
        /* a file cut short by a crash: the next evaluation of that pull request rewrites it */
      }
    }
    return index;
  }
}
