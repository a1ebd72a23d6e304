import {
  asSecret,
  commonSchema,
  ConfigOf,
  earlyEnv,
  env,
  Env,
  keyringField,
  listenHost,
  loadConfig,
  shutdownDrainField,
  tcpEndpointsField,
} from '@twostep/config';

export function mfaServiceSchema(source: Env) {
  const early = earlyEnv(source);
  const key = keyringField({ nodeEnvOf: () => early.nodeEnv, dataDirOf: () => early.dataDir });
  return {
    ...commonSchema,
    DATABASE_URL: asSecret(env.url({ protocols: ['postgres', 'postgresql'] })),
    DATABASE_POOL_SIZE: env.int({ default: 10, min: 1, max: 200 }),
    /**
     * where this service listens for RPC: tcp://host:port (the port is used; the address comes from
     * MFA_LISTEN_HOST); of a comma-separated list (the value auth-api gets), the first entry
     */
    MFA_SERVICE_URL: tcpEndpointsField({ default: 'tcp://127.0.0.1:3001', defaultPort: 3001 }),
    /** bind address of the RPC listener; loopback unless told otherwise (containers: 0.0.0.0) */
    MFA_LISTEN_HOST: listenHost(),
    HEALTH_PORT: env.port({ default: 3011 }),
    /** encrypts TOTP secrets and recovery codes at rest and keys the code hashes; only this service holds it */
    MFA_ENCRYPTION_KEY: key,
    /** seals job payloads; shared with the notifier */
    QUEUE_ENCRYPTION_KEY: key,
    /** authenticates every RPC message and reply (HMAC-SHA-256); the same value is given to auth-api, never to the notifier */
    MFA_RPC_KEY: key,
    /** lifetime of a challenge; NIST SP 800-63B caps out-of-band codes at 10 minutes */
    MFA_CHALLENGE_TTL_SECONDS: env.int({ default: 600, min: 30, max: 600 }),
    /** TOTP steps accepted either side of the current one (1 = T-1, T, T+1) */
    MFA_TOTP_WINDOW: env.int({ default: 1, min: 0, max: 2 }),
    /** consecutive failures of one factor of one account (across challenges and sessions) that start a lockout */
    MFA_FAILURE_LIMIT: env.int({ default: 10, min: 3, max: 100 }),
    /**
     * consecutive failures across all factors of an account that lock every factor (default twice the
     * factor limit: one factor alone always locks first; switching factors gains nothing)
     */
    MFA_ACCOUNT_FAILURE_LIMIT: env.int({ default: 20, min: 3, max: 100 }),
    /**
     * consecutive failures of one factor after which it stays locked (no end) until the user completes a
     * challenge with another factor or an admin unlocks it (DELETE /v1/users/{userId}/mfa/lockouts)
     */
    MFA_FAILURE_HARD_LIMIT: env.int({ default: 100, min: 3, max: 100 }),
    /** length of the first lockout; each further lockout doubles it */
    MFA_LOCKOUT_BASE_SECONDS: env.int({ default: 30, min: 1, max: 3600 }),
    /** longest lockout */
    MFA_LOCKOUT_MAX_SECONDS: env.int({ default: 3600, min: 1, max: 86_400 }),
    /** after SIGTERM: readiness false, keep answering RPCs this long (clients move away), then drain and close */
    SHUTDOWN_DRAIN_MS: shutdownDrainField(early.nodeEnv),
    /** how long shutdown waits for in-flight RPCs before closing connections */
    MFA_SHUTDOWN_GRACE_MS: env.int({ default: 10_000, min: 0, max: 60_000 }),
  };
}

export type MfaServiceConfig = ConfigOf<ReturnType<typeof mfaServiceSchema>>;

export function loadMfaServiceConfig(source: Env = process.env): MfaServiceConfig {
  return loadConfig(mfaServiceSchema(source), source, (c, problem) => {
    if (c.MFA_ENCRYPTION_KEY === c.QUEUE_ENCRYPTION_KEY) problem('MFA_ENCRYPTION_KEY and QUEUE_ENCRYPTION_KEY must be different keys');
    if (c.MFA_RPC_KEY === c.QUEUE_ENCRYPTION_KEY || c.MFA_RPC_KEY === c.MFA_ENCRYPTION_KEY)
      problem('MFA_RPC_KEY must differ from MFA_ENCRYPTION_KEY and QUEUE_ENCRYPTION_KEY');
    if (c.MFA_LOCKOUT_MAX_SECONDS < c.MFA_LOCKOUT_BASE_SECONDS) problem('MFA_LOCKOUT_MAX_SECONDS must be >= MFA_LOCKOUT_BASE_SECONDS');
    if (c.MFA_ACCOUNT_FAILURE_LIMIT < c.MFA_FAILURE_LIMIT) problem('MFA_ACCOUNT_FAILURE_LIMIT must be >= MFA_FAILURE_LIMIT');
    if (c.MFA_FAILURE_HARD_LIMIT < c.MFA_FAILURE_LIMIT) problem('MFA_FAILURE_HARD_LIMIT must be >= MFA_FAILURE_LIMIT');
  });
}

/** What the one-shot migration command needs. */
export function loadMfaMigrationConfig(source: Env = process.env) {
  return loadConfig({ DATABASE_URL: asSecret(env.url({ protocols: ['postgres', 'postgresql'] })) }, source);
}

export const MFA_SERVICE_CONFIG = Symbol('MFA_SERVICE_CONFIG');
