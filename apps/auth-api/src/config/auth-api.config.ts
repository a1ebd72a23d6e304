import { isIP } from 'node:net';
import { UID_PATTERN } from '@twostep/contracts';
import {
  asSecret,
  commonSchema,
  ConfigOf,
  ConfigProblem,
  earlyEnv,
  env,
  Env,
  Field,
  keyringField,
  listenHost,
  loadConfig,
  secretField,
  shutdownDrainField,
  tcpEndpointsField,
} from '@twostep/config';

/**
 * Which proxies may speak for the client (X-Forwarded-For, -Proto, -Host), in the forms Fastify's
 * `trustProxy` takes: `false` (none, the default), a hop count (`1`: the one proxy in front of us; the
 * client is the address that proxy appended), or proxy addresses/CIDRs (`10.0.0.0/8,192.168.1.7`).
 * `true` (trust every hop, so the client's own left-most entry wins) is accepted outside production only.
 */
export type TrustProxy = boolean | number | string[];

function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

function trustProxyField(): Field<TrustProxy> {
  return {
    parse(raw, name) {
      const value = (raw ?? '').trim().toLowerCase();
      if (value === '' || ['false', 'no', 'off', '0'].includes(value)) return false;
      if (['true', 'yes', 'on'].includes(value)) return true;
      if (/^\d{1,2}$/.test(value)) return Number(value);
      const entries = value
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean);
      const bad = entries.find((e) => !isAddressOrCidr(e));
      if (bad !== undefined || entries.length === 0) {
        throw new ConfigProblem(
          `${name} must be false, a hop count (1-99) or proxy addresses/CIDRs separated by commas${bad ? `, got "${bad}"` : ''}`,
        );
      }
      return entries;
    },
  };
}

export function authApiSchema(source: Env) {
  const early = earlyEnv(source);
  const key = keyringField({ nodeEnvOf: () => early.nodeEnv, dataDirOf: () => early.dataDir });
  const secret = secretField({ nodeEnvOf: () => early.nodeEnv, dataDirOf: () => early.dataDir });
  return {
    ...commonSchema,
    PORT: env.port({ default: 3000 }),
    /** address of the public API listener; loopback unless told otherwise (containers: 0.0.0.0) */
    HOST: listenHost(),
    /** port of the management listener (GET /health/live, /health/ready, /metrics) on HEALTH_HOST */
    HEALTH_PORT: env.port({ default: 3010 }),
    DATABASE_URL: asSecret(env.url({ protocols: ['postgres', 'postgresql'] })),
    DATABASE_POOL_SIZE: env.int({ default: 10, min: 1, max: 200 }),
    APP_PROJECT_ID: env.string({
      default: 'twostep',
      pattern: UID_PATTERN,
      hint: 'up to 36 letters, digits, ., - or _',
    }),
    APP_PROJECT_NAME: env.string({
      default: 'Twostep',
      pattern: /^[^:\r\n]{1,128}$/,
      hint: '1-128 characters, no colon (it is the TOTP issuer)',
    }),
    /** API key for X-Appwrite-Key; in development generated once into DATA_DIR/keys */
    APP_API_KEY: secret,
    APP_VERSION: env.string({ default: '1.9.6' }),
    /**
     * mfa-service replicas: tcp://host:port, comma separated; a host name may resolve to several addresses
     * (a headless Service) and is resolved again every MFA_SERVICE_RESOLVE_INTERVAL_MS
     */
    MFA_SERVICE_URL: tcpEndpointsField({ default: 'tcp://127.0.0.1:3001', defaultPort: 3001 }),
    MFA_RPC_TIMEOUT_MS: env.int({ default: 2000, min: 100, max: 30_000 }),
    /** authenticates every RPC message and reply (HMAC-SHA-256); the same value mfa-service has */
    MFA_RPC_KEY: key,
    /** how often host names in MFA_SERVICE_URL are resolved again (new or removed replicas) */
    MFA_SERVICE_RESOLVE_INTERVAL_MS: env.int({ default: 5000, min: 500, max: 300_000 }),
    QUEUE_ENCRYPTION_KEY: key,
    /** signs account JWTs (X-Appwrite-JWT); a keyring (`kid:key,...`, first signs); generated in development */
    JWT_SIGNING_KEY: key,
    /** browser origins allowed by CORS (with credentials); empty: none */
    CORS_ORIGINS: env.list({ default: [], item: /^https?:\/\/[^/\s]+$/, hint: 'scheme://host[:port], comma separated' }),
    /** which reverse proxies may give the client address (X-Forwarded-For): false, a hop count, or addresses/CIDRs */
    TRUST_PROXY: trustProxyField(),
    /**
     * the public endpoint clients use (https://auth.example.com/v1); its scheme decides whether session
     * cookies are Secure. Unset: Secure in production, not otherwise
     */
    APP_ENDPOINT: env.url({ protocols: ['http', 'https'], optional: true }) as Field<string | undefined>,
    /** after SIGTERM: readiness false, keep serving this long (load balancers notice), then finish in-flight requests */
    SHUTDOWN_DRAIN_MS: shutdownDrainField(early.nodeEnv),
    /** largest accepted request body in bytes */
    BODY_LIMIT_BYTES: env.int({ default: 65_536, min: 1024, max: 10_485_760 }),

    /** absolute session lifetime (Appwrite: 1 year; ours: 30 days, NIST AAL1 / ASVS L1 re-authentication) */
    SESSION_DURATION_SECONDS: env.int({ default: 2_592_000, min: 60, max: 31_536_000 }),
    /** a session unused for this long is refused (0 = no idle timeout). AAL2 deployments: 1800-3600 */
    SESSION_IDLE_TIMEOUT_SECONDS: env.int({ default: 604_800, min: 0, max: 31_536_000 }),
    /** sessions kept per user; creating one more deletes the oldest */
    SESSION_MAX_PER_USER: env.int({ default: 10, min: 1, max: 100 }),
    /** Domain attribute of the session cookies; unset: host-only cookies (safest) */
    SESSION_COOKIE_DOMAIN: env.optionalString(),
    /** a completed challenge counts as recent (for routes that need a fresh session) for this long */
    MFA_RECENT_SECONDS: env.int({ default: 1800, min: 60, max: 86_400 }),
    /** a session still missing the second factor MFA requires ends this long after its creation */
    MFA_PENDING_SESSION_SECONDS: env.int({ default: 600, min: 30, max: 3600 }),
    /** on a password change, delete the user's other sessions (ASVS 3.3.3) */
    PASSWORD_CHANGE_INVALIDATES_SESSIONS: env.bool({ default: true }),
    /** argon2id cost (an OWASP row: m=47104/t=1, 19456/2, 12288/3, 9216/4, 7168/5 KiB/passes) */
    ARGON2_MEMORY_KIB: env.int({ default: 12_288, min: 7168, max: 1_048_576 }),
    ARGON2_TIME_COST: env.int({ default: 3, min: 1, max: 20 }),
    ARGON2_PARALLELISM: env.int({ default: 1, min: 1, max: 8 }),
    /** lifetime of an email verification link */
    EMAIL_VERIFICATION_TTL_SECONDS: env.int({ default: 3600, min: 60, max: 86_400 }),
    /** lifetime of a phone verification code (NIST: at most 10 minutes) */
    PHONE_VERIFICATION_TTL_SECONDS: env.int({ default: 600, min: 60, max: 600 }),
    /** wrong codes accepted per phone verification code before it is burnt */
    PHONE_VERIFICATION_MAX_ATTEMPTS: env.int({ default: 5, min: 1, max: 10 }),
    /** lifetime of a sign-in code sent by email or SMS (createEmailToken, createPhoneToken) */
    SIGN_IN_CODE_TTL_SECONDS: env.int({ default: 900, min: 60, max: 900 }),
    /** wrong codes accepted per sign-in code before it is burnt */
    SIGN_IN_CODE_MAX_ATTEMPTS: env.int({ default: 5, min: 1, max: 10 }),
    /** lifetime of a magic URL sign-in link */
    MAGIC_URL_TTL_SECONDS: env.int({ default: 3600, min: 60, max: 3600 }),
    /** lifetime of a password recovery link */
    PASSWORD_RECOVERY_TTL_SECONDS: env.int({ default: 3600, min: 60, max: 3600 }),
    /** a password reset through a recovery link deletes every session of the user (ASVS 3.3.3) */
    PASSWORD_RECOVERY_INVALIDATES_SESSIONS: env.bool({ default: true }),
    /** sign-in tokens and recovery emails asked for from one client address per hour (besides the per-address limit of 10) */
    SIGN_IN_TOKENS_PER_IP_PER_HOUR: env.int({ default: 60, min: 1, max: 100_000 }),
    /**
     * hosts a verification link may point to (besides the hosts of CORS_ORIGINS); when both are empty
     * any http(s) host is accepted (development)
     */
    VERIFICATION_URL_HOSTS: env.list({ default: [], item: /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/, hint: 'host names, comma separated' }),
    /** audit log entries older than this are not shown and are purged hourly */
    AUDIT_LOG_RETENTION_DAYS: env.int({ default: 90, min: 1, max: 3650 }),
    /** Appwrite's abuse limits (section 5.8); turn off only for load tests */
    RATE_LIMIT_ENABLED: env.bool({ default: true }),
    /** failed sign-ins an hour from one source address, across all accounts */
    SIGN_IN_FAILURES_PER_IP: env.int({ default: 100, min: 1, max: 100_000 }),
    /** failed sign-ins an hour from one source address to one account */
    SIGN_IN_FAILURES_PER_IP_AND_EMAIL: env.int({ default: 10, min: 1, max: 1000 }),
    /** failed sign-ins an hour to one account from all addresses together (a ceiling against distributed guessing) */
    SIGN_IN_FAILURES_PER_EMAIL: env.int({ default: 1000, min: 10, max: 1_000_000 }),
  };
}

export type AuthApiConfig = ConfigOf<ReturnType<typeof authApiSchema>>;

export function loadAuthApiConfig(source: Env = process.env): AuthApiConfig {
  return loadConfig(authApiSchema(source), source, (config, problem) => {
    // every OWASP argon2id row spends at least 7 MiB x 5 passes; refuse anything cheaper
    if (config.ARGON2_MEMORY_KIB * config.ARGON2_TIME_COST < 35_840) {
      problem('ARGON2_MEMORY_KIB x ARGON2_TIME_COST must be at least 35840 (an OWASP argon2id row, e.g. 12288 x 3)');
    }
    if (config.TRUST_PROXY === true && config.NODE_ENV === 'production') {
      problem(
        'TRUST_PROXY=true trusts whatever a client writes in X-Forwarded-For (forged client addresses, per-address limits bypassed); in production set the number of proxies in front of auth-api (e.g. 1) or their addresses/CIDRs',
      );
    }
    if (config.SESSION_IDLE_TIMEOUT_SECONDS > 0 && config.SESSION_IDLE_TIMEOUT_SECONDS < 60) {
      problem('SESSION_IDLE_TIMEOUT_SECONDS must be 0 (off) or at least 60');
    }
  });
}

export const AUTH_API_CONFIG = Symbol('AUTH_API_CONFIG');

/** Whether session cookies carry `Secure`: from the configured public endpoint, never from a request header. */
export function secureCookies(config: Pick<AuthApiConfig, 'APP_ENDPOINT' | 'NODE_ENV'>): boolean {
  return config.APP_ENDPOINT ? new URL(config.APP_ENDPOINT).protocol === 'https:' : config.NODE_ENV === 'production';
}

/** What the one-shot migration command needs. */
export function loadAuthMigrationConfig(source: Env = process.env) {
  return loadConfig({ DATABASE_URL: asSecret(env.url({ protocols: ['postgres', 'postgresql'] })) }, source);
}
