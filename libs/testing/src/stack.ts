import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, deleteTestKeys, TestDatabase, testInfra, testKey, uniqueTestPrefix } from './test-infra';
import { freePort, waitFor } from './ports';

/** `mfa-service-2` is a second mfa-service replica (same database and keys, its own ports), started with `mfaReplicas: 2`. */
export type ServiceName = 'auth-api' | 'mfa-service' | 'mfa-service-2' | 'notifier';
const ALL: ServiceName[] = ['mfa-service', 'mfa-service-2', 'notifier', 'auth-api'];
const ROOT = resolve(__dirname, '../../..');

export interface StackOptions {
  /** names the database and Redis prefix */
  label: string;
  /** which services to run (default: all three) */
  services?: ServiceName[];
  /** extra environment for every service (e.g. SMTP_URL, TWILIO_API_URL) */
  env?: Record<string, string | undefined>;
  /** extra environment for one service */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string | undefined>>>;
  /** 2: also run `mfa-service-2`, and give auth-api both RPC endpoints (default 1) */
  mfaReplicas?: 1 | 2;
}

/** Something between the test clients and auth-api's public port (the e2e suites' validating proxy). */
export interface EndpointProxy {
  /** `http://127.0.0.1:<port>`, standing for auth-api's base URL */
  url: string;
  close(): Promise<void>;
}

interface Running {
  child: ChildProcess;
  exited: Promise<number | null>;
}

/**
 * The built services (apps/<name>/dist/main.js) as separate processes against real Postgres and Redis,
 * each on free ports, with a database and Redis prefix of their own and every log line captured
 * (so a test can prove no secret was logged). Build first: `npm test` does.
 */
export class TestStack {
  readonly logs: Record<ServiceName, string[]> = { 'auth-api': [], 'mfa-service': [], 'mfa-service-2': [], notifier: [] };
  readonly env: Record<string, string>;
  private readonly running = new Map<ServiceName, Running>();
  private proxy: EndpointProxy | undefined;

  /**
   * When set, every stack puts it in front of auth-api's public port, and {@link endpoint} and
   * {@link baseUrl} point at it (test/e2e/support/response-validation.setup.ts sets it for the e2e
   * suites, to check every response against the OpenAPI description).
   */
  static endpointProxy: ((upstreamBaseUrl: string) => Promise<EndpointProxy>) | undefined;

  private constructor(
    readonly db: TestDatabase,
    readonly prefix: string,
    readonly ports: {
      http: number;
      authHealth: number;
      rpc: number;
      mfaHealth: number;
      notifierHealth: number;
      rpc2: number;
      mfaHealth2: number;
    },
    private readonly dataDir: string,
    env: Record<string, string>,
    private readonly serviceEnv: StackOptions['serviceEnv'],
    readonly mfaReplicas: 1 | 2 = 1,
  ) {
    this.env = env;
  }

  /** The public API as clients use it (through the endpoint proxy when there is one). */
  get endpoint(): string {
    return `${this.baseUrl}/v1`;
  }
  get baseUrl(): string {
    return this.proxy?.url ?? this.directBaseUrl;
  }
  /** auth-api's own port, bypassing any endpoint proxy. */
  get directBaseUrl(): string {
    return `http://127.0.0.1:${this.ports.http}`;
  }
  get projectId(): string {
    return this.env.APP_PROJECT_ID;
  }
  get apiKey(): string {
    return this.env.APP_API_KEY;
  }
  get redisUrl(): string {
    return this.env.REDIS_URL;
  }
  /** The management listener of a service (`/health/*`, `/metrics`), e.g. `http://127.0.0.1:<port>`. */
  managementUrl(service: ServiceName): string {
    return `http://127.0.0.1:${this.healthPort(service)}`;
  }
  healthUrl(service: ServiceName): string {
    return `${this.managementUrl(service)}/health/ready`;
  }
  metricsUrl(service: ServiceName): string {
    return `${this.managementUrl(service)}/metrics`;
  }
  private healthPort(service: ServiceName): number {
    return service === 'auth-api'
      ? this.ports.authHealth
      : service === 'mfa-service'
        ? this.ports.mfaHealth
        : service === 'mfa-service-2'
          ? this.ports.mfaHealth2
          : this.ports.notifierHealth;
  }

  static async start(options: StackOptions): Promise<TestStack> {
    const db = await createTestDatabase(options.label);
    const { redisUrl } = testInfra();
    const prefix = uniqueTestPrefix(options.label);
    const ports = {
      http: await freePort(),
      authHealth: await freePort(),
      rpc: await freePort(),
      mfaHealth: await freePort(),
      notifierHealth: await freePort(),
      rpc2: await freePort(),
      mfaHealth2: await freePort(),
    };
    const dataDir = mkdtempSync(join(tmpdir(), `twostep-${options.label}-`));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
      PORT: String(ports.http),
      HOST: '127.0.0.1',
      MFA_SERVICE_URL: `tcp://127.0.0.1:${ports.rpc}`,
      APP_PROJECT_ID: 'test-project',
      APP_PROJECT_NAME: 'Twostep Test',
      APP_API_KEY: `key_${testKey().replace(/[^A-Za-z0-9]/g, '')}`,
      MFA_ENCRYPTION_KEY: testKey(),
      QUEUE_ENCRYPTION_KEY: testKey(),
      MFA_RPC_KEY: testKey(),
      JWT_SIGNING_KEY: testKey(),
    };
    for (const [k, v] of Object.entries(options.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const replicas = options.mfaReplicas ?? 1;
    const stack = new TestStack(db, prefix, ports, dataDir, env, options.serviceEnv, replicas);
    try {
      await stack.migrate();
      const wanted = new Set<ServiceName>((options.services ?? ALL).filter((s) => s !== 'mfa-service-2'));
      if (replicas === 2 && wanted.has('mfa-service')) wanted.add('mfa-service-2');
      for (const s of ALL.filter((s) => wanted.has(s))) await stack.startService(s);
      if (TestStack.endpointProxy) stack.proxy = await TestStack.endpointProxy(stack.directBaseUrl);
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  private envFor(service: ServiceName): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...this.env };
    env.HEALTH_PORT = String(this.healthPort(service));
    if (service === 'mfa-service-2') env.MFA_SERVICE_URL = `tcp://127.0.0.1:${this.ports.rpc2}`;
    if (service === 'auth-api' && this.mfaReplicas === 2)
      env.MFA_SERVICE_URL = `tcp://127.0.0.1:${this.ports.rpc},tcp://127.0.0.1:${this.ports.rpc2}`;
    // the RPC key authenticates auth-api to mfa-service; the notifier never gets it
    if (service === 'notifier') delete env.MFA_RPC_KEY;
    for (const [k, v] of Object.entries(this.serviceEnv?.[service] ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    return env;
  }

  async migrate(): Promise<void> {
    for (const app of ['auth-api', 'mfa-service']) {
      const code = await new Promise<number | null>((res) => {
        const child = spawn(process.execPath, [join(ROOT, 'apps', app, 'dist', 'migrate.js')], {
          env: this.envFor('auth-api'),
          stdio: 'pipe',
        });
        let err = '';
        child.stderr?.on('data', (d) => (err += d.toString()));
        child.on('exit', (c) => {
          if (c !== 0) process.stderr.write(`${app} migrate: ${err}\n`);
          res(c);
        });
      });
      if (code !== 0) throw new Error(`${app} migrations failed (exit ${code})`);
    }
  }

  /** Starts a service and waits until its /health/ready answers 200 (auth-api) or it is live. */
  async startService(service: ServiceName, opts: { waitReady?: boolean } = {}): Promise<void> {
    if (this.running.has(service)) throw new Error(`${service} already running`);
    const app = service === 'mfa-service-2' ? 'mfa-service' : service;
    const child = spawn(process.execPath, [join(ROOT, 'apps', app, 'dist', 'main.js')], {
      env: this.envFor(service),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const sink = this.logs[service];
    const collect = (d: Buffer) => {
      for (const line of d.toString().split('\n')) if (line.trim()) sink.push(line);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    this.running.set(service, { child, exited });
    if (opts.waitReady === false) return;
    const url = this.healthUrl(service);
    await Promise.race([
      waitFor(async () => (await fetch(url)).status === 200, 20_000, 50, `${service} to be ready`),
      exited.then((code) => {
        throw new Error(`exited with code ${code}`);
      }),
    ]).catch((error: Error) => {
      this.running.delete(service);
      throw new Error(`${service} did not become ready: ${error.message}\n${sink.slice(-20).join('\n')}`);
    });
  }

  /** Sends `signal` and waits for the process to exit; returns its exit code. */
  async stopService(service: ServiceName, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<number | null> {
    const r = this.running.get(service);
    if (!r) return null;
    this.running.delete(service);
    if (r.child.exitCode !== null || r.child.signalCode !== null) return r.child.exitCode;
    r.child.kill(signal);
    const timer = setTimeout(() => r.child.kill('SIGKILL'), timeoutMs);
    try {
      return await r.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  isRunning(service: ServiceName): boolean {
    return this.running.has(service);
  }

  pid(service: ServiceName): number | undefined {
    return this.running.get(service)?.child.pid;
  }

  /** Every log line of every service, for secret-leak assertions. */
  allLogs(): string {
    return Object.values(this.logs)
      .map((l) => l.join('\n'))
      .join('\n');
  }

  async stop(): Promise<void> {
    for (const s of ['auth-api', 'notifier', 'mfa-service', 'mfa-service-2'] as ServiceName[])
      await this.stopService(s).catch(() => undefined);
    await this.proxy?.close().catch(() => undefined);
    await this.db.drop().catch(() => undefined);
    await deleteTestKeys(this.redisUrl, this.prefix).catch(() => undefined);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
