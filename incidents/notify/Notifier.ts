import type { Incident, Notification, Signal } from '../../state/IncidentRecords.ts';
import { incidentView, type IncidentView } from '../view.ts';

/**
 * What a notifier is sent and what it answers. The `NotificationSender`
 * renders one payload per outbox entry and hands it to the notifier named by
 * the entry's `target`; the notifier says whether it was delivered, should be
 * retried, or can never be.
 */

/** The JSON body of every notification (webhooks send it as is). */
export interface NotificationPayload {
  event: Notification['event'];
  /** The notification's id: unique and stable across retries (`X-Cmdb-Delivery`). */
  delivery: string;
  /** When this attempt was sent. */
  at: string;
  /** The incident's revision the notification was raised for (the incident below may be newer). */
  revision: number;
  /** The incident as the store holds it when sent. */
  incident: IncidentView;
}

export interface OutgoingNotification {
  notification: Notification;
  payload: NotificationPayload;
  /** `payload` as JSON: the bytes sent and signed. */
  body: string;
}

export type SendResult =
  | { outcome: 'delivered'; detail?: string }
  /** Nothing to send for this target (an event it does not take). */
  | { outcome: 'skipped'; detail?: string }
  /** Try again later; `retryAfterMs` when the receiver said when (Retry-After). */
  | { outcome: 'retry'; error: string; retryAfterMs?: number }
  /** It will never succeed (e.g. a 4xx): given up at once. */
  | { outcome: 'failed'; error: string };

export interface Notifier {
  /** The outbox target it delivers: `webhook:<name>` or `github-issue`. */
  readonly target: string;
  /** Sends one notification. Throwing counts as `retry`. `signal` aborts when the sender stops. */
  send(outgoing: OutgoingNotification, signal: AbortSignal): Promise<SendResult>;
}

/** The payload of a notification: the incident as the store holds it now. */
export function renderPayload(notification: Notification, incident: Incident, signalOf: (fingerprint: string) => Signal | undefined, at: Date): OutgoingNotification {
  const payload: NotificationPayload = {
    event: notification.event,
    delivery: notification.id,
    at: at.toISOString(),
    revision: notification.revision,
    incident: incidentView(incident, signalOf),
  };
  return { notification, payload, body: JSON.stringify(payload) };
}

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
