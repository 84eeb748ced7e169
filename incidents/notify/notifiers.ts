import type { Logger } from 'pino';
import type { IncidentSettings } from '../types.ts';
import { GitHubIssueNotifier, type GitHubIssueNotifierOptions } from './GitHubIssueNotifier.ts';
import type { Notifier } from './Notifier.ts';
import { WebhookNotifier } from './WebhookNotifier.ts';

export interface NotifiersOptions {
  env?: NodeJS.ProcessEnv;
  log: Logger;
  /** The GitHub controller's client and config repo, when the server has them; issues are opened only with them and `githubIssues: true`. */
  github?: Omit<GitHubIssueNotifierOptions, 'log'>;
}

/** The notifiers of `incidents.notify`, by outbox target (what `NotificationSender` takes). */
export function notifiersFor(notify: IncidentSettings['notify'], options: NotifiersOptions): Map<string, Notifier> {
  const notifiers = new Map<string, Notifier>();
  for (const webhook of notify.webhooks) {
    const n = new WebhookNotifier({ webhook, env: options.env, log: options.log });
    notifiers.set(n.target, n);
  }
  if (notify.githubIssues) {
    if (options.github) {
      const n = new GitHubIssueNotifier({ ...options.github, log: options.log });
      notifiers.set(n.target, n);
    } else {
      options.log.warn('incidents.notify.githubIssues is set but the server has no GitHub controller with a config repo: no issues are opened');
    }
  }
  return notifiers;
}
