/** Small incident records for the IncidentStore tests (contract, restart, CLI). */
import type { Incident, IncidentState, Notification, Problem, Signal } from '../../state/IncidentRecords.ts';

export const signal = (fingerprint: string, over: Partial<Signal> = {}): Signal => ({
  fingerprint,
  ref: 'component:default/db',
  source: 'kubernetes',
  kind: 'unhealthy',
  message: `${fingerprint} is unhealthy`,
  firstSeen: '2026-03-03T10:00:00Z',
  lastSeen: '2026-03-03T10:00:30Z',
  state: 'firing',
  ...over,
});

export const incident = (n: number, over: Partial<Incident> = {}): Incident => ({
  id: `INC-${n}`,
  state: 'open' as IncidentState,
  title: `component:default/db is unhealthy (${n})`,
  severity: 'high',
  root: 'component:default/db',
  signals: [`fp-${n}`],
  correlated: [],
  impacted: [{ ref: 'component:default/api', distance: 1, criticality: 'high' }],
  impactedCount: 1,
  probableCauses: [],
  runbooks: [],
  openedAt: `2026-03-03T10:${String(n % 60).padStart(2, '0')}:00Z`,
  timeline: [{ at: `2026-03-03T10:${String(n % 60).padStart(2, '0')}:00Z`, type: 'opened', by: 'cmdb', message: 'opened' }],
  revision: 1,
  ...over,
});

export const problem = (n: number, over: Partial<Problem> = {}): Problem => ({
  id: `PRB-${n}`,
  state: 'open',
  title: `component:default/db unhealthy again (${n})`,
  key: 'component:default/db unhealthy',
  root: 'component:default/db',
  kind: 'unhealthy',
  incidents: [],
  openedAt: `2026-03-04T10:${String(n % 60).padStart(2, '0')}:00Z`,
  updatedAt: `2026-03-04T10:${String(n % 60).padStart(2, '0')}:00Z`,
  timeline: [],
  revision: 1,
  ...over,
});

export const notification = (id: string, createdAt = '2026-03-03T10:00:00Z', over: Partial<Notification> = {}): Notification => ({
  id,
  target: 'webhook:ops',
  event: 'incident.opened',
  incident: 'INC-1',
  revision: 1,
  createdAt,
  attempts: 0,
  nextAttemptAt: createdAt,
  ...over,
});
