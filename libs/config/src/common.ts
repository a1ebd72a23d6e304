import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { decodeKey } from '@twostep/crypto';
import { asSecret, ConfigProblem, env, Env, Field } from './env-schema';

/** Variables every service reads. */
export const commonSchema = {
  NODE_ENV: env.oneOf(['development', 'production', 'test'] as const, { default: 'development' }),
  LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, { default: 'info' }),
  /** may carry a password: also accepted as REDIS_URL_FILE */
  REDIS_URL: asSecret(env.url({ protocols: ['redis', 'rediss'], default: 'redis://127.0.0.1:6379' })),
  /** prefix of every Redis key this deployment writes (queues, rate limits); lets deployments share a Redis */
  REDIS_KEY_PREFIX: env.string({ default: 'twostep', pattern: /^[A-Za-z0-9_-]{1,64}$/, hint: 'letters, digits, _ and -' }),
  /** where development defaults (generated keys, outbox) live */
  DATA_DIR: env.string({ default: '.data' }),
  /** address of the health/metrics listener; loopback unless a container or a scraper elsewhere needs it */
  HEALTH_HOST: listenHost(),
};

/** A bind address (IPv4, IPv6 or a host name); loopback by default. */
export function listenHost(): Field<string> {
  return env.string({
    default: '127.0.0.1',
    pattern: /^(?:[0-9.]{7,15}|[0-9A-Fa-f:]{2,39}|[A-Za-z0-9.-]{1,253})$/,
    hint: 'an IP address or host name to listen on',
  });
}

/** Whether a bind address only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/**
 * A 256-bit key or a keyring. Accepted forms:
 *  - one key: 64 hex chars, or base64/base64url of 32 bytes;
 *  - a keyring for rotation: `kid1:key1,kid2:key2` (the first one seals, all of them open).
 * In development an unset key is generated once into `<DATA_DIR>/keys/<NAME>`; in production it is required.
 */
export function keyringField(opts: { nodeEnvOf: () => string; dataDirOf: () => string }): Field<string> {
  return {
    secret: true,
    parse(raw, name) {
      if (raw === undefined || raw.trim() === '') {
        if (opts.nodeEnvOf() === 'production') {
          throw new ConfigProblem(`${name} is required in production (generate one with: openssl rand -base64 32)`);
        }
        return developmentKey(name, opts.dataDirOf());
      }
      validateKeyring(raw.trim(), name);
      return raw.trim();
    },
  };
}

function validateKeyring(raw: string, name: string): void {
  const entries = raw.split(',').map((s) => s.trim());
  const ids = new Set<string>();
  for (const entry of entries) {
    const idx = entry.indexOf(':');
    const kid = idx > 0 ? entry.slice(0, idx) : undefined;
    const key = idx > 0 ? entry.slice(idx + 1) : entry;
    if (entries.length > 1 && !kid) throw new ConfigProblem(`${name}: every key of a keyring needs an id (kid:key)`);
    if (kid !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(kid))
      throw new ConfigProblem(`${name}: key id "${kid}" must be 1-32 letters, digits, _ or -`);
    if (kid !== undefined && ids.has(kid)) throw new ConfigProblem(`${name}: key id "${kid}" appears twice`);
    if (kid !== undefined) ids.add(kid);
    if (!decodeKey(key)) throw new ConfigProblem(`${name} must be 32 bytes as 64 hex characters or base64 (openssl rand -base64 32)`);
  }
}

/**
 * An opaque secret string such as an API key (at least 32 characters). In development an unset value is
 * generated once into `<DATA_DIR>/keys/<NAME>`; in production it is required.
 */
export function secretField(opts: { nodeEnvOf: () => string; dataDirOf: () => string }): Field<string> {
  return {
    secret: true,
    parse(raw, name) {
      if (raw === undefined || raw.trim() === '') {
        if (opts.nodeEnvOf() === 'production') throw new ConfigProblem(`${name} is required in production (at least 32 characters)`);
        return developmentKey(name, opts.dataDirOf(), () => `twostep_${randomBytes(32).toString('hex')}`);
      }
      if (raw.trim().length < 32 || /\s/.test(raw.trim())) throw new ConfigProblem(`${name} must be at least 32 characters with no spaces`);
      return raw.trim();
    },
  };
}

function developmentKey(name: string, dataDir: string, generate: () => string = () => randomBytes(32).toString('base64')): string {
  const dir = resolve(dataDir, 'keys');
  const file = join(dir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Written whole to a private temp file, then linked into place: link() fails if the name exists,
  // so when several services start together exactly one key wins and nobody reads a half-written file.
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}`);
  writeFileSync(tmp, `${generate()}\n`, { mode: 0o600 });
  try {
    linkSync(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(tmp);
  }
  return readFileSync(file, 'utf8').trim();
}

/** Reads `NODE_ENV`/`DATA_DIR` early so key fields can depend on them. */
export function earlyEnv(source: Env): { nodeEnv: string; dataDir: string } {
  return { nodeEnv: source.NODE_ENV?.trim() || 'development', dataDir: source.DATA_DIR?.trim() || '.data' };
}

/** One `tcp://host:port` endpoint (an IPv6 host without its brackets). */
export interface TcpEndpoint {
  host: string;
  port: number;
}

/**
 * One or more `tcp://host:port` URLs, comma separated (the port defaults to `defaultPort`). A host name
 * may stand for several addresses (a Kubernetes headless Service); callers resolve it.
 */
export function tcpEndpointsField(opts: { default: string; defaultPort: number }): Field<TcpEndpoint[]> {
  return {
    parse(raw, name) {
      const value = raw === undefined || raw.trim() === '' ? opts.default : raw.trim();
      const endpoints = value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((item) => {
          let url: URL;
          try {
            url = new URL(item);
          } catch {
            throw new ConfigProblem(`${name} must be tcp://host:port URLs, comma separated; got "${item}"`);
          }
          if (url.protocol !== 'tcp:' || !url.hostname || (url.pathname !== '' && url.pathname !== '/') || url.username || url.search) {
            throw new ConfigProblem(`${name} must be tcp://host:port URLs, comma separated; got "${item}"`);
          }
          return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port ? Number(url.port) : opts.defaultPort };
        });
      if (endpoints.length === 0) throw new ConfigProblem(`${name} needs at least one tcp://host:port`);
      return endpoints;
    },
  };
}

/**
 * `SHUTDOWN_DRAIN_MS`: after SIGTERM a service reports not ready at once, keeps serving for this long so
 * load balancers (Kubernetes endpoints, HAProxy health checks) stop sending it new work, and only then stops
 * taking work and finishes what is in flight. Default 5000 in production (a few readiness-probe/health-check
 * periods of propagation), 0 elsewhere so `npm start` and tests stop at once.
 */
export function shutdownDrainField(nodeEnv: string): Field<number> {
  return env.int({ default: nodeEnv === 'production' ? 5000 : 0, min: 0, max: 120_000 });
}
