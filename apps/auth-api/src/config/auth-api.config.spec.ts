import { ConfigError } from '@twostep/config';
import { loadAuthApiConfig } from './auth-api.config';

const base = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://u@db/auth',
  APP_API_KEY: 'k'.repeat(40),
  QUEUE_ENCRYPTION_KEY: 'ab'.repeat(32),
  MFA_RPC_KEY: 'cd'.repeat(32),
};

describe('auth-api config', () => {
  it('defaults to an OWASP argon2id row, 30-day sessions with a 7-day idle timeout, and rate limits on', () => {
    const c = loadAuthApiConfig(base);
    expect([c.ARGON2_MEMORY_KIB, c.ARGON2_TIME_COST, c.ARGON2_PARALLELISM]).toEqual([12288, 3, 1]);
    expect(c.SESSION_DURATION_SECONDS).toBe(2_592_000);
    expect(c.SESSION_IDLE_TIMEOUT_SECONDS).toBe(604_800);
    expect(c.SESSION_MAX_PER_USER).toBe(10);
    expect(c.MFA_RECENT_SECONDS).toBe(1800);
    expect(c.RATE_LIMIT_ENABLED).toBe(true);
    expect(c.PHONE_VERIFICATION_TTL_SECONDS).toBe(600);
  });

  it('refuses an argon2 cost below every OWASP row', () => {
    expect(() => loadAuthApiConfig({ ...base, ARGON2_MEMORY_KIB: '8192', ARGON2_TIME_COST: '2' })).toThrow(ConfigError);
    expect(loadAuthApiConfig({ ...base, ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2' }).ARGON2_MEMORY_KIB).toBe(19456);
  });

  it('refuses phone codes living longer than 10 minutes and idle timeouts under a minute', () => {
    expect(() => loadAuthApiConfig({ ...base, PHONE_VERIFICATION_TTL_SECONDS: '601' })).toThrow(ConfigError);
    expect(() => loadAuthApiConfig({ ...base, SESSION_IDLE_TIMEOUT_SECONDS: '30' })).toThrow(ConfigError);
    expect(loadAuthApiConfig({ ...base, SESSION_IDLE_TIMEOUT_SECONDS: '0' }).SESSION_IDLE_TIMEOUT_SECONDS).toBe(0);
  });

  it('requires MFA_RPC_KEY in production', () => {
    expect(() => loadAuthApiConfig({ ...base, MFA_RPC_KEY: undefined })).toThrow(/MFA_RPC_KEY is required in production/);
  });

  it('takes several mfa-service endpoints, host names and IPv6 addresses in MFA_SERVICE_URL', () => {
    expect(loadAuthApiConfig(base).MFA_SERVICE_URL).toEqual([{ host: '127.0.0.1', port: 3001 }]);
    expect(loadAuthApiConfig({ ...base, MFA_SERVICE_URL: 'tcp://10.0.0.1:4001, tcp://mfa-headless.ns.svc, tcp://[::1]:4002' }).MFA_SERVICE_URL).toEqual([
      { host: '10.0.0.1', port: 4001 },
      { host: 'mfa-headless.ns.svc', port: 3001 },
      { host: '::1', port: 4002 },
    ]);
    for (const bad of ['http://a:1', 'tcp://a:1/path', 'a:1', 'tcp://a:1,,nope']) expect(() => loadAuthApiConfig({ ...base, MFA_SERVICE_URL: bad })).toThrow(/MFA_SERVICE_URL/);
  });
});
