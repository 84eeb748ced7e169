import { describe, expect, it } from 'vitest';
import { resolveServerConfig } from '../../server/config.ts';

const resolve = (flags: Parameters<typeof resolveServerConfig>[0]['flags'], env: NodeJS.ProcessEnv = {}, terminal = false) => resolveServerConfig({ flags, env, terminal });

describe('resolveServerConfig', () => {
  it('has defaults, takes the environment, and lets flags win', () => {
    expect(resolve({})).toMatchObject({ repo: '.', ref: 'HEAD', host: '127.0.0.1', port: 4000, pollSeconds: 10, shutdownTimeoutSeconds: 10, github: undefined, eventLog: false });
    expect(resolve({}, { PORT: '8080', CMDB_SHUTDOWN_TIMEOUT: '2.5', CMDB_POLL_SECONDS: '0', CMDB_FOLLOWER_RELOAD_SECONDS: '0.5' })).toMatchObject({ port: 8080, shutdownTimeoutSeconds: 2.5, pollSeconds: 0, followerReloadSeconds: 0.5 });
    expect(resolve({}, {})).toMatchObject({ followerReloadSeconds: 5 });
    expect(resolve({ port: 0, shutdownTimeout: 1 }, { PORT: '8080', CMDB_SHUTDOWN_TIMEOUT: '30' })).toMatchObject({ port: 0, shutdownTimeoutSeconds: 1 });
  });

  it('names the variable and what it must be', () => {
    expect(() => resolve({}, { PORT: 'http' })).toThrow('PORT="http" is not a port number (0-65535)');
    expect(() => resolve({}, { PORT: '70000' })).toThrow('PORT="70000" is not a port number (0-65535)');
    expect(() => resolve({}, { CMDB_SHUTDOWN_TIMEOUT: '-1' })).toThrow('CMDB_SHUTDOWN_TIMEOUT="-1" is not a number of seconds');
    expect(() => resolve({}, { CMDB_FOLLOWER_RELOAD_SECONDS: 'soon' })).toThrow('CMDB_FOLLOWER_RELOAD_SECONDS="soon" is not a number of seconds up to 2147483 (0 never reads again)');
    // A timer cannot wait longer (Node would fire it after 1 ms, over and over).
    expect(resolve({}, { CMDB_FOLLOWER_RELOAD_SECONDS: '2147483', CMDB_POLL_SECONDS: '2147483' })).toMatchObject({ followerReloadSeconds: 2147483, pollSeconds: 2147483 });
    expect(() => resolve({}, { CMDB_FOLLOWER_RELOAD_SECONDS: '2147484' })).toThrow('CMDB_FOLLOWER_RELOAD_SECONDS="2147484" is not a number of seconds up to 2147483');
    expect(() => resolve({}, { CMDB_POLL_SECONDS: '1e9' })).toThrow('CMDB_POLL_SECONDS="1e9" is not a number of seconds up to 2147483 (0 never polls)');
    expect(() => resolve({}, { CMDB_SHUTDOWN_TIMEOUT: '3000000' })).toThrow('CMDB_SHUTDOWN_TIMEOUT="3000000" is not a number of seconds up to 2147483');
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

  it('reconciles with --reconcile or CMDB_RECONCILE, flags first, and then keeps an event log', () => {
    expect(resolve({})).toMatchObject({ reconcile: false });
    expect(resolve({}, { CMDB_RECONCILE: 'true' })).toMatchObject({ reconcile: true, eventLog: true });
    expect(resolve({ reconcile: false }, { CMDB_RECONCILE: '1' }).reconcile).toBe(false);
    expect(() => resolve({}, { CMDB_RECONCILE: 'yes' })).toThrow('CMDB_RECONCILE="yes" is not true or false');
  });

  it('takes leader election from the flags over the variables the Helm chart sets', () => {
    expect(resolve({}).leaderElection).toEqual({ leaderElect: false });
    const env = {
      CMDB_LEADER_ELECT: 'true',
      CMDB_LEADER_ELECT_LEASE_NAME: 'cmdb',
      CMDB_LEADER_ELECT_NAMESPACE: 'ops',
      CMDB_LEADER_ELECT_IDENTITY: 'pod-1',
      CMDB_LEADER_ELECT_LEASE_DURATION: '20s',
      CMDB_LEADER_ELECT_RENEW_DEADLINE: '15s',
      CMDB_LEADER_ELECT_RETRY_PERIOD: '3s',
    };
    expect(resolve({}, env).leaderElection).toEqual({ leaderElect: true, leaseName: 'cmdb', namespace: 'ops', identity: 'pod-1', leaseDuration: '20s', renewDeadline: '15s', retryPeriod: '3s' });
    expect(resolve({ leaderElectLeaseName: 'other', leaderElectRetryPeriod: '1s' }, env).leaderElection).toMatchObject({ leaseName: 'other', retryPeriod: '1s' });
    expect(resolve({ kubeconfig: 'kube.yaml' }).kubeconfig).toMatch(/\/kube\.yaml$/);
  });

  it('checks the durations when electing, naming the flag and the variable', () => {
    expect(() => resolve({ leaderElect: true, leaderElectLeaseDuration: 'soon' })).toThrow('--leader-elect-lease-duration (CMDB_LEADER_ELECT_LEASE_DURATION): "soon" is not a duration');
    expect(() => resolve({}, { CMDB_LEADER_ELECT: 'true', CMDB_LEADER_ELECT_RENEW_DEADLINE: '20s' })).toThrow(/--leader-elect-lease-duration .* must be greater than .*--leader-elect-renew-deadline/);
    expect(() => resolve({ leaderElectLeaseDuration: 'soon' })).not.toThrow();
  });
});
