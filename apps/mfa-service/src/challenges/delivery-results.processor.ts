import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { DeliveryResultJob, deliveryResultJobSchema, OtpDeliveryJobName, QueueName } from '@twostep/contracts';
import { bullPrefix, closeRedis, createRedis, HostedJob, WorkerHost } from '@twostep/messaging';
import { JsonLogger } from '@twostep/observability';
import { MFA_SERVICE_CONFIG, MfaServiceConfig } from '../config/mfa-service.config';
import { LOGGER } from '@twostep/platform';
import { ChallengesService } from './challenges.service';

/** How long shutdown waits for the active delivery-result jobs. */
const CLOSE_TIMEOUT_MS = 10_000;

type DeliveryResult = HostedJob<DeliveryResultJob>;

/**
 * Consumes `delivery-results` (through the shared {@link WorkerHost}: a job that fails the queue's schema
 * is failed permanently, logged without content) and records, on the challenge, what the notifier
 * reported about its code (ChallengeGet shows it). Only `mfa-challenge-code` results are ours.
 * Idempotent: a repeated or older report changes nothing. A database error fails the job, and BullMQ
 * retries it.
 */
@Injectable()
export class DeliveryResultsProcessor implements OnModuleDestroy {
  private readonly host: WorkerHost<typeof deliveryResultJobSchema>;
  private connection?: Redis;
  private started = false;
  private closing?: Promise<void>;

  constructor(
    private readonly challenges: ChallengesService,
    @Inject(LOGGER) private readonly logger: JsonLogger,
    @Inject(MFA_SERVICE_CONFIG) config: MfaServiceConfig,
  ) {
    this.host = new WorkerHost({
      queue: QueueName.DeliveryResults,
      schema: deliveryResultJobSchema,
      // connected by start(), once the RPC listener is up
      connection: () => {
        this.connection = createRedis(config.REDIS_URL, 'worker', 'mfa-service-delivery-results', (err) =>
          this.logger.emit('warn', 'delivery-results redis connection error', { error: err.message }),
        );
        return this.connection;
      },
      prefix: bullPrefix(config.REDIS_KEY_PREFIX),
      service: 'mfa-service',
      concurrency: 4,
      logger,
      handle: (job) => this.process(job),
    });
  }

  /** Starts consuming (called once the RPC listener is up). */
  start(): void {
    this.started = true;
    this.host.start();
  }

  /** Ready when the worker runs and its Redis connection is up. */
  isReady(): boolean {
    return this.started && this.host.isRunning() && !this.closing && this.connection?.status === 'ready';
  }

  async process(job: DeliveryResult): Promise<string> {
    const data = job.data;
    // eslint-disable-next-line no-restricted-syntax -- job names, not secrets
    if (data.deliveryName !== OtpDeliveryJobName.MfaChallengeCode) return 'ignored';
    try {
      const recorded = await this.challenges.recordDeliveryResult(data);
      this.logger.emit('debug', 'delivery result processed', {
        jobId: job.id,
        challengeId: data.referenceId,
        status: data.status,
        recorded,
      });
      return recorded ? 'recorded' : 'unchanged';
    } catch (error) {
      this.logger.emit('warn', 'delivery result could not be recorded', {
        jobId: job.id,
        jobName: job.name,
        error: error instanceof Error ? error.message : 'error',
      });
      throw error;
    }
  }

  /**
   * Stops taking jobs, lets the active ones finish, closes the connections. With Redis unreachable
   * nothing can finish (BullMQ's graceful close would wait forever): the worker is closed at once and
   * an interrupted job is retried by another worker after its lock expires (processing is idempotent).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const connected = this.connection?.status === 'ready';
      if (this.started) {
        let timer: NodeJS.Timeout | undefined;
        const gaveUp = await Promise.race([
          this.host.close(!connected).then(() => false),
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
