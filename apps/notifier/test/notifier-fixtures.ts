import { randomBytes } from 'node:crypto';
import { Job, JobsOptions, Queue } from 'bullmq';
import Redis from 'ioredis';
import {
  DeliveryResultJob,
  JobId,
  OtpDeliveryJob,
  OtpDeliveryJobName,
  OtpDeliverySecret,
  QueueName,
  RequesterInfo,
  sealContext,
  SecurityEvent,
  SecurityNoticeJob,
  SecurityNoticeJobName,
  SecurityNoticeSecret,
} from '@twostep/contracts';
import { Keyring, parseKeyring, seal } from '@twostep/crypto';
import { bullPrefix, defaultQueuePolicy, jobOptions } from '@twostep/messaging';
import { JsonLogger } from '@twostep/observability';
import { createNotifier, NotifierApp } from '../src/app.factory';
import { loadNotifierConfig, NotifierConfig } from '../src/config/notifier.config';

/** Test helpers shared by the notifier's integration suites (producing jobs exactly as producers do). */

export function uniqueId(): string {
  return randomBytes(8).toString('hex');
}

export interface RunningNotifier {
  app: NotifierApp;
  config: NotifierConfig;
  keyring: Keyring;
  /** every log line the notifier wrote */
  logs: string[];
  healthPort: number;
  url(path: string): string;
  stop(): Promise<void>;
}

/** Builds, starts and returns an in-process notifier for `env` (HEALTH_PORT 0: any free port). */
export async function startNotifier(env: Record<string, string | undefined>): Promise<RunningNotifier> {
  const config = loadNotifierConfig({ NODE_ENV: 'test', LOG_LEVEL: 'debug', HEALTH_PORT: '0', ...env });
  const logs: string[] = [];
  const logger = new JsonLogger('notifier', config.LOG_LEVEL, { write: (line: string) => void logs.push(line) });
  const app = await createNotifier(config, logger);
  const healthPort = await app.start();
  let stopped = false;
  return {
    app,
    config,
    keyring: parseKeyring(config.QUEUE_ENCRYPTION_KEY),
    logs,
    healthPort,
    url: (path) => `http://127.0.0.1:${healthPort}${path}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.stop();
    },
  };
}

export interface OtpJobInput {
  name?: OtpDeliveryJobName;
  channel?: 'email' | 'sms';
  referenceId?: string;
  userId?: string;
  locale?: string;
  projectName?: string;
  /** ms from now (negative: already expired) */
  expiresInMs?: number;
  requester?: RequesterInfo;
  secret: OtpDeliverySecret;
}

/** An `otp-delivery` payload sealed exactly as mfa-service and auth-api seal it. */
export function otpJob(keyring: Keyring, input: OtpJobInput): OtpDeliveryJob {
  const name = input.name ?? OtpDeliveryJobName.MfaChallengeCode;
  const now = Date.now();
  return {
    name,
    channel: input.channel ?? 'email',
    referenceId: input.referenceId ?? uniqueId(),
    userId: input.userId ?? uniqueId(),
    locale: input.locale ?? 'en',
    projectName: input.projectName ?? 'Acme Cloud',
    expiresAt: new Date(now + (input.expiresInMs ?? 600_000)).toISOString(),
    requestedAt: new Date(now).toISOString(),
    requester: input.requester,
    sealed: seal(input.secret, keyring, sealContext(QueueName.OtpDelivery, name)),
  };
}

export function noticeJob(keyring: Keyring, event: SecurityEvent, secret: SecurityNoticeSecret, locale = 'en'): SecurityNoticeJob {
  return {
    name: SecurityNoticeJobName.Notice,
    noticeId: uniqueId(),
    event,
    userId: uniqueId(),
    locale,
    projectName: 'Acme Cloud',
    occurredAt: new Date().toISOString(),
    requester: { clientName: 'Firefox 128', osName: 'Linux', deviceName: 'Desktop' },
    sealed: seal(secret, keyring, sealContext(QueueName.SecurityNotices, SecurityNoticeJobName.Notice)),
  };
}

/** Fast retries for tests: the producers' policy with a 100 ms first backoff. */
export const FAST_RETRY: JobsOptions = { backoff: { type: 'exponential', delay: 100, jitter: 0.5 } };

/** The producers' side of the queues, under the deployment's BullMQ prefix. */
export class TestProducer {
  readonly redis: Redis;
  readonly otp: Queue<OtpDeliveryJob>;
  readonly notices: Queue<SecurityNoticeJob>;
  readonly results: Queue<DeliveryResultJob>;

  constructor(
    redisUrl: string,
    readonly prefix: string,
  ) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const opts = { connection: this.redis, prefix: bullPrefix(prefix) };
    this.otp = new Queue<OtpDeliveryJob>(QueueName.OtpDelivery, opts);
    this.notices = new Queue<SecurityNoticeJob>(QueueName.SecurityNotices, opts);
    this.results = new Queue<DeliveryResultJob>(QueueName.DeliveryResults, opts);
  }

  /** Adds an OTP job with the producers' options (id `challenge-<referenceId>`); returns the job id. */
  async addOtp(job: OtpDeliveryJob, overrides: JobsOptions = {}): Promise<string> {
    const jobId =
      job.name === OtpDeliveryJobName.MfaChallengeCode ? JobId.challengeCode(job.referenceId) : JobId.verification(job.referenceId);
    await this.otp.add(job.name as never, job as never, {
      ...jobOptions(defaultQueuePolicy(QueueName.OtpDelivery)),
      ...FAST_RETRY,
      ...overrides,
      jobId,
    });
    return jobId;
  }

  async addNotice(job: SecurityNoticeJob, overrides: JobsOptions = {}): Promise<string> {
    const jobId = JobId.securityNotice(job.noticeId);
    await this.notices.add(job.name as never, job as never, {
      ...jobOptions(defaultQueuePolicy(QueueName.SecurityNotices)),
      ...FAST_RETRY,
      ...overrides,
      jobId,
    });
    return jobId;
  }

  /** The result published for a delivery job, once it is there. */
  async result(deliveryJobId: string, timeoutMs = 10_000): Promise<DeliveryResultJob> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = (await this.results.getJob(JobId.deliveryResult(deliveryJobId))) as Job<DeliveryResultJob> | undefined;
      if (job) return job.data;
      if (Date.now() > deadline) throw new Error(`no delivery result for ${deliveryJobId} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The job's state in its queue ('completed' jobs are removed, so they read as 'unknown'). */
  async otpState(jobId: string): Promise<string> {
    return this.otp.getJobState(jobId);
  }

  /** Every key of this deployment with its value(s), as one string (to look for secrets). */
  async dump(): Promise<string> {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const type = await this.redis.type(key);
        let value: unknown;
        if (type === 'string') value = await this.redis.get(key);
        else if (type === 'hash') value = await this.redis.hgetall(key);
        else if (type === 'list') value = await this.redis.lrange(key, 0, -1);
        else if (type === 'set') value = await this.redis.smembers(key);
        else if (type === 'zset') value = await this.redis.zrange(key, 0, -1, 'WITHSCORES');
        else if (type === 'stream') value = await this.redis.xrange(key, '-', '+');
        out.push(`${key} ${JSON.stringify(value)}`);
      }
    } while (cursor !== '0');
    return out.join('\n');
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.otp.close(), this.notices.close(), this.results.close()]);
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await this.redis.del(...keys);
    } while (cursor !== '0');
    await this.redis.quit();
  }
}
