/**
 * Shared by the deployment tests (compose, Kubernetes, Dockerfile). They run with no Docker engine and no
 * cluster: they parse the files and hold them against the services' own config schemas, so a variable a
 * service starts to require in production, or a typo in a variable name, fails here first.
 */
import { createHash, randomBytes } from 'node:crypto';
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
  // HEALTH_PORT/HEALTH_HOST/APP_ENDPOINT (i10b) and MFA_RPC_KEY (rpc) are in the shared contract (coord/team.md)
  'auth-api': [
    'DATABASE_URL',
    'REDIS_URL',
    'REDIS_KEY_PREFIX',
    'PORT',
    'HOST',
    'HEALTH_PORT',
    'HEALTH_HOST',
    'APP_ENDPOINT',
    'APP_PROJECT_ID',
    'APP_PROJECT_NAME',
    'APP_API_KEY',
    'MFA_SERVICE_URL',
    'MFA_RPC_KEY',
    'MFA_RPC_KEY_FILE',
    'QUEUE_ENCRYPTION_KEY',
    'CORS_ORIGINS',
    'TRUST_PROXY',
    'SHUTDOWN_DRAIN_MS',
    'LOG_LEVEL',
    'NODE_ENV',
    'DATA_DIR',
  ],
  'mfa-service': [
    'DATABASE_URL',
    'REDIS_URL',
    'REDIS_KEY_PREFIX',
    'MFA_SERVICE_URL',
    'MFA_LISTEN_HOST',
    'MFA_RPC_KEY',
    'MFA_RPC_KEY_FILE',
    'MFA_ENCRYPTION_KEY',
    'QUEUE_ENCRYPTION_KEY',
    'MFA_CHALLENGE_TTL_SECONDS',
    'HEALTH_PORT',
    'HEALTH_HOST',
    'SHUTDOWN_DRAIN_MS',
    'LOG_LEVEL',
    'NODE_ENV',
    'DATA_DIR',
  ],
  notifier: [
    'REDIS_URL',
    'REDIS_KEY_PREFIX',
    'QUEUE_ENCRYPTION_KEY',
    'SMTP_URL',
    'SMTP_FROM',
    'TWILIO_ACCOUNT_SID',
    'TWILIO_AUTH_TOKEN',
    'TWILIO_FROM',
    'TWILIO_MESSAGING_SERVICE_SID',
    'TWILIO_API_URL',
    'SMS_ALLOWED_COUNTRIES',
    'HEALTH_PORT',
    'HEALTH_HOST',
    'SHUTDOWN_DRAIN_MS',
    'LOG_LEVEL',
    'NODE_ENV',
    'DATA_DIR',
  ],
};

/** Variables a service reads (its schema, the shared contract) and `<NAME>_FILE` for each secret one. */
export function knownVariables(service: ServiceName): Set<string> {
  const schema = SCHEMAS[service]({ NODE_ENV: 'production' });
  const secretFiles = Object.entries(schema)
    .filter(([, field]) => field.secret)
    .map(([name]) => `${name}_FILE`);
  return new Set([...Object.keys(schema), ...CONTRACT[service], ...secretFiles]);
}

/** Variables of a service that are secrets (accepted as `<NAME>_FILE`), asked of its schema. */
export function secretVariables(service: ServiceName): string[] {
  return Object.entries(SCHEMAS[service]({ NODE_ENV: 'production' }))
    .filter(([, field]) => field.secret)
    .map(([name]) => name);
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
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, name, op, arg, bare) => {
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
    },
  );
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

// ── Kustomize, the subset deploy/kubernetes uses: resources, namespace, labels, configMapGenerator (envs,
//    hashed name, references rewritten), images. kubernetes.spec.ts compares it with `kubectl kustomize`
//    when kubectl is installed.

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
} & Record<string, unknown>;

type Kustomization = {
  namespace?: string;
  labels?: Array<{ pairs: Record<string, string>; includeSelectors?: boolean }>;
  resources: string[];
  configMapGenerator?: Array<{ name: string; envs?: string[]; literals?: string[] }>;
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
};

const CLUSTER_SCOPED = new Set(['Namespace', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass']);

/** `KEY=VALUE` lines of a kustomize env file (comments and blank lines skipped). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const i = line.indexOf('=');
    if (i < 1) throw new Error(`bad env line: ${line}`);
    out[line.slice(0, i).trim()] = line.slice(i + 1);
  }
  return out;
}

/** Renders a kustomization directory; `files` may replace file contents (to prove a change rolls pods). */
export function renderKustomization(dir: string, files: Record<string, string> = {}): K8sObject[] {
  const readIn = (f: string) => files[f] ?? read(`${dir}/${f}`);
  const k = parseYaml(readIn('kustomization.yaml')) as Kustomization;
  const objects = k.resources.flatMap((f) => parseYamlDocuments(readIn(f)) as K8sObject[]);
  const renamed = new Map<string, string>();
  for (const gen of k.configMapGenerator ?? []) {
    const data: Record<string, string> = {};
    for (const f of gen.envs ?? []) Object.assign(data, parseEnvFile(readIn(f)));
    for (const lit of gen.literals ?? []) Object.assign(data, parseEnvFile(lit));
    const hash = createHash('sha256')
      .update(JSON.stringify({ kind: 'ConfigMap', name: gen.name, data: Object.entries(data).sort() }))
      .digest('hex')
      .slice(0, 10);
    const name = `${gen.name}-${hash}`;
    renamed.set(gen.name, name);
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
  }
  const rewrite = (value: unknown, parentKey?: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => rewrite(v, parentKey));
    if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(o)) out[key] = rewrite(v, key);
      if (
        (parentKey === 'configMapRef' || parentKey === 'configMapKeyRef' || parentKey === 'configMap') &&
        typeof o.name === 'string' &&
        renamed.has(o.name)
      )
        out.name = renamed.get(o.name);
      if ((parentKey === 'containers' || parentKey === 'initContainers') && typeof o.image === 'string') {
        const img = k.images?.find((i) => i.name === o.image);
        if (img) out.image = `${img.newName ?? img.name}${img.newTag ? `:${img.newTag}` : ''}`;
      }
      return out;
    }
    return value;
  };
  return objects.map((raw) => {
    const obj = rewrite(raw) as K8sObject;
    obj.metadata = { ...obj.metadata };
    if (k.namespace && !CLUSTER_SCOPED.has(obj.kind)) obj.metadata.namespace = k.namespace;
    if (obj.kind === 'Namespace' && k.namespace) obj.metadata.name = k.namespace;
    for (const l of k.labels ?? []) obj.metadata.labels = { ...obj.metadata.labels, ...l.pairs };
    return obj;
  });
}

/** Validates an object against the Kubernetes OpenAPI schema of its kind (kubernetes-models); throws if invalid. */
export function validateAgainstSchema(obj: K8sObject): void {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : [undefined, obj.apiVersion];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const models = require(group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`) as Record<
    string,
    new (o: unknown) => { validate(): void }
  >;
  const Model = models[obj.kind];
  if (!Model) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}`);
  new Model(obj).validate();
}
