import { commonSchema, ConfigOf, earlyEnv, env, Env, keyringField, loadConfig, secretField } from '@twostep/config';

export function authApiSchema(source: Env) {
  const early = earlyEnv(source);
  const key = keyringField({ nodeEnvOf: () => early.nodeEnv, dataDirOf: () => early.dataDir });
  const secret = secretField({ nodeEnvOf: () => early.nodeEnv, dataDirOf: () => early.dataDir });
  return {
    ...commonSchema,
    PORT: env.port({ default: 3000 }),
    HOST: env.string({ default: '0.0.0.0' }),
    DATABASE_URL: env.url({ protocols: ['postgres', 'postgresql'] }),
    DATABASE_POOL_SIZE: env.int({ default: 10, min: 1, max: 200 }),
    APP_PROJECT_ID: env.string({ default: 'twostep', pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,35}$/, hint: 'up to 36 letters, digits, ., - or _' }),
    APP_PROJECT_NAME: env.string({ default: 'Twostep', pattern: /^[^:\r\n]{1,128}$/, hint: '1-128 characters, no colon (it is the TOTP issuer)' }),
    /** API key for X-Appwrite-Key; in development generated once into DATA_DIR/keys */
    APP_API_KEY: secret,
    APP_VERSION: env.string({ default: '1.9.6' }),
    MFA_SERVICE_URL: env.url({ protocols: ['tcp'], default: 'tcp://127.0.0.1:3001' }),
    MFA_RPC_TIMEOUT_MS: env.int({ default: 2000, min: 100, max: 30_000 }),
    QUEUE_ENCRYPTION_KEY: key,
    /** browser origins allowed by CORS (with credentials); empty: none */
    CORS_ORIGINS: env.list({ default: [], item: /^https?:\/\/[^/\s]+$/, hint: 'scheme://host[:port], comma separated' }),
    /** trust X-Forwarded-* from a reverse proxy (for client IPs and https detection) */
    TRUST_PROXY: env.bool({ default: false }),
    /** largest accepted request body in bytes */
    BODY_LIMIT_BYTES: env.int({ default: 65_536, min: 1024, max: 10_485_760 }),
  };
}

export type AuthApiConfig = ConfigOf<ReturnType<typeof authApiSchema>>;

export function loadAuthApiConfig(source: Env = process.env): AuthApiConfig {
  return loadConfig(authApiSchema(source), source);
}

export const AUTH_API_CONFIG = Symbol('AUTH_API_CONFIG');

/** What the one-shot migration command needs. */
export function loadAuthMigrationConfig(source: Env = process.env) {
  return loadConfig({ DATABASE_URL: env.url({ protocols: ['postgres', 'postgresql'] }) }, source);
}
