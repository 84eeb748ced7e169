import { describe, expect, it } from 'vitest';
import type { ReviewInfo } from '../../controller/github/GitHubApi.ts';
import { approvalsFromReviews } from '../../controller/github/reviews.ts';

const HEAD = 'a'.repeat(40);
const OLD = 'b'.repeat(40);
let id = 0;
const review = (login: string, state: string, commitId = HEAD, submittedAt = `2026-03-0${(id % 9) + 1}T10:00:00Z`): ReviewInfo => ({ id: ++id, login, state, commitId, submittedAt });

describe('approvals from reviews', () => {
  it('counts an approval on the head commit', () => {
    expect(approvalsFromReviews({ reviews: [review('carol', 'APPROVED')], head: HEAD }).approvedBy).toEqual(['carol']);
  });

  it('does not count an approval of an older commit (a push made it stale)', () => {
    expect(approvalsFromReviews({ reviews: [review('carol', 'APPROVED', OLD)], head: HEAD }).approvedBy).toEqual([]);
  });

  it('counts the latest verdict per reviewer: a later request for changes or a dismissal withdraws an approval', () => {
    const reviews = [review('carol', 'APPROVED'), review('carol', 'CHANGES_REQUESTED'), review('erin', 'APPROVED'), review('erin', 'DISMISSED')];
    expect(approvalsFromReviews({ reviews, head: HEAD }).approvedBy).toEqual([]);
  });

  it('lets a later approval replace a request for changes', () => {
    expect(approvalsFromReviews({ reviews: [review('carol', 'CHANGES_REQUESTED'), review('carol', 'APPROVED')], head: HEAD }).approvedBy).toEqual(['carol']);
  });

  it('keeps an approval after a comment-only review, as GitHub does', () => {
    expect(approvalsFromReviews({ reviews: [review('carol', 'APPROVED'), review('carol', 'COMMENTED')], head: HEAD }).approvedBy).toEqual(['carol']);
  });

  it('uses the latest approval only when it is on the head: approving an old commit after the head does not count', () => {
    expect(approvalsFromReviews({ reviews: [review('carol', 'APPROVED', HEAD), review('carol', 'APPROVED', OLD)], head: HEAD }).approvedBy).toEqual([]);
  });

  it('never counts the author (logins compare without case) nor deleted users', () => {
    const reviews = [review('Anguyen', 'APPROVED'), { id: 99, state: 'APPROVED', commitId: HEAD }, review('erin', 'APPROVED')];
    expect(approvalsFromReviews({ reviews, head: HEAD, author: 'anguyen' }).approvedBy).toEqual(['erin']);
  });

  it('treats logins case-insensitively per reviewer and reports when the last counted approval was given', () => {
    const reviews = [review('Carol', 'APPROVED', HEAD, '2026-03-04T09:00:00Z'), review('erin', 'APPROVED', HEAD, '2026-03-04T10:15:00Z'), review('carol', 'CHANGES_REQUESTED', HEAD, '2026-03-04T11:00:00Z')];
    expect(approvalsFromReviews({ reviews, head: HEAD })).toEqual({ approvedBy: ['erin'], lastApprovedAt: '2026-03-04T10:15:00Z' });
  });
});
