export { NotificationSender, type FlushReport, type NotificationSenderOptions, type NotifyMetrics } from './NotificationSender.ts';
export { renderPayload, type Notifier, type NotificationPayload, type OutgoingNotification, type SendResult } from './Notifier.ts';
export { WebhookNotifier, webhookTarget, type WebhookNotifierOptions } from './WebhookNotifier.ts';
export { GitHubIssueNotifier, GITHUB_ISSUE_TARGET, type GitHubIssueNotifierOptions } from './GitHubIssueNotifier.ts';
export { notifiersFor, type NotifiersOptions } from './notifiers.ts';
export { signBody, verifySignature } from './signature.ts';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retryPolicy.ts';
