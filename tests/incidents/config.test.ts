import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../catalog/config.ts';
import { parseIncidentSettings } from '../../incidents/config.ts';
import { parseDuration } from '../../incidents/duration.ts';
import { DEFAULT_INCIDENT_SETTINGS } from '../../incidents/types.ts';

const read = (text: string) => {
  const { config, violations } = parseConfig(text);
  expect(violations).toEqual([]);
  return parseIncidentSettings(config);
};
/** `line:column message` of each violation. */
const where = (text: string) => read(text).violations.map((v) => `${v.file}:${v.line}:${v.column} ${v.message}`);

describe('durations', () => {
  it('are whole numbers with ms, s, m, h, d or w, one or several', () => {
    expect([parseDuration('500ms'), parseDuration('30s'), parseDuration('2m'), parseDuration('1h'), parseDuration('7d'), parseDuration('2w'), parseDuration('1h30m'), parseDuration('0s')]).toEqual([
      500, 30_000, 120_000, 3_600_000, 604_800_000, 1_209_600_000, 5_400_000, 0,
    ]);
  });

  it('refuse anything else', () => {
    for (const text of ['30', '1.5m', '-1s', ' 30s', '30 s', '30S', 's', '', '2y', '1m 30s', '99999999999999999999d']) expect(parseDuration(text), text).toBeUndefined();
  });
});

describe('the incidents section of cmdb.yaml', () => {
  it('is optional: the defaults stand', () => {
    expect(read('include: ["**/*.yaml"]\n')).toEqual({ settings: DEFAULT_INCIDENT_SETTINGS, violations: [] });
    expect(read('incidents:\n')).toEqual({ settings: DEFAULT_INCIDENT_SETTINGS, violations: [] });
  });

  it('reads every setting', () => {
    const { settings, violations } = read(`
incidents:
  for: 45s
  resolveAfter: 5m
  reopenWithin: 1h
  correlation: {window: 3m, depth: 4}
  problems: {count: 5, period: 14d}
  probableCause: {lookBack: 2d}
  alerts:
    labels:
      - {label: service, ref: 'component:{value}'}
      - {label: namespace_app, ref: 'shop/{value}'}
  notify:
    webhooks:
      - name: chat
        url: https://hooks.example.com/cmdb
        secretEnv: CHAT_WEBHOOK_SECRET
        events: [incident.opened, incident.resolved]
      - {name: pager, url: 'http://pager.internal:8080/hook'}
    githubIssues: true
`);
    expect(violations).toEqual([]);
    expect(settings).toEqual({
      forMs: 45_000,
      resolveAfterMs: 300_000,
      reopenWithinMs: 3_600_000,
      correlation: { windowMs: 180_000, depth: 4 },
      problems: { count: 5, periodMs: 14 * 86_400_000 },
      lookBackMs: 2 * 86_400_000,
      alerts: { labels: [{ label: 'service', ref: 'component:{value}' }, { label: 'namespace_app', ref: 'shop/{value}' }] },
      notify: {
        webhooks: [
          { name: 'chat', url: 'https://hooks.example.com/cmdb', secretEnv: 'CHAT_WEBHOOK_SECRET', events: ['incident.opened', 'incident.resolved'] },
          { name: 'pager', url: 'http://pager.internal:8080/hook', events: ['incident.opened', 'incident.updated', 'incident.resolved'] },
        ],
        githubIssues: true,
      },
    });
  });

  it('takes reopenWithin from the correlation window when it is not set', () => {
    expect(read('incidents:\n  correlation: {window: 10m}\n').settings).toMatchObject({ reopenWithinMs: 600_000, correlation: { windowMs: 600_000, depth: 3 } });
  });

  it('reports a bad duration at the line and column of its setting, keeping the default', () => {
    const text = 'incidents:\n  for: 30\n  resolveAfter: 1.5m\n  problems:\n    count: 3\n    period: 7 days\n  probableCause: {lookBack: 0d}\n';
    expect(where(text)).toEqual([
      'cmdb.yaml:2:3 incidents.for must be a duration such as 30s, 2m, 1h30m or 7d (whole numbers with ms, s, m, h, d or w), not 30',
      'cmdb.yaml:3:3 incidents.resolveAfter must be a duration such as 30s, 2m, 1h30m or 7d (whole numbers with ms, s, m, h, d or w), not "1.5m"',
      'cmdb.yaml:6:5 incidents.problems.period must be a duration such as 30s, 2m, 1h30m or 7d (whole numbers with ms, s, m, h, d or w), not "7 days"',
      'cmdb.yaml:7:19 incidents.probableCause.lookBack must be longer than 0',
    ]);
    const { settings, violations } = read(text);
    expect(violations.every((v) => v.rule === 'config' && v.severity === 'error')).toBe(true);
    expect(settings).toEqual({ ...DEFAULT_INCIDENT_SETTINGS, problems: { count: 3, periodMs: DEFAULT_INCIDENT_SETTINGS.problems.periodMs } });
  });

  it('reports numbers out of range, unknown settings and wrong shapes where they are', () => {
    expect(
      where(`incidents:
  for: 30s
  forr: 1m
  correlation: {window: 2m, depth: 0}
  problems: {count: three}
  probableCause: 7d
  notify:
    githubIssues: yes
`),
    ).toEqual([
      'cmdb.yaml:3:3 incidents.forr is not a setting (for, resolveAfter, reopenWithin, correlation, problems, probableCause, alerts, notify)',
      'cmdb.yaml:6:3 incidents.probableCause must be a mapping (lookBack)',
      'cmdb.yaml:4:29 incidents.correlation.depth must be a whole number from 1 to 10, not 0',
      'cmdb.yaml:5:14 incidents.problems.count must be a whole number at least 1, not "three"',
      'cmdb.yaml:8:5 incidents.notify.githubIssues must be true or false, not "yes"',
    ]);
    expect(where('incidents: [for]\n')).toEqual(['cmdb.yaml:1:1 incidents must be a mapping (for, resolveAfter, reopenWithin, correlation, problems, probableCause, alerts, notify)']);
  });

  it('leaves out a bad label rule, naming what is wrong with it', () => {
    const { settings, violations } = read(`incidents:
  alerts:
    labels:
      - {label: service, ref: 'component:{value}'}
      - {label: service, ref: 'component:api'}
      - {label: 'bad-label', ref: '{value}'}
      - {label: app, ref: 'component:{value}', priority: 1}
      - {label: team, ref: ':{value}'}
      - service
`);
    expect(settings.alerts.labels).toEqual([{ label: 'service', ref: 'component:{value}' }]);
    expect(violations.map((v) => `${v.line}:${v.column} ${v.message}`)).toEqual([
      "5:26 incidents.alerts.labels[1].ref must be a ref template with {value}, as in 'component:{value}'",
      '6:10 incidents.alerts.labels[2].label must be an alert label name, as in service',
      '7:48 incidents.alerts.labels[3].priority is not a setting (label, ref)',
      expect.stringMatching(/^8:23 incidents\.alerts\.labels\[4\]\.ref is not a ref template: /),
      "9:9 incidents.alerts.labels[5] must be a mapping {label, ref}, as in {label: service, ref: 'component:{value}'}",
    ]);
  });

  it('leaves out a bad webhook, naming what is wrong with it', () => {
    const { settings, violations } = read(`incidents:
  notify:
    webhooks:
      - {name: chat, url: 'https://hooks.example.com/a'}
      - {name: chat, url: 'https://hooks.example.com/b'}
      - {name: ftp, url: 'ftp://files.example.com/'}
      - {name: odd, url: 'https://x.example.com', secretEnv: 'not a var', events: [incident.opened, incident.closed]}
      - {url: 'https://x.example.com'}
      - {name: none, url: 'https://x.example.com', events: []}
`);
    expect(settings.notify.webhooks.map((w) => w.name)).toEqual(['chat']);
    expect(violations.map((v) => `${v.line}:${v.column} ${v.message}`)).toEqual([
      '5:10 incidents.notify.webhooks[1].name repeats the name "chat": each webhook needs its own',
      '6:21 incidents.notify.webhooks[2].url must be an http or https URL',
      '7:51 incidents.notify.webhooks[3].secretEnv must be the name of an environment variable, as in CMDB_WEBHOOK_SECRET',
      '7:101 incidents.notify.webhooks[3].events[1] must be one of incident.opened, incident.updated, incident.resolved, not "incident.closed"',
      '8:9 incidents.notify.webhooks[4].name must be a non-empty string',
      '9:52 incidents.notify.webhooks[5].events must be a non-empty list of incident.opened, incident.updated, incident.resolved',
    ]);
  });
});

describe('the example of docs/incidents.md', () => {
  it('is valid and means what the comments say', () => {
    const doc = readFileSync(path.join(import.meta.dirname, '../../docs/incidents.md'), 'utf8');
    const block = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.startsWith('incidents:'));
    expect(block).toBeDefined();
    const { settings, violations } = read(block!);
    expect(violations).toEqual([]);
    expect(settings).toEqual({
      ...DEFAULT_INCIDENT_SETTINGS,
      alerts: { labels: [{ label: 'service', ref: 'component:{value}' }] },
      notify: { webhooks: [{ name: 'chat', url: 'https://hooks.example.com/cmdb', secretEnv: 'CHAT_WEBHOOK_SECRET', events: ['incident.opened', 'incident.resolved'] }], githubIssues: false },
    });
  });
});
