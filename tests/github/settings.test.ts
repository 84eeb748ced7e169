import { describe, expect, it } from 'vitest';
import { defaultCloneUrl, expandCloneUrl, githubSettingsFromEnv } from '../../controller/github/settings.ts';
import { appKeyPair } from './harness.ts';

describe('GitHub settings from the environment', () => {
  it('prefers a GitHub App, takes the key as PEM with escaped newlines, and GITHUB_API_URL', () => {
    const { privateKey } = appKeyPair();
    const s = githubSettingsFromEnv({ GITHUB_WEBHOOK_SECRET: 's', GITHUB_APP_ID: '42', GITHUB_PRIVATE_KEY: privateKey.replace(/\n/g, '\\n'), GITHUB_TOKEN: 't', GITHUB_API_URL: 'https://ghe.example.com/api/v3/' });
    expect(s).toMatchObject({ apiUrl: 'https://ghe.example.com/api/v3', auth: { kind: 'app', appId: '42', privateKey }, webhookSecret: 's' });
  });

  it('falls back to GITHUB_TOKEN and says what is missing', () => {
    expect(githubSettingsFromEnv({ GITHUB_WEBHOOK_SECRET: 's', GITHUB_TOKEN: 't' })).toMatchObject({ apiUrl: 'https://api.github.com', auth: { kind: 'token', token: 't' } });
    expect(() => githubSettingsFromEnv({ GITHUB_TOKEN: 't' })).toThrow(/GITHUB_WEBHOOK_SECRET/);
    expect(() => githubSettingsFromEnv({ GITHUB_WEBHOOK_SECRET: 's' })).toThrow(/GITHUB_APP_ID and GITHUB_PRIVATE_KEY.*GITHUB_TOKEN/);
    expect(() => githubSettingsFromEnv({ GITHUB_WEBHOOK_SECRET: 's', GITHUB_APP_ID: '1', GITHUB_PRIVATE_KEY: '/nonexistent/key.pem' })).toThrow(/GITHUB_PRIVATE_KEY/);
  });

  it('derives clone URLs for github.com and Enterprise Server', () => {
    expect(expandCloneUrl(defaultCloneUrl('https://api.github.com'), 'acme', 'config')).toBe('https://github.com/acme/config.git');
    expect(expandCloneUrl(defaultCloneUrl('https://ghe.example.com/api/v3'), 'acme', 'config')).toBe('https://ghe.example.com/acme/config.git');
  });
});
