import { Webhooks } from '@octokit/webhooks';

export type VerifyOutcome = { ok: true } | { ok: false; reason: 'missing-signature' | 'bad-signature' };

/** Checks `X-Hub-Signature-256` of a delivery's raw body with @octokit/webhooks (constant-time HMAC-SHA256). */
export class WebhookVerifier {
  private readonly webhooks: Webhooks;

  constructor(options: { secret: string }) {
    this.webhooks = new Webhooks({ secret: options.secret });
  }

  async verify(rawBody: Buffer, signature: string | undefined): Promise<VerifyOutcome> {
    if (!signature) return { ok: false, reason: 'missing-signature' };
    try {
      return (await this.webhooks.verify(rawBody.toString('utf8'), signature)) ? { ok: true } : { ok: false, reason: 'bad-signature' };
    } catch {
      return { ok: false, reason: 'bad-signature' };
    }
  }

  /** `sha256=...` for a body: what GitHub sends (for tests and tools). */
  sign(rawBody: string): Promise<string> {
    return this.webhooks.sign(rawBody);
  }
}
