import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Job, Worker } from 'bullmq';
import type Redis from 'ioredis';
import { DeliveryResultJob, DeliveryResultJobName, OtpDeliveryJobName, QueueName } from '@twostep/contracts';
import { bullPrefix, closeRedis, createRedis } from '@twostep/messaging';
import { JsonLogger, requestContext } from '@twostep/observability';
import { LOGGER } from '@twostep/platform';
import { MFA_SERVICE_CONFIG, MfaServiceConfig } from '../config/mfa-service.config';
import { CHALLENGE_ID } from '../validation/rpc-input';
import { ChallengesService } from './challenges.service';

/** How long shutdown waits for the active delivery-result jobs. */
const CLOSE_TIMEOUT_MS = 10_000;
const STATUSES = new Set<DeliveryResultJob['status']>(['sent', 'failed', 'dropped']);

/**
 * Consumes `delivery-results` and records, on the challenge, what the notifier reported about its
 * code (ChallengeGet shows it). Only `mfa-challenge-code` results are ours. Idempotent: a repeated
 * or older report changes nothing. A database error fails the job, and BullMQ retries it.
 */
@Injectable()
export class DeliveryResultsProcessor implements OnModuleDestroy {
  private worker?: Worker<DeliveryResultJob, string, DeliveryResultJobName>;
  private connection?: Redis;
  private closing?: Promise<void>;

  constructor(
    private readonly challenges: ChallengesService,
    @Inject(LOGGER) private readonly logger: JsonLogger,
    @Inject(MFA_SERVICE_CONFIG) private readonly config: MfaServiceConfig,
  ) {}

  /** Starts consuming (called once the RPC listener is up). */
  start(): void {
    if (this.worker) return;
    this.connection = createRedis(this.config.REDIS_URL, 'worker', 'mfa-service-delivery-results', (err) =>
      this.logger.emit('warn', 'delivery-results redis connection error', { error: err.message }),
    );
    this.worker = new Worker<DeliveryResultJob, string, DeliveryResultJobName>(
      QueueName.DeliveryResults,
      (job) => requestContext.runAs(job.data?.requestId, () => this.process(job)),
      {
        connection: this.connection,
        prefix: bullPrefix(this.config.REDIS_KEY_PREFIX),
        concurrency: 4,
      },
    );
    this.worker.on('error', (err) => this.logger.emit('warn', 'delivery-results worker error', { error: err.message }));
    this.worker.on('failed', (job, err) =>
      this.logger.emit('warn', 'delivery result could not be recorded', { jobId: job?.id, jobName: job?.name, error: err.message }),
    );
  }

  /** Ready when the worker runs and its Redis connection is up. */
  isReady(): boolean {
    return !!this.worker && this.worker.isRunning() && !this.closing && this.connection?.status === 'ready';
  }

  async process(job: Job<DeliveryResultJob, string, DeliveryResultJobName>): Promise<string> {
    const data = job.data;
    // eslint-disable-next-line no-restricted-syntax -- job names, not secrets
    if (job.name !== DeliveryResultJobName.Outcome || data?.deliveryName !== OtpDeliveryJobName.MfaChallengeCode) return 'ignored';
    const at = typeof data.at === 'string' ? new Date(data.at) : new Date(NaN);
    const valid =
      typeof data.referenceId === 'string' &&
      CHALLENGE_ID.test(data.referenceId) &&
      STATUSES.has(data.status) &&
      !Number.isNaN(at.getTime()) &&
      (data.reason === undefined || (typeof data.reason === 'string' && data.reason.length <= 64));
    if (!valid) {
      this.logger.emit('warn', 'malformed delivery result ignored', { jobId: job.id, jobName: job.name });
      return 'malformed';
    }
    const recorded = await this.challenges.recordDeliveryResult(data);
    this.logger.emit('debug', 'delivery result processed', { jobId: job.id, challengeId: data.referenceId, status: data.status, recorded });
    return recorded ? 'recorded' : 'unchanged';
  }

  /**
   * Stops taking jobs, lets the active ones finish, closes the connections. With Redis unreachable
   * nothing can finish (BullMQ's graceful close would wait forever): the worker is closed at once and
   * an interrupted job is retried by another worker after its lock expires (processing is idempotent).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const connected = this.connection?.status === 'ready';
      if (this.worker) {
        let timer: NodeJS.Timeout | undefined;
        const gaveUp = await Promise.race([
          this.worker.close(!connected).then(() => false),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(true), CLOSE_TIMEOUT_MS);
          }),
        ]);
        if (timer) clearTimeout(timer);
        if (gaveUp) this.logger.emit('warn', 'delivery-results worker did not close in time', { timeoutMs: CLOSE_TIMEOUT_MS });
      }
      if (this.connection) {
        if (this.connection.status === 'ready') await closeRedis(this.connection);
        else this.connection.disconnect();
      }
    })();
    return this.closing;
  }

  onModuleDestroy(): Promise<void> {
    return this.close();
  }
}
