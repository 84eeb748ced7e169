import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchesRefQuery, parseRefQuery } from '../../catalog/refQuery.ts';
import { refOfAlert, signalsOfAlerts } from '../../incidents/alertmanager.ts';
import { parseAlertmanagerPayload, type AlertmanagerPayload } from '../../incidents/alertmanagerPayload.ts';
import type { RefResolver } from '../../incidents/types.ts';

/** Payloads in the documented version 4 format (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(import.meta.dirname, '../fixtures/alertmanager', name), 'utf8'));
const NOW = '2026-12-03T00:00:00.000Z';
const RULES = [{ label: 'service', ref: 'component:{value}' }];

/** The rule of catalog/refQuery.ts over a list of refs: a full or kind:name ref that exists, else the one entity that matches. */
function resolverOf(refs: string[]): RefResolver {
  return (typed) => {
    const parsed = parseRefQuery(typed);
    if (!parsed.ok) return undefined;
    if (parsed.query.direct !== undefined && refs.includes(parsed.query.direct)) return parsed.query.direct;
    const matching = parsed.query.exact ? [] : refs.filter((r) => matchesRefQuery(parsed.query, r));
    return matching.length === 1 ? matching[0] : undefined;
  };
}
const CATALOG = resolverOf(['component:default/api', 'component:shop/checkout', 'component:shop/api-gateway', 'component:eu/search', 'component:us/search']);

function valid(body: unknown): AlertmanagerPayload {
  const parsed = parseAlertmanagerPayload(body);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.payload;
}

describe('Alertmanager payloads as signals', () => {
  it('the documented firing payload fires one signal per alert: by label rule, by cmdb_ref, and unmapped', () => {
    const reports = signalsOfAlerts(valid(fixture('firing.json')), { rules: RULES, resolve: CATALOG, now: NOW });
    expect(reports).toEqual([
      {
        type: 'fire',
        at: '2026-12-02T23:10:26.739Z',
        signal: {
          fingerprint: 'alertmanager|component:default/api|alert|HighErrorRate',
          ref: 'component:default/api',
          source: 'alertmanager',
          kind: 'alert',
          field: 'HighErrorRate',
          message: 'More than 5% of requests fail',
          labels: { alertname: 'HighErrorRate', instance: '10.0.0.11:8080', job: 'api', service: 'api', severity: 'critical' },
        },
      },
      {
        type: 'fire',
        at: '2026-12-02T23:11:02.104Z',
        signal: expect.objectContaining({ fingerprint: 'alertmanager|component:shop/checkout|alert|HighErrorRate', ref: 'component:shop/checkout' }),
      },
      {
        type: 'fire',
        at: '2026-12-02T23:11:32.500Z',
        signal: {
          fingerprint: 'alertmanager|-|alert|HighErrorRate|93d0a6e5c2b17f44',
          source: 'alertmanager',
          kind: 'alert',
          field: 'HighErrorRate',
          message: 'More than 5% of requests fail',
          labels: { alertname: 'HighErrorRate', instance: '10.0.0.13:8080', job: 'api', severity: 'critical' },
        },
      },
    ]);
  });

  it('the documented resolved payload clears the same fingerprints, at each alert end', () => {
    const reports = signalsOfAlerts(valid(fixture('resolved.json')), { rules: RULES, resolve: CATALOG, now: NOW });
    expect(reports).toEqual([
      { type: 'clear', fingerprint: 'alertmanager|component:default/api|alert|HighErrorRate', at: '2026-12-02T23:20:11.010Z' },
      { type: 'clear', fingerprint: 'alertmanager|component:shop/checkout|alert|HighErrorRate', at: '2026-12-02T23:20:11.010Z' },
      { type: 'clear', fingerprint: 'alertmanager|-|alert|HighErrorRate|93d0a6e5c2b17f44', at: '2026-12-02T23:20:41.300Z' },
    ]);
  });

  it('maps by cmdb_ref first, resolved like a typed ref, then by the label rules in order', () => {
    const rules = [...RULES, { label: 'app', ref: 'shop/{value}' }];
    const map = (labels: Record<string, string>) => refOfAlert(labels, { rules, resolve: CATALOG });
    expect(map({ cmdb_ref: 'component:shop/checkout', service: 'api' })).toBe('component:shop/checkout');
    expect(map({ cmdb_ref: 'checkout', service: 'api' })).toBe('component:shop/checkout');
    expect(map({ cmdb_ref: 'no-such-thing', service: 'api' })).toBe('component:default/api');
    expect(map({ service: 'checkout' })).toBe('component:shop/checkout');
    expect(map({ service: 'nope', app: 'api-gateway' })).toBe('component:shop/api-gateway');
    expect(map({ cmdb_ref: 'search' })).toBeUndefined(); // two entities are called search
    expect(map({ job: 'api' })).toBeUndefined();
  });

  it('without a resolver (no catalog served yet) only full refs map', () => {
    expect(refOfAlert({ cmdb_ref: 'component:shop/checkout' }, { rules: RULES })).toBe('component:shop/checkout');
    expect(refOfAlert({ cmdb_ref: 'checkout', service: 'api' }, { rules: RULES })).toBeUndefined();
    expect(refOfAlert({ service: 'api' }, { rules: [{ label: 'service', ref: 'component:default/{value}' }] })).toBe('component:default/api');
  });

  it('alerts of one name on one entity are one signal: it fires while any fires and clears when all are resolved', () => {
    const alert = (instance: string, status: 'firing' | 'resolved', startsAt: string, endsAt = '0001-01-01T00:00:00Z') => ({ status, labels: { alertname: 'PodCrashLooping', service: 'api', instance }, annotations: {}, startsAt, endsAt });
    const mixed = valid({ version: '4', status: 'firing', alerts: [alert('a', 'resolved', '2026-12-02T22:00:00Z', '2026-12-02T23:00:00Z'), alert('b', 'firing', '2026-12-02T23:30:00Z'), alert('c', 'firing', '2026-12-02T23:20:00Z')] });
    expect(signalsOfAlerts(mixed, { rules: RULES, resolve: CATALOG, now: NOW })).toEqual([
      {
        type: 'fire',
        at: '2026-12-02T23:20:00.000Z',
        signal: { fingerprint: 'alertmanager|component:default/api|alert|PodCrashLooping', ref: 'component:default/api', source: 'alertmanager', kind: 'alert', field: 'PodCrashLooping', message: 'alert PodCrashLooping is firing', labels: { alertname: 'PodCrashLooping', service: 'api', instance: 'c' } },
      },
    ]);
    const resolved = valid({ version: '4', status: 'resolved', alerts: [alert('a', 'resolved', '2026-12-02T22:00:00Z', '2026-12-02T23:40:00Z'), alert('b', 'resolved', '2026-12-02T22:00:00Z', '2026-12-02T23:50:00Z')] });
    expect(signalsOfAlerts(resolved, { rules: RULES, resolve: CATALOG, now: NOW })).toEqual([{ type: 'clear', fingerprint: 'alertmanager|component:default/api|alert|PodCrashLooping', at: '2026-12-02T23:50:00.000Z' }]);
  });

  it('takes the time of a report from startsAt or endsAt only when it is sane, else now', () => {
    const at = (startsAt: string) => signalsOfAlerts(valid({ version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'X', service: 'api' }, startsAt }] }), { rules: RULES, resolve: CATALOG, now: NOW })[0].at;
    expect(at('2026-12-02T23:59:59+00:00')).toBe('2026-12-02T23:59:59.000Z');
    expect(at('2026-12-03T00:05:00Z')).toBe(NOW); // in the future: a skewed clock
    expect(at('0001-01-01T00:00:00Z')).toBe(NOW); // Go's zero time
    expect(at('yesterday')).toBe(NOW);
    const cleared = signalsOfAlerts(valid({ version: '4', status: 'resolved', alerts: [{ status: 'resolved', labels: { alertname: 'X' } }] }), { rules: RULES, now: NOW });
    expect(cleared[0].at).toBe(NOW);
  });

  it('an unmapped alert without a fingerprint (an older Alertmanager) is told apart by its labels', () => {
    const fire = (labels: Record<string, string>) => signalsOfAlerts(valid({ version: '4', status: 'firing', alerts: [{ status: 'firing', labels }] }), { rules: RULES, resolve: CATALOG, now: NOW })[0];
    const a = fire({ alertname: 'DiskFull', instance: 'host-a' });
    const b = fire({ alertname: 'DiskFull', instance: 'host-b' });
    expect(a.type === 'fire' && a.signal.fingerprint).toMatch(/^alertmanager\|-\|alert\|DiskFull\|[0-9a-f]{16}$/);
    expect(a.type === 'fire' && a.signal.fingerprint).not.toBe(b.type === 'fire' && b.signal.fingerprint);
    expect(fire({ instance: 'host-a', alertname: 'DiskFull' })).toEqual(a);
  });
});

describe('malformed payloads', () => {
  const problem = (body: unknown) => {
    const parsed = parseAlertmanagerPayload(body);
    return parsed.ok ? 'valid' : parsed.message;
  };

  it('are refused, naming each problem by its place in the payload', () => {
    expect(problem({ ...(fixture('firing.json') as object), version: '3' })).toBe('not an Alertmanager webhook payload (version 4): /version is "3"; this receiver takes version "4"');
    expect(problem({ version: '4', status: 'firing' })).toBe('not an Alertmanager webhook payload (version 4): (the payload) missing required field "alerts"');
    expect(problem({ version: '4', status: 'pending', alerts: [{ status: 'firing', labels: { alertname: 'X', replicas: 3 } }, 'alert', { status: 'firing', labels: {} }] })).toBe(
      'not an Alertmanager webhook payload (version 4): /status must be one of firing, resolved; /alerts/0/labels/replicas must be a string, not the number 3 (put it in quotes); /alerts/1 must be a map, not a string; /alerts/2/labels must have at least 1 field',
    );
    expect(problem([])).toBe("not an Alertmanager webhook payload (version 4): (the payload) must be a map, not a list");
  });

  it('accept fields a later Alertmanager may add', () => {
    expect(problem({ version: '4', status: 'firing', alerts: [], somethingNew: true })).toBe('valid');
  });
});
