/**
 * Change records and incidents with known dates, for the KPIs computed by
 * hand (tests/incidents/kpis.test.ts, tests/graph-api/kpis.test.ts).
 *
 * The period is the week [2026-03-01, 2026-03-08) (2026-03-01 is a Sunday).
 * Entities: component:default/api and resource:default/db are part of
 * system:default/shop; component:default/web of system:default/storefront.
 * api is owned by group:default/team-a; web and db by group:default/team-b.
 *
 * | change | source | type      | first commit (else opened) | merged      | lead   | changed |
 * | #1     | PR     | normal    | 03-01 06:00                | 03-01 10:00 | 4 h    | api |
 * | #2     | PR     | emergency | (opened 03-02 09:00)       | 03-02 11:00 | 2 h    | db  |
 * | #3     | PR     | standard  | 03-02 00:00                | 03-03 00:00 | 24 h   | web |
 * | branch | branch | -         | 03-04 10:00                | 03-04 11:00 | 1 h    | api |
 * | #5     | PR     | normal    | 03-05 00:00                | 03-05 08:00 | 8 h    | web |
 * | #6     | PR     | normal    | 02-28 10:00                | 02-28 12:00 | before the period | db |
 * | #7     | PR     | normal    | 03-07 20:00                | 03-08 00:00 | at `to`: excluded | web |
 *
 * | incident | root | opened      | resolved            | causes (ranked)          |
 * | INC-1    | api  | 03-01 12:00 | 03-01 14:00 (2 h)   | #1                       |
 * | INC-2    | db   | 03-02 12:00 | 03-02 13:00 (1 h)   | #2 (dismissed), #6       |
 * | INC-3    | web  | 03-05 09:00 | acknowledged        | #5                       |
 * | INC-4    | api  | 03-04 12:00 | 03-04 16:00 (4 h)   | branch, #1               |
 * | INC-5    | api  | 03-06 00:00 | 03-06 06:00 (6 h)   | #1                       |
 * | INC-6    | none | 03-07 00:00 | 03-07 00:30 (30 min)| none                     |
 * | INC-7    | web  | 03-08 02:00 | 03-08 03:00 (after the period) | #3            |
 */
import type { RefString } from '../../core/types.ts';
import type { ChangeRecord, PullRequestChangeRecord } from '../../state/ChangeRecord.ts';
import type { Incident, ProbableCause } from '../../state/IncidentRecords.ts';

export const FROM = '2026-03-01T00:00:00.000Z';
export const TO = '2026-03-08T00:00:00.000Z';

export const API = 'component:default/api';
export const WEB = 'component:default/web';
export const DB = 'resource:default/db';
export const SHOP = 'system:default/shop';
export const STOREFRONT = 'system:default/storefront';
export const TEAM_A = 'group:default/team-a';
export const TEAM_B = 'group:default/team-b';

export const SYSTEM_OF: Record<RefString, RefString> = { [API]: SHOP, [DB]: SHOP, [WEB]: STOREFRONT };
export const OWNER_OF: Record<RefString, RefString> = { [API]: TEAM_A, [WEB]: TEAM_B, [DB]: TEAM_B };

const sha = (n: number) => String(n).repeat(40).slice(0, 40);

function pr(n: number, o: { changeType: PullRequestChangeRecord['changeType']; openedAt: string; firstCommitAt?: string; mergedAt: string; changed: RefString }): PullRequestChangeRecord {
  return {
    id: `acme/config#${n}`,
    repository: 'acme/config',
    source: 'pull-request',
    number: n,
    title: `change ${n}`,
    author: 'ann',
    url: `https://github.com/acme/config/pull/${n}`,
    commits: [sha(n)],
    ...(o.firstCommitAt ? { firstCommitAt: o.firstCommitAt } : {}),
    base: sha(0),
    head: sha(n),
    mergeCommit: sha(n),
    mergedAt: o.mergedAt,
    changed: [o.changed],
    impacted: [],
    recordedAt: o.mergedAt,
    risk: o.changeType === 'emergency' ? 'high' : 'low',
    changeType: o.changeType,
    decision: 'pass',
    openedAt: o.openedAt,
    approvedAt: null,
    approvedBy: n === 1 ? ['bob'] : [],
  };
}

export const BRANCH_ID = `branch:${sha(3)}..${sha(4)}`;

export const CHANGES: ChangeRecord[] = [
  pr(1, { changeType: 'normal', openedAt: '2026-03-01T08:00:00Z', firstCommitAt: '2026-03-01T06:00:00Z', mergedAt: '2026-03-01T10:00:00Z', changed: API }),
  pr(2, { changeType: 'emergency', openedAt: '2026-03-02T09:00:00Z', mergedAt: '2026-03-02T11:00:00Z', changed: DB }),
  pr(3, { changeType: 'standard', openedAt: '2026-03-02T01:00:00Z', firstCommitAt: '2026-03-02T00:00:00Z', mergedAt: '2026-03-03T00:00:00Z', changed: WEB }),
  {
    id: BRANCH_ID,
    repository: 'local',
    source: 'branch',
    title: 'move the api',
    author: 'Ann <ann@example.com>',
    commits: [sha(4)],
    firstCommitAt: '2026-03-04T10:00:00Z',
    base: sha(3),
    head: sha(4),
    mergeCommit: sha(4),
    mergedAt: '2026-03-04T11:00:00Z',
    changed: [API],
    impacted: [WEB],
    recordedAt: '2026-03-04T11:00:01Z',
  },
  pr(5, { changeType: 'normal', openedAt: '2026-03-05T01:00:00Z', firstCommitAt: '2026-03-05T00:00:00Z', mergedAt: '2026-03-05T08:00:00Z', changed: WEB }),
  pr(6, { changeType: 'normal', openedAt: '2026-02-28T11:00:00Z', firstCommitAt: '2026-02-28T10:00:00Z', mergedAt: '2026-02-28T12:00:00Z', changed: DB }),
  pr(7, { changeType: 'normal', openedAt: '2026-03-07T21:00:00Z', firstCommitAt: '2026-03-07T20:00:00Z', mergedAt: '2026-03-08T00:00:00Z', changed: WEB }),
];

const byId = new Map(CHANGES.map((c) => [c.id, c]));

function cause(id: string, dismissed = false): ProbableCause {
  const c = byId.get(id)!;
  return {
    change: { id, ...(c.number ? { number: c.number } : {}), commits: c.commits ?? [], title: c.title, recordedAt: c.recordedAt },
    reason: `changed the root ${c.changed[0]}`,
    ...(dismissed ? { dismissed: { by: 'carol', at: '2026-03-02T12:30:00Z', note: 'not it' } } : {}),
  };
}

function incident(n: number, o: { root: RefString | null; openedAt: string; resolvedAt?: string; state?: Incident['state']; causes: ProbableCause[] }): Incident {
  const state = o.state ?? (o.resolvedAt ? 'resolved' : 'open');
  return {
    id: `INC-${n}`,
    state,
    title: `incident ${n}`,
    severity: 'high',
    root: o.root,
    signals: [],
    correlated: [],
    impacted: [],
    impactedCount: 0,
    probableCauses: o.causes,
    runbooks: [],
    openedAt: o.openedAt,
    ...(state === 'acknowledged' ? { acknowledgedAt: o.openedAt } : {}),
    ...(o.resolvedAt ? { resolvedAt: o.resolvedAt } : {}),
    timeline: [{ at: o.openedAt, type: 'opened', by: 'cmdb', message: 'opened' }],
    revision: 1,
  };
}

export const INCIDENTS: Incident[] = [
  incident(1, { root: API, openedAt: '2026-03-01T12:00:00Z', resolvedAt: '2026-03-01T14:00:00Z', causes: [cause('acme/config#1')] }),
  incident(2, { root: DB, openedAt: '2026-03-02T12:00:00Z', resolvedAt: '2026-03-02T13:00:00Z', causes: [cause('acme/config#2', true), cause('acme/config#6')] }),
  incident(3, { root: WEB, openedAt: '2026-03-05T09:00:00Z', state: 'acknowledged', causes: [cause('acme/config#5')] }),
  incident(4, { root: API, openedAt: '2026-03-04T12:00:00Z', resolvedAt: '2026-03-04T16:00:00Z', causes: [cause(BRANCH_ID), cause('acme/config#1')] }),
  incident(5, { root: API, openedAt: '2026-03-06T00:00:00Z', resolvedAt: '2026-03-06T06:00:00Z', causes: [cause('acme/config#1')] }),
  incident(6, { root: null, openedAt: '2026-03-07T00:00:00Z', resolvedAt: '2026-03-07T00:30:00Z', causes: [] }),
  incident(7, { root: WEB, openedAt: '2026-03-08T02:00:00Z', resolvedAt: '2026-03-08T03:00:00Z', causes: [cause('acme/config#3')] }),
];
