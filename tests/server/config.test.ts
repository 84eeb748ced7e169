import { describe, expect, it } from 'vitest';
import { resolveServerConfig } from '../../server/config.ts';

const resolve = (flags: Parameters<typeof resolveServerConfig>[0]['flags'], env: NodeJS.ProcessEnv = {}, terminal = false) => resolveServerConfig({ flags, env, terminal });

describe('resolveServerConfig', () => {
  it('has defaults, takes the environment, and lets flags win', () => {
    expect(resolve({})).toMatchObject({ repo: '.', ref: 'HEAD', host: '127.0.0.1', port: 4000, pollSeconds: 10, shutdownTimeoutSeconds: 10, github: undefined, eventLog: false });
    expect(resolve({}, { PORT: '8080', CMDB_SHUTDOWN_TIMEOUT: '2.5', CMDB_POLL_SECONDS: '0' })).toMatchObject({ port: 8080, shutdownTimeoutSeconds: 2.5, pollSeconds: 0 });
    expect(resolve({ port: 0, shutdownTimeout: 1 }, { PORT: '8080', CMDB_SHUTDOWN_TIMEOUT: '30' })).toMatchObject({ port: 0, shutdownTimeoutSeconds: 1 });
  });

  it('names the variable and what it must be', () => {
    expect(() => resolve({}, { PORT: 'http' })).toThrow('PORT="http" is not a port number (0-65535)');
    expect(() => resolve({}, { PORT: '70000' })).toThrow('PORT="70000" is not a port number (0-65535)');
    expect(() => resolve({}, { CMDB_SHUTDOWN_TIMEOUT: '-1' })).toThrow('CMDB_SHUTDOWN_TIMEOUT="-1" is not a number of seconds');
    expect(() => resolve({}, { CMDB_LOG_LEVEL: 'loud' })).toThrow(/CMDB_LOG_LEVEL="loud" is not one of fatal, error/);
    expect(() => resolve({}, { CMDB_LOG_FORMAT: 'xml' })).toThrow('CMDB_LOG_FORMAT="xml" is not json or pretty');
  });

  it('logs for a human on a terminal and JSON otherwise, unless told', () => {
    expect(resolve({}, {}, true).log).toEqual({ level: 'info', format: 'pretty' });
    expect(resolve({}, {}, false).log).toEqual({ level: 'info', format: 'json' });
    expect(resolve({}, { CMDB_LOG_FORMAT: 'json' }, true).log.format).toBe('json');
  });

  it('needs GitHub credentials only with --github, and then says which', () => {
    expect(() => resolve({ github: true }, {})).toThrow(/GITHUB_WEBHOOK_SECRET is not set/);
    const config = resolve({ githubRepo: 'acme/config', stateDir: '/tmp/x' }, { GITHUB_WEBHOOK_SECRET: 's', GITHUB_TOKEN: 't' });
    expect(config.github).toMatchObject({ repo: 'acme/config', settings: { auth: { kind: 'token' } } });
    expect(config).toMatchObject({ stateDir: '/tmp/x', eventLog: true });
  });
});
