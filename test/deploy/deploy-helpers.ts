/**
 * Shared by the deployment tests (compose, Kubernetes, Dockerfile). They run with no Docker engine and no
 * cluster: they parse the files and hold them against the services' own config schemas, so a variable a
 * service starts to require in production, or a typo in a variable name, fails here first.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { ConfigProblem, Env, Field } from '@twostep/config';
import { authApiSchema, loadAuthApiConfig, loadAuthMigrationConfig } from '../../apps/auth-api/src/config/auth-api.config';
import { loadMfaMigrationConfig, loadMfaServiceConfig, mfaServiceSchema } from '../../apps/mfa-service/src/config/mfa-service.config';
import { loadNotifierConfig, notifierSchema } from '../../apps/notifier/src/config/notifier.config';

export const ROOT = resolve(__dirname, '../..');
export const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** YAML as Compose reads it (merge keys `<<` resolved). */
export const parseYaml = (text: string): unknown => parse(text, { merge: true });
export const parseYamlDocuments = (text: string): unknown[] =>
  parseAllDocuments(text, { merge: true })
    .map((d) => {
      if (d.errors.length) throw d.errors[0];
      return d.toJS();
    })
    .filter((d) => d != null);

export type ServiceName = 'auth-api' | 'mfa-service' | 'notifier';
export const SERVICES: ServiceName[] = ['auth-api', 'mfa-service', 'notifier'];

type Schema = Record<string, Field<unknown>>;
const SCHEMAS: Record<ServiceName, (source: Env) => Schema> = {
  'auth-api': authApiSchema,
  'mfa-service': mfaServiceSchema,
  notifier: notifierSchema,
};
const LOADERS: Record<ServiceName | 'migrate', (source: Env) => unknown> = {
  'auth-api': loadAuthApiConfig,
  'mfa-service': loadMfaServiceConfig,
  notifier: loadNotifierConfig,
  migrate: (source) => {
    loadAuthMigrationConfig(source);
    return loadMfaMigrationConfig(source);
  },
};

/** Variables a service refuses to start without when NODE_ENV=production (asked of its own schema). */
export function requiredInProduction(service: ServiceName): string[] {
  const schema = SCHEMAS[service]({ NODE_ENV: 'production' });
  return Object.entries(schema)
    .filter(([name, field]) => {
      try {
        field.parse(undefined, name);
        return false;
      } catch (error) {
        if (error instanceof ConfigProblem) return true;
        throw error;
      }
    })
    .map(([name]) => name);
}

/**
 * Names from the configuration contract (ARCHITECTURE.md section 5 and the README table) that a service
 * may not have in its schema yet; anything else a deployment file sets must be in the service's schema.
 */
const CONTRACT: Record<ServiceName, string[]> = {
  'auth-api': ['DATABASE_URL', 'REDIS_URL', 'REDIS_KEY_PREFIX', 'PORT', 'HOST', 'APP_PROJECT_ID', 'APP_PROJECT_NAME', 'APP_API_KEY', 'MFA_SERVICE_URL', 'QUEUE_ENCRYPTION_KEY', 'CORS_ORIGINS', 'TRUST_PROXY', 'LOG_LEVEL', 'NODE_ENV', 'DATA_DIR'],
  'mfa-service': ['DATABASE_URL', 'REDIS_URL', 'REDIS_KEY_PREFIX', 'MFA_SERVICE_URL', 'MFA_LISTEN_HOST', 'MFA_ENCRYPTION_KEY', 'QUEUE_ENCRYPTION_KEY', 'MFA_CHALLENGE_TTL_SECONDS', 'HEALTH_PORT', 'LOG_LEVEL', 'NODE_ENV', 'DATA_DIR'],
  notifier: ['REDIS_URL', 'REDIS_KEY_PREFIX', 'QUEUE_ENCRYPTION_KEY', 'SMTP_URL', 'SMTP_FROM', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM', 'TWILIO_API_URL', 'HEALTH_PORT', 'LOG_LEVEL', 'NODE_ENV', 'DATA_DIR'],
};

export function knownVariables(service: ServiceName): Set<string> {
  return new Set([...Object.keys(SCHEMAS[service]({ NODE_ENV: 'production' })), ...CONTRACT[service]]);
}

/** Loads the service's whole config from `env` the way it does at boot; throws its ConfigError if bad. */
export function loadServiceConfig(service: ServiceName | 'migrate', env: Env): unknown {
  return LOADERS[service](env);
}

/**
 * Compose variable interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}`. A missing required variable throws with its message.
 */
export function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, name, op, arg, bare) => {
    if (match === '$$') return '$';
    const key = name ?? bare;
    const v = vars[key];
    const unset = v === undefined;
    const empty = unset || v === '';
    switch (op) {
      case ':-':
        return empty ? arg : v!;
      case '-':
        return unset ? arg : v!;
      case ':?':
        if (empty) throw new Error(`required variable ${key} is missing a value: ${arg}`);
        return v!;
      case '?':
        if (unset) throw new Error(`required variable ${key} is missing a value: ${arg}`);
        return v!;
      default:
        return v ?? '';
    }
  });
}

/** Interpolates every string in a parsed document. */
export function interpolateDeep<T>(value: T, vars: Record<string, string | undefined>): T {
  if (typeof value === 'string') return interpolate(value, vars) as T;
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, vars)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, vars)])) as T;
  }
  return value;
}

/** Fresh, valid secrets as an operator would generate them (openssl rand ...). */
export function sampleSecrets(): Record<string, string> {
  return {
    POSTGRES_PASSWORD: randomBytes(24).toString('hex'),
    APP_API_KEY: randomBytes(32).toString('hex'),
    MFA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    QUEUE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    MFA_RPC_KEY: randomBytes(32).toString('base64'),
    JWT_SIGNING_KEY: randomBytes(32).toString('base64'),
  };
}

/** `FROM <image> AS <name>` stages of a Dockerfile, with the instructions of each. */
export function dockerfileStages(text: string): Array<{ name: string; from: string; instructions: string[] }> {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Array<{ name: string; from: string; instructions: string[] }> = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) stages.push({ from: from[1], name: (from[2] ?? '').toLowerCase(), instructions: [] });
    else if (stages.length) stages[stages.length - 1].instructions.push(line);
  }
  return stages;
}

/** The instructions that apply to a stage, including those of the stages it is built FROM. */
export function effectiveInstructions(stages: ReturnType<typeof dockerfileStages>, name: string): string[] {
  const stage = stages.find((s) => s.name === name);
  if (!stage) return [];
  const parent = stages.find((s) => s.name === stage.from.toLowerCase());
  return [...(parent ? effectiveInstructions(stages, parent.name) : []), ...stage.instructions];
}
