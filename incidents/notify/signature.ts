import crypto from 'node:crypto';

/** `X-Cmdb-Signature-256`'s value: `sha256=` and the hex HMAC-SHA256 of the raw body (GitHub's convention). */
export const signBody = (secret: string, body: string | Buffer): string => `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;

/** Whether `header` is the signature of `body` with `secret`, compared in constant time (what a receiver does). */
export function verifySignature(secret: string, body: string | Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
