import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { otpDeliveryJobSchema, QueueName, securityNoticeJobSchema } from '@twostep/contracts';
import { bullPrefix, closeRedis, defaultQueuePolicy, redisReadinessCheck, reportRedisSafety, waitForRedis } from '@twostep/messaging';
import { JsonLogger, ReadinessCheck } from '@twostep/observability';
import { LOGGER } from '@twostep/platform';
import { ChannelRegistry } from '../channels/channel-registry.service';
import { ChannelModes, NOTIFIER_CONFIG, NotifierConfig } from '../config/notifier.config';
import { NotifierMetrics } from '../core/notifier-metrics.service';
import { CHANNEL_MODES, CLIENT_REDIS, WORKER_REDIS } from '../core/tokens';
import { DeliveryResultsPublisher } from '../delivery/delivery-results.publisher';
import { ChannelHeartbeat } from '../heartbeat/channel-heartbeat.service';
import { OtpDeliveryProcessor } from '../otp-delivery/otp-delivery.processor';
import { SecurityNoticesProcessor } from '../security-notices/security-notices.processor';
import { DeliveryWorker, DeliveryWorkerOptions } from './delivery-worker';

const REDIS_WAIT_MS = 5000;

/**
 * Starts and stops the notifier's moving parts in a fixed order. Start: one worker per queue, then
 * the channel heartbeat. Stop: heartbeat off, workers take no new job and finish their active ones,
 * then the results queue, metrics queues, channels and Redis connections close.
 */
@Injectable()
export class NotifierRuntime {
  private readonly workers: [DeliveryWorker<typeof otpDeliveryJobSchema>, DeliveryWorker<typeof securityNoticeJobSchema>];
  private stopping?: Promise<void>;
  private readonly production: boolean;
  private readonly redisCheck: ReadinessCheck;

  constructor(
    @Inject(NOTIFIER_CONFIG) config: NotifierConfig,
    @Inject(CHANNEL_MODES) private readonly modes: ChannelModes,
    @Inject(LOGGER) private readonly logger: JsonLogger,
    @Inject(WORKER_REDIS) private readonly workerRedis: Redis,
    @Inject(CLIENT_REDIS) private readonly clientRedis: Redis,
    private readonly metrics: NotifierMetrics,
    private readonly channels: ChannelRegistry,
    private readonly heartbeat: ChannelHeartbeat,
    private readonly results: DeliveryResultsPublisher,
    otpProcessor: OtpDeliveryProcessor,
    noticesProcessor: SecurityNoticesProcessor,
  ) {
    this.production = config.NODE_ENV === 'production';
    this.redisCheck = redisReadinessCheck(clientRedis, (problem) => logger.emit('error', problem));
    const base = {
      connection: workerRedis,
      prefix: bullPrefix(config.REDIS_KEY_PREFIX),
      lockDurationMs: config.WORKER_LOCK_DURATION_MS,
      stalledIntervalMs: config.WORKER_STALLED_INTERVAL_MS,
    };
    const otpOptions: DeliveryWorkerOptions = {
      ...base,
      concurrency: config.OTP_DELIVERY_CONCURRENCY,
      keepFailedSeconds: defaultQueuePolicy(QueueName.OtpDelivery).keepFailedSeconds,
    };
    const noticeOptions: DeliveryWorkerOptions = {
      ...base,
      concurrency: config.SECURITY_NOTICES_CONCURRENCY,
      keepFailedSeconds: defaultQueuePolicy(QueueName.SecurityNotices).keepFailedSeconds,
    };
    this.workers = [
      new DeliveryWorker(QueueName.OtpDelivery, otpDeliveryJobSchema, otpProcessor, otpOptions, logger, metrics),
      new DeliveryWorker(QueueName.SecurityNotices, securityNoticeJobSchema, noticesProcessor, noticeOptions, logger, metrics),
    ];
  }

  async start(): Promise<void> {
    const enabled = this.channels.enabled();
    this.metrics.channel('email', this.modes.email.kind, enabled.email);
    this.metrics.channel('sms', this.modes.sms.kind, enabled.sms);
    try {
      await waitForRedis(this.clientRedis, REDIS_WAIT_MS);
    } catch {
      // start anyway: the workers connect when Redis comes up, readiness stays false until then
      this.logger.emit('warn', 'redis not reachable yet, starting anyway');
    }
    await reportRedisSafety(this.clientRedis, this.production, (level, message, fields) => this.logger.emit(level, message, fields));
    for (const worker of this.workers) worker.start();
    await this.heartbeat.start();
    this.logger.emit('info', 'workers started', { mailVia: this.modes.email.kind, smsVia: this.modes.sms.kind });
  }

  /** Readiness: Redis answers and evicts nothing, and every worker is taking jobs. */
  readinessChecks(): Record<string, ReadinessCheck> {
    const checks: Record<string, ReadinessCheck> = { redis: this.redisCheck };
    for (const worker of this.workers) {
      checks[`${worker.queue}-worker`] = async () => {
        if (!worker.isRunning()) throw new Error('not running');
      };
    }
    return checks;
  }

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.heartbeat.stop();
    await Promise.all(this.workers.map((w) => w.close()));
    this.logger.emit('info', 'workers stopped, active jobs finished');
    await Promise.allSettled([this.results.close(), this.metrics.close(), this.channels.close()]);
    await Promise.allSettled([closeRedis(this.workerRedis), closeRedis(this.clientRedis)]);
  }
}
