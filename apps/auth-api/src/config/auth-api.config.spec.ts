import { ConfigError } from '@twostep/config';
import { loadAuthApiConfig, secureCookies } from './auth-api.config';

const base = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://u@db/auth',
  APP_API_KEY: 'k'.repeat(40),
  QUEUE_ENCRYPTION_KEY: 'ab'.repeat(32),
  MFA_RPC_KEY: 'cd'.repeat(32),
  JWT_SIGNING_KEY: 'ef'.repeat(32),
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
    expect([
      c.SIGN_IN_CODE_TTL_SECONDS,
      c.MAGIC_URL_TTL_SECONDS,
      c.PASSWORD_RECOVERY_TTL_SECONDS,
      c.PASSWORD_RECOVERY_INVALIDATES_SESSIONS,
    ]).toEqual([900, 3600, 3600, true]);
    expect(() => loadAuthApiConfig({ ...base, SIGN_IN_CODE_TTL_SECONDS: '901' })).toThrow(ConfigError);
    expect(() => loadAuthApiConfig({ ...base, MAGIC_URL_TTL_SECONDS: '3601' })).toThrow(ConfigError);
  });

  it('requires MFA_RPC_KEY in production', () => {
    expect(() => loadAuthApiConfig({ ...base, MFA_RPC_KEY: undefined })).toThrow(/MFA_RPC_KEY is required in production/);
  });

  it('takes several mfa-service endpoints, host names and IPv6 addresses in MFA_SERVICE_URL', () => {
    expect(loadAuthApiConfig(base).MFA_SERVICE_URL).toEqual([{ host: '127.0.0.1', port: 3001 }]);
    expect(
      loadAuthApiConfig({ ...base, MFA_SERVICE_URL: 'tcp://10.0.0.1:4001, tcp://mfa-headless.ns.svc, tcp://[::1]:4002' }).MFA_SERVICE_URL,
    ).toEqual([
      { host: '10.0.0.1', port: 4001 },
      { host: 'mfa-headless.ns.svc', port: 3001 },
      { host: '::1', port: 4002 },
    ]);
    for (const bad of ['http://a:1', 'tcp://a:1/path', 'a:1', 'tcp://a:1,,nope'])
      expect(() => loadAuthApiConfig({ ...base, MFA_SERVICE_URL: bad })).toThrow(/MFA_SERVICE_URL/);
  });

  it('listens on loopback unless told otherwise: API, management port 3010', () => {
    const c = loadAuthApiConfig(base);
    expect([c.HOST, c.PORT, c.HEALTH_HOST, c.HEALTH_PORT]).toEqual(['127.0.0.1', 3000, '127.0.0.1', 3010]);
    const container = loadAuthApiConfig({ ...base, HOST: '0.0.0.0', HEALTH_HOST: '0.0.0.0', HEALTH_PORT: '9100' });
    expect([container.HOST, container.HEALTH_HOST, container.HEALTH_PORT]).toEqual(['0.0.0.0', '0.0.0.0', 9100]);
  });

  it('takes TRUST_PROXY as false, a hop count or proxy addresses/CIDRs', () => {
    expect(loadAuthApiConfig(base).TRUST_PROXY).toBe(false);
    expect(loadAuthApiConfig({ ...base, TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadAuthApiConfig({ ...base, TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadAuthApiConfig({ ...base, TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadAuthApiConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,fd00::/8' }).TRUST_PROXY).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'fd00::/8',
    ]);
    for (const bad of ['10.0.0.0/33', 'proxy.example.com', '1.2.3', '10.0.0.0/8/1', '::1/129']) {
      expect(() => loadAuthApiConfig({ ...base, TRUST_PROXY: bad })).toThrow(/TRUST_PROXY must be false, a hop count/);
    }
  });

  it('refuses TRUST_PROXY=true in production (the client would choose its own address), allows it elsewhere', () => {
    expect(() => loadAuthApiConfig({ ...base, TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY=true trusts whatever a client writes/);
    expect(loadAuthApiConfig({ ...base, NODE_ENV: 'development', TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
  });

  it('makes cookies Secure from APP_ENDPOINT (https), or in production when it is unset; never from a header', () => {
    expect(secureCookies(loadAuthApiConfig({ ...base, APP_ENDPOINT: 'https://auth.example.com/v1' }))).toBe(true);
    expect(secureCookies(loadAuthApiConfig({ ...base, APP_ENDPOINT: 'http://localhost:3000/v1' }))).toBe(false);
    expect(secureCookies(loadAuthApiConfig(base))).toBe(true);
    expect(secureCookies(loadAuthApiConfig({ ...base, NODE_ENV: 'development' }))).toBe(false);
    expect(() => loadAuthApiConfig({ ...base, APP_ENDPOINT: 'ftp://auth.example.com' })).toThrow(ConfigError);
  });
});
