/** A value of an entity that looks like a secret. */
export interface SecretFinding {
  /** Dotted path (`spec.env.0.value`). */
  path: string;
  /** JSON pointer (`/spec/env/0/value`). */
  pointer: string;
  /** What it looks like (`an AWS access key id`). */
  looksLike: string;
}

/** Patterns recognised anywhere, whatever the field is called. */
const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/-----BEGIN ((RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----/, 'a private key'],
  [/\b(AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\bgh[pousr]_[A-Za-z0-9]{36,255}\b/, 'a GitHub token'],
  [/\bgithub_pat_[A-Za-z0-9_]{22,255}\b/, 'a GitHub token'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}\b/, 'a Slack token'],
  [/\bglpat-[A-Za-z0-9_-]{20,}\b/, 'a GitLab token'],
  [/\bsk_live_[A-Za-z0-9]{20,}\b/, 'a Stripe secret key'],
  [/[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]{3,}@/i, 'a URL with a password'],
];

/** Field names whose values are credentials (matched on the name's end, case-insensitive). */
const SECRET_FIELD = /(password|passwd|pwd|passphrase|secret|token|api[-_]?key|access[-_]?key|secret[-_]?key|private[-_]?key|credentials?)$/i;

/** Values that refer to a secret rather than hold one. */
const REFERENCE = /^(\$\{.*\}|\$[A-Z_][A-Z0-9_]*|\{\{.*\}\}|<[^>]*>|(vault|secret|secretref|env|ref\+[a-z]+|arn|projects|awssm|gcpsm|azkv|op):.*|\*+|x+|changeme|redacted|none|null|todo)$/i;

/** Minimum length and Shannon entropy (bits per character) of a credential in a secret-named field. */
export const SECRET_FIELD_MIN_LENGTH = 8;
export const SECRET_FIELD_MIN_ENTROPY = 3;

/** Shannon entropy of a string, in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** What a string value looks like when it looks like a secret, else undefined. */
export function secretKind(field: string, value: string): string | undefined {
  for (const [pattern, kind] of PATTERNS) if (pattern.test(value)) return kind;
  const v = value.trim();
  if (!SECRET_FIELD.test(field) || /\s/.test(v) || REFERENCE.test(v)) return undefined;
  if (v.length >= SECRET_FIELD_MIN_LENGTH && entropy(v) >= SECRET_FIELD_MIN_ENTROPY) return `a credential in a field named "${field}"`;
  return undefined;
}

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Every secret-looking string in a document (keys included: a token used as
 * a map key is still a token), depth first, in document order.
 */
export function findSecrets(value: unknown, path: string[] = []): SecretFinding[] {
  const found: SecretFinding[] = [];
  const visit = (v: unknown, at: string[]) => {
    if (typeof v === 'string') {
      const kind = secretKind(at[at.length - 1] ?? '', v);
      if (kind) found.push({ path: at.join('.'), pointer: `/${at.map(escapePointer).join('/')}`, looksLike: kind });
    } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...at, String(i)]));
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const keyKind = PATTERNS.find(([p]) => p.test(k))?.[1];
        if (keyKind) found.push({ path: [...at, k].join('.'), pointer: `/${[...at, k].map(escapePointer).join('/')}`, looksLike: keyKind });
        visit(x, [...at, k]);
      }
    }
  };
  visit(value, path);
  return found;
}
