import type { CommitInfo } from '../catalog/git/GitReader.ts';
import type { GitImplementation } from '../catalog/git/openRepo.ts';
import { openRepo } from '../catalog/git/openRepo.ts';
import type { Snapshot } from '../catalog/types.ts';
import type { AnyStep, ChangeInput, Evaluation, EvaluationContext } from './Evaluation.ts';
import { evaluateChange, STEPS } from './evaluateChange.ts';
import { GraphPool, PooledGraph } from '../graph/GraphPool.ts';
import { MemoCatalogReader } from '../catalog/MemoCatalogReader.ts';

export interface RepoWorkspaceOptions {
  /** The local clone (a bare repository). */
  gitdir: string;
  git?: GitImplementation;
  /** false: parse cache in memory only. */
  cache?: boolean;
  /** The evaluation's steps (default STEPS, the project's evaluation). */
  steps?: readonly AnyStep[];
  /** Called after each evaluation step with its duration (a metric). */
  onStep?: EvaluationContext['onStep'];
  /** Checks of cmdb.yaml sections read above controller/ (`EvaluationContext.configSections`). */
  configSections?: EvaluationContext['configSections'];
}

/**
 * What stays warm for one config repo between deliveries: a catalog reader
 * that remembers recent snapshots (the default branch's pinned) and the graphs
 * of recent commits. Evaluations and syncs of one repository run one at a time.
 */
export class RepoWorkspace {
  readonly gitdir: string;
  private readonly options: RepoWorkspaceOptions;
  private readonly pool = new GraphPool({ keep: 3 });
  private reader?: Promise<MemoCatalogReader>;
  private lock: Promise<unknown> = Promise.resolve();

  constructor(options: RepoWorkspaceOptions) {
    this.options = options;
    this.gitdir = options.gitdir;
  }

  /** Runs the change evaluation on the clone; a step's failure is the decision `internal`, never a throw. */
  evaluate(input: ChangeInput): Promise<Evaluation> {
    const { steps = STEPS, onStep, configSections } = this.options;
    return this.locked(async () => evaluateChange(input, { reader: await this.catalog(), graph: new PooledGraph({ pool: this.pool }), onStep, configSections }, steps));
  }

  /** Moves the default branch's warm snapshot and graph to `commit` (derived from the previous one by the files that changed). */
  follow(commit: string): Promise<Snapshot> {
    return this.locked(async () => {
      const reader = await this.catalog();
      const previous = reader.pinnedSnapshot;
      const snapshot = previous ? await reader.readFrom(previous, commit) : await reader.read(commit);
      reader.pin(snapshot);
      await this.pool.graphFor(snapshot);
      return snapshot;
    });
  }

  /** The commits of `head` not in `base` (`git rev-list base..head`), parents first: a merged pull request's commits, from the clone. */
  async commitsBetween(base: string, head: string): Promise<CommitInfo[]> {
    const { git } = await this.catalog();
    if (!git.commitsBetween) throw new Error(`${git.name} cannot list commits`);
    return git.commitsBetween(base, head);
  }

  /** The snapshot `follow` keeps, if any. */
  async defaultSnapshot(): Promise<Snapshot | undefined> {
    return this.reader ? (await this.reader).pinnedSnapshot : undefined;
  }

  async close(): Promise<void> {
    await this.lock.catch(() => undefined);
    if (this.reader) await (await this.reader).git.close();
  }

  private catalog(): Promise<MemoCatalogReader> {
    if (!this.reader) {
      const opening = openRepo(this.gitdir, this.options.git ?? 'auto').then((git) => new MemoCatalogReader({ git, cache: this.options.cache === false ? false : undefined }));
      opening.catch(() => {
        if (this.reader === opening) this.reader = undefined;
      });
      this.reader = opening;
    }
    return this.reader;
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.catch(() => undefined).then(fn);
    this.lock = next;
    return next;
  }
}
