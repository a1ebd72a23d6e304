import { ConfigError } from '@twostep/config';
import { loadAuthApiConfig } from './auth-api.config';

const base = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://u@db/auth',
  APP_API_KEY: 'k'.repeat(40),
  QUEUE_ENCRYPTION_KEY: 'ab'.repeat(32),
  JWT_SIGNING_KEY: 'cd'.repeat(32),
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

  it('requires JWT_SIGNING_KEY in production, and bounds sign-in codes to 15 minutes and links to an hour', () => {
    const { JWT_SIGNING_KEY: _omitted, ...withoutJwtKey } = base;
    void _omitted;
    expect(() => loadAuthApiConfig(withoutJwtKey)).toThrow(/JWT_SIGNING_KEY is required in production/);
    const c = loadAuthApiConfig(base);
    expect([c.SIGN_IN_CODE_TTL_SECONDS, c.MAGIC_URL_TTL_SECONDS, c.PASSWORD_RECOVERY_TTL_SECONDS, c.PASSWORD_RECOVERY_INVALIDATES_SESSIONS]).toEqual([900, 3600, 3600, true]);
    expect(() => loadAuthApiConfig({ ...base, SIGN_IN_CODE_TTL_SECONDS: '901' })).toThrow(ConfigError);
    expect(() => loadAuthApiConfig({ ...base, MAGIC_URL_TTL_SECONDS: '3601' })).toThrow(ConfigError);
  });
});
