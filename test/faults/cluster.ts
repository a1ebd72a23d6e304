import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, freePort, TestDatabase, testInfra, testKey, uniqueTestPrefix, waitFor } from '@twostep/testing';
import { authApiSchema, loadAuthApiConfig } from '../../apps/auth-api/src/config/auth-api.config';

const ROOT = resolve(__dirname, '../..');
/** auth-api's deadline for one RPC call (MFA_RPC_TIMEOUT_MS), which no request may outlast by more than a small margin */
export const RPC_DEADLINE_MS = 2000;
export type Service = 'auth-api' | 'mfa-service' | 'notifier';

export interface Replica {
  service: Service;
  index: number;
  /** public port (auth-api), RPC port (mfa-service) */
  port: number;
  healthPort: number;
  child?: ChildProcess;
  exited?: Promise<number | null>;
  logs: string[];
}

/** auth-api's health endpoints: on HEALTH_PORT once the management port exists, else on PORT. */
const AUTH_HAS_HEALTH_PORT = 'HEALTH_PORT' in authApiSchema({});
/** Several MFA_SERVICE_URL endpoints (the rpc engineer's client); without it auth-api uses replica 0 only. */
export const MULTI_ENDPOINT_RPC = (() => {
  try {
    loadAuthApiConfig({ MFA_SERVICE_URL: 'tcp://127.0.0.1:1,tcp://127.0.0.1:2', DATABASE_URL: 'postgres://x@h/d' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * The built services as separate processes on loopback, `replicas` of each, against real Postgres and a
 * Redis of the caller's choosing, with HAProxy (from the system packages) in front of the auth-api replicas.
 */
export class Cluster {
  readonly replicas: Replica[] = [];
  readonly env: Record<string, string>;
  private haproxy?: ChildProcess;
  private readonly dir: string;
  lbPort = 0;

  private constructor(
    readonly db: TestDatabase,
    readonly prefix: string,
    env: Record<string, string>,
  ) {
    this.env = env;
    this.dir = mkdtempSync(join(tmpdir(), 'twostep-faults-'));
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.lbPort}/v1`;
  }
  get projectId(): string {
    return this.env.APP_PROJECT_ID;
  }
  get apiKey(): string {
    return this.env.APP_API_KEY;
  }

  static async start(opts: { label: string; redisUrl?: string; env?: Record<string, string>; replicas?: number }): Promise<Cluster> {
    const db = await createTestDatabase(opts.label);
    const prefix = uniqueTestPrefix(opts.label);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: db.url,
      REDIS_URL: opts.redisUrl ?? testInfra().redisUrl,
      REDIS_KEY_PREFIX: prefix,
      HOST: '127.0.0.1',
      APP_PROJECT_ID: 'faults',
      APP_PROJECT_NAME: 'Twostep Faults',
      APP_API_KEY: `key_${testKey().replace(/[^A-Za-z0-9]/g, '')}`,
      MFA_ENCRYPTION_KEY: testKey(),
      QUEUE_ENCRYPTION_KEY: testKey(),
      MFA_RPC_KEY: testKey(),
      RATE_LIMIT_ENABLED: 'false',
      MFA_RPC_TIMEOUT_MS: String(RPC_DEADLINE_MS),
      SHUTDOWN_DRAIN_MS: '2000',
      ...opts.env,
    };
    const cluster = new Cluster(db, prefix, env);
    cluster.env.DATA_DIR = cluster.dir;
    const n = opts.replicas ?? 2;
    for (const service of ['mfa-service', 'notifier', 'auth-api'] as Service[]) {
      for (let index = 0; index < n; index++)
        cluster.replicas.push({ service, index, port: await freePort(), healthPort: await freePort(), logs: [] });
    }
    const mfa = cluster.of('mfa-service');
    cluster.env.MFA_SERVICE_URL = (MULTI_ENDPOINT_RPC ? mfa : mfa.slice(0, 1)).map((r) => `tcp://127.0.0.1:${r.port}`).join(',');
    try {
      await cluster.migrate();
      for (const r of cluster.replicas) await cluster.startReplica(r);
      await cluster.startHaproxy();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  of(service: Service): Replica[] {
    return this.replicas.filter((r) => r.service === service);
  }

  healthUrl(r: Replica): string {
    const port = r.service === 'auth-api' && !AUTH_HAS_HEALTH_PORT ? r.port : r.healthPort;
    return `http://127.0.0.1:${port}/health/ready`;
  }

  private async migrate(): Promise<void> {
    for (const app of ['auth-api', 'mfa-service']) {
      const code = await new Promise<number | null>((res) =>
        spawn(process.execPath, [join(ROOT, 'apps', app, 'dist', 'migrate.js')], { env: this.env, stdio: 'ignore' }).on('exit', res),
      );
      if (code !== 0) throw new Error(`${app} migrations failed (exit ${code})`);
    }
  }

  async startReplica(r: Replica, extraEnv: Record<string, string> = {}): Promise<void> {
    const env: Record<string, string> = { ...this.env, ...extraEnv, HEALTH_PORT: String(r.healthPort) };
    if (r.service === 'auth-api') env.PORT = String(r.port);
    if (r.service === 'mfa-service') env.MFA_SERVICE_URL = `tcp://127.0.0.1:${r.port}`;
    const child = spawn(process.execPath, [join(ROOT, 'apps', r.service, 'dist', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => {
      r.logs.push(...d.toString().split('\n').filter(Boolean));
      if (r.logs.length > 200) r.logs.splice(0, r.logs.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    r.child = child;
    r.exited = new Promise((res) => child.on('exit', (code) => res(code)));
    await Promise.race([
      waitFor(async () => (await fetch(this.healthUrl(r))).status === 200, 30_000, 50, `${r.service}#${r.index} ready`),
      r.exited.then((code) => {
        throw new Error(`${r.service}#${r.index} exited with ${code}: ${r.logs.slice(-10).join('\n')}`);
      }),
    ]);
  }

  /**
   * `n` more auth-api replicas on the same Postgres, Redis and mfa-services, outside HAProxy (clients call
   * them directly) and with settings of their own, e.g. rate limits on while the load's replicas run without.
   */
  async startDetachedAuthApis(n: number, env: Record<string, string>): Promise<Replica[]> {
    const started: Replica[] = [];
    try {
      for (let i = 0; i < n; i++) {
        const r: Replica = { service: 'auth-api', index: 100 + i, port: await freePort(), healthPort: await freePort(), logs: [] };
        started.push(r);
        await this.startReplica(r, env);
      }
    } catch (error) {
      for (const r of started) await this.stopReplica(r, 'SIGKILL');
      throw error;
    }
    return started;
  }

  /** Sends `signal` and waits for the process to exit. */
  async stopReplica(r: Replica, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (!r.child || r.child.exitCode !== null || r.child.signalCode !== null) return r.child?.exitCode ?? null;
    r.child.kill(signal);
    const timer = setTimeout(() => r.child?.kill('SIGKILL'), 90_000);
    try {
      return await r.exited!;
    } finally {
      clearTimeout(timer);
    }
  }

  private async startHaproxy(): Promise<void> {
    this.lbPort = await freePort();
    const servers = this.of('auth-api')
      .map((r) => {
        const healthPort = AUTH_HAS_HEALTH_PORT ? r.healthPort : r.port;
        return `  server api${r.index} 127.0.0.1:${r.port} check port ${healthPort} inter 250ms fall 2 rise 2`;
      })
      .join('\n');
    const cfg = `global
  maxconn 2000
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  retries 2
  option redispatch 1
  retry-on conn-failure empty-response
frontend api
  bind 127.0.0.1:${this.lbPort}
  default_backend auth
backend auth
  balance roundrobin
  http-response set-header X-Served-By %s
  # as the shipped docker/haproxy.cfg (inter 1s fall 2), faster: two failed checks mark a server down, and a
  # check may take 1 s (one slow readiness answer of the only replica serving, during a rolling restart on a
  # loaded machine, must not take it out); a stopping replica keeps serving SHUTDOWN_DRAIN_MS (2 s) longer
  timeout check 1s
  option httpchk GET /health/ready
  http-check expect status 200
${servers}
`;
    const file = join(this.dir, 'haproxy.cfg');
    writeFileSync(file, cfg);
    this.haproxy = spawn('haproxy', ['-db', '-f', file], { stdio: 'ignore' });
    await waitFor(
      async () => (await fetch(`${this.endpoint}/account`, { headers: { 'x-appwrite-project': this.projectId } })).status === 401,
      15_000,
      100,
      'haproxy',
    );
  }

  async stop(): Promise<void> {
    this.haproxy?.kill('SIGTERM');
    for (const r of [...this.replicas].reverse()) await this.stopReplica(r, 'SIGKILL').catch(() => undefined);
    await this.db.drop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A redis-server of the suite's own (never the shared one) with AOF on, so an experiment can stop and
 * restart it: same port, same data directory, jobs kept in the append-only file.
 */
export class OwnRedis {
  private child?: ChildProcess;
  private exited?: Promise<unknown>;
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort(), mkdtempSync(join(tmpdir(), 'twostep-faults-redis-')));
    await redis.run();
    return redis;
  }

  async run(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--maxmemory-policy',
      'noeviction',
      '--save',
      '',
    ];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    this.exited = new Promise((res) => child.on('exit', res));
    await waitFor(
      () =>
        new Promise<boolean>((res) => {
          const socket = connect(this.port, '127.0.0.1');
          socket.once('connect', () => (socket.end(), res(true)));
          socket.once('error', () => res(false));
        }),
      10_000,
      50,
      'redis-server',
    );
  }

  /** SIGTERM: Redis flushes the AOF and exits, as a restart by an orchestrator does. */
  async stop(): Promise<void> {
    this.child?.kill('SIGTERM');
    await this.exited;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
