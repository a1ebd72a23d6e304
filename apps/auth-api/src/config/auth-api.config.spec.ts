import { ConfigError } from '@twostep/config';
import { loadAuthApiConfig } from './auth-api.config';

const base = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://u@db/auth',
  APP_API_KEY: 'k'.repeat(40),
  QUEUE_ENCRYPTION_KEY: 'ab'.repeat(32),
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
});
