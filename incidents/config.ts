import { CONFIG_FILE, configPosition, type CatalogConfig } from '../catalog/config.ts';
import { parseRefQuery } from '../catalog/refQuery.ts';
import type { Violation } from '../catalog/types.ts';
import { escapePointer } from '../catalog/yamlPositions.ts';
import { DURATION_HINT, parseDuration } from './duration.ts';
import { DEFAULT_INCIDENT_SETTINGS, type AlertLabelRule, type IncidentSettings, type WebhookNotifier } from './types.ts';

/**
 * The `incidents` section of cmdb.yaml (every key optional; defaults in
 * `DEFAULT_INCIDENT_SETTINGS`):
 *
 * ```yaml
 * incidents:
 *   for: 30s                  # how long a signal lasts before it opens an incident
 *   resolveAfter: 1m          # how long all its signals stay clear before it resolves
 *   reopenWithin: 2m          # default: correlation.window
 *   correlation: {window: 2m, depth: 3}
 *   problems: {count: 3, period: 7d}
 *   probableCause: {lookBack: 7d}
 *   alerts:
 *     labels: [{label: service, ref: 'component:{value}'}]
 *   notify:
 *     webhooks: [{name: chat, url: 'https://hooks.example.com/cmdb', secretEnv: CHAT_SECRET, events: [incident.opened]}]
 *     githubIssues: true
 * ```
 */
export const INCIDENTS_SECTION = 'incidents';

type Path = Array<string | number>;
type Problem = (path: Path, message: string) => void;

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const EVENTS: WebhookNotifier['events'] = ['incident.opened', 'incident.updated', 'incident.resolved'];
const MAX_DEPTH = 10;

/**
 * Reads `incidents` from cmdb.yaml's parsed document. Every problem is a
 * `config` violation at the file, line and column of the offending setting,
 * and that setting keeps its default (a bad label rule or webhook is left
 * out). Never throws.
 */
export function parseIncidentSettings(
  cmdb: Pick<CatalogConfig, 'raw'> & Partial<Pick<CatalogConfig, 'positions'>>,
  file = CONFIG_FILE,
): { settings: IncidentSettings; violations: Violation[] } {
  const violations: Violation[] = [];
  const problem: Problem = (path, message) => {
    const pointer = [INCIDENTS_SECTION, ...path].map((s) => `/${escapePointer(String(s))}`).join('');
    const [line, column] = configPosition(cmdb, pointer);
    const dotted = [INCIDENTS_SECTION, ...path].map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').slice(1);
    violations.push({ rule: 'config', severity: 'error', message: `${dotted} ${message}`, file, line, column });
  };
  const d = DEFAULT_INCIDENT_SETTINGS;
  const section = cmdb.raw[INCIDENTS_SECTION];
  if (section === undefined || section === null) return { settings: d, violations };
  if (!isRecord(section)) {
    problem([], 'must be a mapping (for, resolveAfter, reopenWithin, correlation, problems, probableCause, alerts, notify)');
    return { settings: d, violations };
  }
  onlyKeys(section, ['for', 'resolveAfter', 'reopenWithin', 'correlation', 'problems', 'probableCause', 'alerts', 'notify'], [], problem);
  const correlation = mapping(section, 'correlation', ['window', 'depth'], problem);
  const problems = mapping(section, 'problems', ['count', 'period'], problem);
  const probableCause = mapping(section, 'probableCause', ['lookBack'], problem);
  const windowMs = duration(correlation.window, ['correlation', 'window'], d.correlation.windowMs, problem);
  const settings: IncidentSettings = {
    forMs: duration(section.for, ['for'], d.forMs, problem),
    resolveAfterMs: duration(section.resolveAfter, ['resolveAfter'], d.resolveAfterMs, problem),
    correlation: { windowMs, depth: integer(correlation.depth, ['correlation', 'depth'], d.correlation.depth, 1, MAX_DEPTH, problem) },
    problems: {
      count: integer(problems.count, ['problems', 'count'], d.problems.count, 1, Number.MAX_SAFE_INTEGER, problem),
      periodMs: duration(problems.period, ['problems', 'period'], d.problems.periodMs, problem, true),
    },
    lookBackMs: duration(probableCause.lookBack, ['probableCause', 'lookBack'], d.lookBackMs, problem, true),
    reopenWithinMs: duration(section.reopenWithin, ['reopenWithin'], windowMs, problem),
    alerts: { labels: labelRules(mapping(section, 'alerts', ['labels'], problem).labels, problem) },
    notify: notify(mapping(section, 'notify', ['webhooks', 'githubIssues'], problem), problem),
  };
  return { settings, violations };
}

function onlyKeys(value: Record<string, unknown>, known: readonly string[], path: Path, problem: Problem): void {
  for (const key of Object.keys(value)) if (!known.includes(key)) problem([...path, key], `is not a setting (${known.join(', ')})`);
}

/** A sub-mapping of the section; `{}` (with a problem) when it is not one. */
function mapping(section: Record<string, unknown>, key: string, known: readonly string[], problem: Problem): Record<string, unknown> {
  const value = section[key];
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    problem([key], `must be a mapping (${known.join(', ')})`);
    return {};
  }
  onlyKeys(value, known, [key], problem);
  return value;
}

function duration(value: unknown, path: Path, fallback: number, problem: Problem, positive = false): number {
  if (value === undefined || value === null) return fallback;
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined) return (problem(path, `must be ${DURATION_HINT}, not ${JSON.stringify(value)}`), fallback);
  if (positive && ms === 0) return (problem(path, 'must be longer than 0'), fallback);
  return ms;
}

function integer(value: unknown, path: Path, fallback: number, min: number, max: number, problem: Problem): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
  return (problem(path, `must be a whole number ${range}, not ${JSON.stringify(value)}`), fallback);
}

function labelRules(value: unknown, problem: Problem): AlertLabelRule[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return (problem(['alerts', 'labels'], "must be a list of {label, ref}, as in [{label: service, ref: 'component:{value}'}]"), []);
  const rules: AlertLabelRule[] = [];
  value.forEach((entry: unknown, i) => {
    const path = ['alerts', 'labels', i];
    if (!isRecord(entry)) return problem(path, "must be a mapping {label, ref}, as in {label: service, ref: 'component:{value}'}");
    let ok = true;
    const bad: Problem = (p, m) => ((ok = false), problem(p, m));
    onlyKeys(entry, ['label', 'ref'], path, bad);
    if (typeof entry.label !== 'string' || !LABEL_NAME.test(entry.label)) bad([...path, 'label'], 'must be an alert label name, as in service');
    if (typeof entry.ref !== 'string' || !entry.ref.includes('{value}')) bad([...path, 'ref'], "must be a ref template with {value}, as in 'component:{value}'");
    else {
      const parsed = parseRefQuery(entry.ref.replaceAll('{value}', 'value'));
      if (!parsed.ok) bad([...path, 'ref'], `is not a ref template: ${parsed.message}`);
    }
    if (ok) rules.push({ label: entry.label as string, ref: entry.ref as string });
  });
  return rules;
}

function notify(section: Record<string, unknown>, problem: Problem): IncidentSettings['notify'] {
  let githubIssues = false;
  if (section.githubIssues !== undefined && section.githubIssues !== null) {
    if (typeof section.githubIssues === 'boolean') githubIssues = section.githubIssues;
    else problem(['notify', 'githubIssues'], `must be true or false, not ${JSON.stringify(section.githubIssues)}`);
  }
  const webhooks: WebhookNotifier[] = [];
  const list = section.webhooks;
  if (list !== undefined && list !== null && !Array.isArray(list)) problem(['notify', 'webhooks'], 'must be a list of {name, url, secretEnv, events}');
  else
    (list ?? []).forEach((entry: unknown, i: number) => {
      const hook = webhook(entry, ['notify', 'webhooks', i], problem);
      if (!hook) return;
      if (webhooks.some((w) => w.name === hook.name)) return problem(['notify', 'webhooks', i, 'name'], `repeats the name ${JSON.stringify(hook.name)}: each webhook needs its own`);
      webhooks.push(hook);
    });
  return { webhooks, githubIssues };
}

function webhook(entry: unknown, path: Path, problem: Problem): WebhookNotifier | undefined {
  if (!isRecord(entry)) return void problem(path, 'must be a mapping {name, url, secretEnv, events}');
  let ok = true;
  const bad: Problem = (p, m) => ((ok = false), problem(p, m));
  onlyKeys(entry, ['name', 'url', 'secretEnv', 'events'], path, bad);
  if (typeof entry.name !== 'string' || entry.name.trim() === '') bad([...path, 'name'], 'must be a non-empty string');
  if (typeof entry.url !== 'string' || !isHttpUrl(entry.url)) bad([...path, 'url'], 'must be an http or https URL');
  if (entry.secretEnv !== undefined && (typeof entry.secretEnv !== 'string' || !ENV_NAME.test(entry.secretEnv))) bad([...path, 'secretEnv'], 'must be the name of an environment variable, as in CMDB_WEBHOOK_SECRET');
  let events = [...EVENTS];
  if (entry.events !== undefined) {
    if (!Array.isArray(entry.events) || entry.events.length === 0) bad([...path, 'events'], `must be a non-empty list of ${EVENTS.join(', ')}`);
    else {
      entry.events.forEach((e: unknown, j: number) => {
        if (!(EVENTS as readonly unknown[]).includes(e)) bad([...path, 'events', j], `must be one of ${EVENTS.join(', ')}, not ${JSON.stringify(e)}`);
      });
      events = EVENTS.filter((e) => (entry.events as unknown[]).includes(e));
    }
  }
  if (!ok) return undefined;
  const hook: WebhookNotifier = { name: entry.name as string, url: entry.url as string, events };
  if (entry.secretEnv !== undefined) hook.secretEnv = entry.secretEnv as string;
  return hook;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
