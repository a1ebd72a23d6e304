import { commonSchema, ConfigOf, earlyEnv, env, Env, keyringField, loadConfig } from '@twostep/config';

export function notifierSchema(source: Env) {
  const early = earlyEnv(source);
  const key = keyringField({ nodeEnvOf: () => early.nodeEnv, dataDirOf: () => early.dataDir });
  return {
    ...commonSchema,
    HEALTH_PORT: env.port({ default: 3012 }),
    /** opens job payloads; the same key as the producers' */
    QUEUE_ENCRYPTION_KEY: key,
  };
}

export type NotifierConfig = ConfigOf<ReturnType<typeof notifierSchema>>;

export function loadNotifierConfig(source: Env = process.env): NotifierConfig {
  return loadConfig(notifierSchema(source), source);
}

export const NOTIFIER_CONFIG = Symbol('NOTIFIER_CONFIG');
