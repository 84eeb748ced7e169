import { describe, expect, it } from 'vitest';
import { entropy, findSecrets, secretKind } from '../../policies/secrets.ts';

describe('secret-looking values', () => {
  it.each([
    // field, value, looks like
    ['note', '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----', 'a private key'],
    ['note', '-----BEGIN EC PRIVATE KEY-----', 'a private key'],
    ['note', 'key AKIAIOSFODNN7EXAMPLE here', 'an AWS access key id'],
    ['note', 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB', 'a GitHub token'],
    ['note', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', 'a GitHub token'],
    ['note', 'xoxb-123456789012-abcdefghij', 'a Slack token'],
    ['url', 'https://deploy:hunter2hunter2@git.example.com/repo.git', 'a URL with a password'],
    ['password', 'x7#Kq9!vR2$mLp4Z', 'a credential in a field named "password"'],
    ['apiToken', 'f3a9c1d27be84e06a5c4', 'a credential in a field named "apiToken"'],
    ['client_secret', 'Zk29fj3LqP0aXw7', 'a credential in a field named "client_secret"'],
    ['AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'a credential in a field named "AWS_SECRET_ACCESS_KEY"'],
    // not secrets
    ['password', 'changeme', undefined],
    ['password', '${DB_PASSWORD}', undefined],
    ['password', '{{ .Values.password }}', undefined],
    ['password', 'vault:secret/data/db#password', undefined],
    ['password', '********', undefined],
    ['password', 'aaaaaaaaaaaa', undefined], // low entropy
    ['token', 'short', undefined],
    ['secretName', 'db-credentials-x7Kq9', undefined], // names a Kubernetes Secret
    ['description', 'x7#Kq9!vR2$mLp4Z', undefined], // not a secret-named field
    ['url', 'https://git.example.com/repo.git', undefined],
    ['image', 'ghcr.io/acme/cart:v1.2.3', undefined],
  ])('%s: %j -> %s', (field, value, kind) => {
    expect(secretKind(field, value)).toBe(kind);
  });

  it('finds them anywhere in a document, keys included, with dotted paths and pointers', () => {
    const found = findSecrets({ metadata: { annotations: { 'a/b': 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB' } }, spec: { env: [{ name: 'X', password: 'x7#Kq9!vR2$mLp4Z' }], AKIAIOSFODNN7EXAMPLE: 1 } });
    expect(found).toEqual([
      { path: 'metadata.annotations.a/b', pointer: '/metadata/annotations/a~1b', looksLike: 'a GitHub token' },
      { path: 'spec.env.0.password', pointer: '/spec/env/0/password', looksLike: 'a credential in a field named "password"' },
      { path: 'spec.AKIAIOSFODNN7EXAMPLE', pointer: '/spec/AKIAIOSFODNN7EXAMPLE', looksLike: 'an AWS access key id' },
    ]);
  });

  it('measures entropy in bits per character', () => {
    expect(entropy('aaaa')).toBe(0);
    expect(entropy('abcd')).toBe(2);
  });
});
