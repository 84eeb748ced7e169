import type { ValidateFunction } from 'ajv';
import { createAjv } from '../schema/ajv.ts';
import { toIssues } from '../schema/messages.ts';

/**
 * The body Alertmanager's webhook receiver POSTs, version 4, as documented at
 * https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
 * (and encoded by notify/webhook/webhook.go: the template data plus version,
 * groupKey and truncatedAlerts). Times are RFC 3339 with nanoseconds; a
 * firing alert's `endsAt` is Go's zero time `0001-01-01T00:00:00Z`.
 */
export interface AlertmanagerPayload {
  version: '4';
  /** Key identifying the group of alerts (e.g. to deduplicate). */
  groupKey?: string;
  /** How many alerts were left out because of the receiver's `max_alerts`. */
  truncatedAlerts?: number;
  status: 'firing' | 'resolved';
  receiver?: string;
  groupLabels?: Record<string, string>;
  commonLabels?: Record<string, string>;
  commonAnnotations?: Record<string, string>;
  /** Backlink to the Alertmanager. */
  externalURL?: string;
  alerts: AlertmanagerAlert[];
}

export interface AlertmanagerAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  /** Identifies the entity that caused the alert (the Prometheus rule's graph link). */
  generatorURL?: string;
  /** Alertmanager's fingerprint of the alert's label set (16 hex digits). */
  fingerprint?: string;
}

const labelSet = { type: 'object', additionalProperties: { type: 'string' } } as const;
const status = { type: 'string', enum: ['firing', 'resolved'] } as const;

/**
 * The JSON Schema of the payload: what the documentation lists, with its
 * types. Fields Alertmanager may add later are allowed (`additionalProperties`
 * is not closed), the version is not: another version may mean other fields.
 */
export const ALERTMANAGER_WEBHOOK_SCHEMA = {
  $id: 'https://gitops-cmdb.dev/schemas/alertmanager-webhook-v4.json',
  title: 'Alertmanager webhook payload, version 4',
  type: 'object',
  required: ['version', 'status', 'alerts'],
  properties: {
    version: { const: '4' },
    groupKey: { type: 'string' },
    truncatedAlerts: { type: 'integer', minimum: 0 },
    status,
    receiver: { type: 'string' },
    groupLabels: labelSet,
    commonLabels: labelSet,
    commonAnnotations: labelSet,
    externalURL: { type: 'string' },
    alerts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['status', 'labels'],
        properties: {
          status,
          labels: { ...labelSet, minProperties: 1 },
          annotations: labelSet,
          startsAt: { type: 'string' },
          endsAt: { type: 'string' },
          generatorURL: { type: 'string' },
          fingerprint: { type: 'string' },
        },
      },
    },
  },
} as const;

let validator: ValidateFunction | undefined;
/** At most this many problems are named in a message. */
const NAMED = 5;

export type ParsedPayload = { ok: true; payload: AlertmanagerPayload } | { ok: false; message: string };

/** Validates a parsed JSON body against the schema; the message names each problem by JSON pointer. */
export function parseAlertmanagerPayload(body: unknown): ParsedPayload {
  validator ??= createAjv({ validateSchemas: true }).compile(ALERTMANAGER_WEBHOOK_SCHEMA);
  if (validator(body)) return { ok: true, payload: body as AlertmanagerPayload };
  const version = (body as { version?: unknown } | null)?.version;
  if (version !== undefined && version !== '4') return { ok: false, message: `not an Alertmanager webhook payload (version 4): /version is ${JSON.stringify(version)}; this receiver takes version "4"` };
  const issues = toIssues(validator.errors);
  const named = issues.slice(0, NAMED).map((i) => `${i.pointer || '(the payload)'} ${i.message}`);
  const more = issues.length > NAMED ? `; and ${issues.length - NAMED} more` : '';
  return { ok: false, message: `not an Alertmanager webhook payload (version 4): ${named.join('; ')}${more}` };
}
