import type { GitHubApi, RepoRef } from './GitHubApi.ts';
import { isStickyComment } from './comment.ts';

export type StickyOutcome = { action: 'created' | 'updated' | 'unchanged'; id: number; duplicatesRemoved: number };

/**
 * Makes the pull request carry exactly one controller comment with `body`:
 * finds it by its hidden marker and edits it in place (nothing is sent when
 * it already reads `body`), or creates it. Should duplicates exist (e.g. two
 * controllers raced), the oldest is kept and the later ones by the same
 * author are deleted.
 */
export async function upsertStickyComment(api: GitHubApi, repo: RepoRef, number: number, body: string): Promise<StickyOutcome> {
  const ours = (await api.listComments(repo, number)).filter((c) => isStickyComment(c.body));
  if (ours.length === 0) return { action: 'created', id: (await api.createComment(repo, number, body)).id, duplicatesRemoved: 0 };
  const [keep, ...rest] = ours;
  const duplicates = rest.filter((c) => c.login === keep.login);
  for (const d of duplicates) await api.deleteComment(repo, d.id);
  if (keep.body === body) return { action: 'unchanged', id: keep.id, duplicatesRemoved: duplicates.length };
  await api.updateComment(repo, keep.id, body);
  return { action: 'updated', id: keep.id, duplicatesRemoved: duplicates.length };
}
