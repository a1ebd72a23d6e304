import { Job, Queue } from 'bullmq';
import Redis from 'ioredis';
import {
  DeliveryResultJob,
  DeliveryResultJobName,
  JobId,
  MfaRpc,
  OtpDeliveryJob,
  OtpDeliveryJobName,
  OtpDeliverySecret,
  QueueName,
  RpcErrorPayload,
  sealContext,
} from '@twostep/contracts';
import { open, parseKeyring, rpcKeys, uniqueId } from '@twostep/crypto';
import { bullPrefix, RpcConnection } from '@twostep/messaging';
import { mfaDataSourceOptions } from '@twostep/mfa-data-access';
import { JsonLogger } from '@twostep/observability';
import { runMigrations } from '@twostep/persistence';
// test support (used only by *.int-spec.ts); the lint override for test files matches file names only
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestDatabase, freePort, TestDatabase, testInfra, testKey, uniqueTestPrefix } from '@twostep/testing';
import { Client } from 'pg';
import { createMfaService, MfaServiceApp } from '../../src/app.factory';
import { loadMfaServiceConfig, MfaServiceConfig } from '../../src/config/mfa-service.config';
import type { Clock } from '@twostep/platform';

/** A clock the test moves by hand: expiry and TOTP windows without sleeping. */
export class TestClock implements Clock {
  constructor(private ms: number) {}
  now(): Date {
    return new Date(this.ms);
  }
  set(at: Date | number): void {
    this.ms = typeof at === 'number' ? at : at.getTime();
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  get epochSeconds(): number {
    return Math.floor(this.ms / 1000);
  }
}

export type Pattern = keyof MfaRpc;

/** One authenticated RPC connection (MFA_RPC_KEY), as auth-api holds per replica. */
export class RpcClient {
  private constructor(private readonly conn: RpcConnection) {}

  static async open(config: MfaServiceConfig): Promise<RpcClient> {
    const { host, port } = config.MFA_SERVICE_URL[0];
    return new RpcClient(await RpcConnection.open(host, port, rpcKeys(parseKeyring(config.MFA_RPC_KEY)), 5000));
  }

  /** resolves with the response; rejects with the error payload (or a transport error) */
  send(pattern: string, request: unknown, timeoutMs = 15_000): Promise<unknown> {
    return this.conn.call(pattern, request, timeoutMs);
  }

  close(): void {
    this.conn.close();
  }
}

export interface HarnessOptions {
  /** extra or replaced environment for the service's config */
  env?: Record<string, string>;
  /** where the test clock starts (default: 10 s into a 30-s TOTP step in 2031) */
  start?: Date;
  /** reuse a database (its migrations already ran) */
  db?: TestDatabase;
}

/**
 * mfa-service in-process on free ports, against a fresh database (migrated with the real migrations)
 * and real Redis under a unique prefix, driven through real authenticated RPC connections. `stop()` closes
 * everything and removes the database and the Redis keys, so Jest exits by itself.
 */
export class MfaServiceHarness {
  private readonly queues = new Map<QueueName, { queue: Queue; connection: Redis }>();
  private readonly raceClients: RpcClient[] = [];

  private constructor(
    /** every log line the service wrote (to prove no secret was logged) */
    readonly logs: string[],
    readonly service: MfaServiceApp,
    readonly client: RpcClient,
    readonly clock: TestClock,
    readonly db: TestDatabase,
    readonly config: MfaServiceConfig,
    readonly redis: Redis,
    readonly healthPort: number,
    private readonly ownsDb: boolean,
  ) {}

  static async start(label: string, options: HarnessOptions = {}): Promise<MfaServiceHarness> {
    const db = options.db ?? (await createTestDatabase(`mfa${label}`));
    if (!options.db) await runMigrations(mfaDataSourceOptions(db.url, 2));
    const { redisUrl } = testInfra();
    const rpcPort = await freePort();
    const config = loadMfaServiceConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '12',
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: uniqueTestPrefix(label),
      MFA_SERVICE_URL: `tcp://127.0.0.1:${rpcPort}`,
      HEALTH_PORT: '0',
      MFA_ENCRYPTION_KEY: testKey(),
      QUEUE_ENCRYPTION_KEY: testKey(),
      MFA_RPC_KEY: testKey(),
      MFA_SHUTDOWN_GRACE_MS: '5000',
      ...options.env,
    });
    const clock = new TestClock((options.start ?? new Date('2031-03-04T05:06:10Z')).getTime());
    const logs: string[] = [];
    const logger = new JsonLogger('mfa-service', 'debug', { write: (line: string) => void logs.push(line) });
    const service = await createMfaService(config, logger, { clock });
    const healthPort = await service.start();
    const client = await RpcClient.open(config);
    const redis = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    return new MfaServiceHarness(logs, service, client, clock, db, config, redis, healthPort, !options.db);
  }

  get prefix(): string {
    return this.config.REDIS_KEY_PREFIX;
  }

  /** Sends one RPC and returns its response. */
  call<P extends Pattern>(pattern: P, request: unknown): Promise<MfaRpc[P]['response']> {
    return this.client.send(pattern, request) as Promise<MfaRpc[P]['response']>;
  }

  /** Sends one RPC that must fail and returns the error payload. */
  async fail(pattern: Pattern, request: unknown): Promise<RpcErrorPayload> {
    try {
      await this.call(pattern, request);
    } catch (error) {
      return error as RpcErrorPayload;
    }
    throw new Error(`${pattern} succeeded but was expected to fail`);
  }

  /**
   * Opens the service's whole database pool before a race. A cold pool serializes concurrent requests
   * (the first one runs on the one open connection while the others wait for theirs to be
   * established), which would hide exactly the races these tests are about.
   */
  async warmUp(): Promise<void> {
    await Promise.all(
      Array.from({ length: 3 * this.config.DATABASE_POOL_SIZE }, () => this.call('mfa.v1.factors.get', { userId: 'warm-up' })),
    );
  }

  /** Resolves to 'ok' or to the error type. */
  async outcome(pattern: Pattern, request: unknown, client: RpcClient = this.client): Promise<string> {
    try {
      await client.send(pattern, request);
      return 'ok';
    } catch (error) {
      return (error as RpcErrorPayload).type ?? String(error);
    }
  }

  /**
   * Sends the requests at the same moment, each on a connection of its own (as several auth-api
   * replicas would), after warming the database pool, and returns their outcomes in order. Several
   * messages written together on one connection would be held back by Nagle's algorithm until the
   * first one is acknowledged, which would serialize the race this is meant to provoke.
   */
  async race(requests: Array<[Pattern, unknown]>): Promise<string[]> {
    while (this.raceClients.length < requests.length) {
      this.raceClients.push(await RpcClient.open(this.config));
    }
    await this.warmUp();
    return Promise.all(requests.map(([pattern, request], i) => this.outcome(pattern, request, this.raceClients[i])));
  }

  /** A BullMQ queue of this deployment (one per name, closed by stop()). */
  queue(name: QueueName): Queue {
    let entry = this.queues.get(name);
    if (!entry) {
      const connection = this.redis.duplicate();
      entry = { queue: new Queue(name, { connection, prefix: bullPrefix(this.prefix) }), connection };
      this.queues.set(name, entry);
    }
    return entry.queue;
  }

  async deliveryJob(challengeId: string): Promise<Job<OtpDeliveryJob> | undefined> {
    return (await this.queue(QueueName.OtpDelivery).getJob(JobId.challengeCode(challengeId))) as Job<OtpDeliveryJob> | undefined;
  }

  /** What the notifier would read: the sealed secret of a challenge's delivery job. */
  async deliveredSecret(challengeId: string): Promise<OtpDeliverySecret> {
    const job = await this.deliveryJob(challengeId);
    if (!job) throw new Error(`no delivery job for ${challengeId}`);
    return open<OtpDeliverySecret>(
      job.data.sealed,
      parseKeyring(this.config.QUEUE_ENCRYPTION_KEY),
      sealContext(QueueName.OtpDelivery, OtpDeliveryJobName.MfaChallengeCode),
    );
  }

  /** The code the user would receive for an email or phone challenge. */
  async codeOf(challengeId: string): Promise<string> {
    return (await this.deliveredSecret(challengeId)).code!;
  }

  /** Reports a delivery outcome the way the notifier does. */
  async reportDelivery(result: Omit<DeliveryResultJob, 'name' | 'attempts' | 'channel'> & Partial<DeliveryResultJob>): Promise<void> {
    const q = this.queue(QueueName.DeliveryResults);
    const data: DeliveryResultJob = { name: DeliveryResultJobName.Outcome, channel: 'email', attempts: 1, ...result };
    await q.add(DeliveryResultJobName.Outcome, data, { jobId: `result-${uniqueId()}`, removeOnComplete: true });
  }

  /** Rows of the `mfa` schema, read directly (to prove what is and is not stored). */
  async sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    const c = new Client({ connectionString: this.db.url });
    await c.connect();
    try {
      return (await c.query(text, params)).rows as T[];
    } finally {
      await c.end();
    }
  }

  async metrics(): Promise<string> {
    return this.service.registry.metrics();
  }

  async stop(): Promise<void> {
    this.client.close();
    for (const c of this.raceClients) c.close();
    await this.service.stop();
    for (const { queue, connection } of this.queues.values()) {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close().catch(() => undefined);
      connection.disconnect();
    }
    await this.deleteKeys().catch(() => undefined);
    this.redis.disconnect();
    if (this.ownsDb) await this.db.drop();
  }

  private async deleteKeys(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 500);
      if (keys.length) await this.redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
}

/** A user id and session ids as auth-api would send them. */
export function newUser(): { userId: string; session: () => string } {
  return { userId: `u${uniqueId()}`, session: () => `s${uniqueId()}` };
}
