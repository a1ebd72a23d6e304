import { Inject, Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DeliveryChannel, DeliveryFailureReason, QueueName } from '@twostep/contracts';
import { bullPrefix } from '@twostep/messaging';
import { METRICS } from '@twostep/platform';
import { NOTIFIER_CONFIG, NotifierConfig } from '../config/notifier.config';
import { CLIENT_REDIS } from './tokens';

/** Job states reported by `notifier_queue_jobs`. */
const DEPTH_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;
/** Queues whose depth is reported: the two this service consumes and the one it produces. */
const OBSERVED_QUEUES = [QueueName.OtpDelivery, QueueName.SecurityNotices, QueueName.DeliveryResults] as const;

/**
 * The notifier's Prometheus metrics: messages sent, failed (by reason), dropped and retried, delivery
 * latency (from the producer's `requestedAt` to provider acceptance) and the depth of each queue,
 * read from Redis at scrape time.
 */
@Injectable()
export class NotifierMetrics {
  private readonly sent: Counter<'queue' | 'channel' | 'provider'>;
  private readonly failed: Counter<'queue' | 'channel' | 'reason'>;
  private readonly dropped: Counter<'queue' | 'reason'>;
  private readonly retried: Counter<'queue' | 'channel' | 'reason'>;
  private readonly latency: Histogram<'queue' | 'channel'>;
  private readonly channelEnabled: Gauge<'channel' | 'provider'>;
  private readonly depth: Gauge<'queue' | 'state'>;
  private readonly oldestWaiting: Gauge<'queue'>;
  private readonly smsCaps: Counter<'cap' | 'bucket'>;
  private readonly queues: Queue[];

  constructor(@Inject(METRICS) registry: Registry, @Inject(CLIENT_REDIS) redis: Redis, @Inject(NOTIFIER_CONFIG) config: NotifierConfig) {
    this.sent = new Counter({
      name: 'notifier_messages_sent_total',
      help: 'Messages accepted by a provider',
      labelNames: ['queue', 'channel', 'provider'],
      registers: [registry],
    });
    this.failed = new Counter({
      name: 'notifier_messages_failed_total',
      help: 'Messages given up on, by classified reason',
      labelNames: ['queue', 'channel', 'reason'],
      registers: [registry],
    });
    this.dropped = new Counter({
      name: 'notifier_messages_dropped_total',
      help: 'Jobs dropped without contacting a provider (expired or consumed)',
      labelNames: ['queue', 'reason'],
      registers: [registry],
    });
    this.retried = new Counter({
      name: 'notifier_delivery_retries_total',
      help: 'Transient delivery failures that will be retried',
      labelNames: ['queue', 'channel', 'reason'],
      registers: [registry],
    });
    this.latency = new Histogram({
      name: 'notifier_delivery_latency_seconds',
      help: 'Time from enqueue (requestedAt) to provider acceptance',
      labelNames: ['queue', 'channel'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers: [registry],
    });
    this.channelEnabled = new Gauge({
      name: 'notifier_channel_enabled',
      help: '1 when the channel can deliver, by provider (smtp, twilio, outbox)',
      labelNames: ['channel', 'provider'],
      registers: [registry],
    });
    this.smsCaps = new Counter({
      name: 'notifier_sms_cap_tripped_total',
      help: 'SMS refused by an abuse cap (destination, account, prefix, country), by bucket (verified, unverified destination)',
      labelNames: ['cap', 'bucket'],
      registers: [registry],
    });
    const prefix = bullPrefix(config.REDIS_KEY_PREFIX);
    this.queues = OBSERVED_QUEUES.map((name) => {
      const queue = new Queue(name, { connection: redis, prefix });
      queue.on('error', () => undefined); // a scrape during an outage simply omits the depth
      return queue;
    });
    const queues = this.queues;
    this.depth = new Gauge({
      name: 'notifier_queue_jobs',
      help: 'Jobs in each queue by state',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        this.reset();
        await Promise.all(
          queues.map(async (queue) => {
            try {
              const counts = await queue.getJobCounts(...DEPTH_STATES);
              for (const state of DEPTH_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
            } catch {
              /* Redis unavailable: no sample for this queue */
            }
          }),
        );
      },
    });
    this.oldestWaiting = new Gauge({
      name: 'notifier_queue_oldest_waiting_seconds',
      help: 'Age of the oldest job waiting for a worker in each queue (0 when none waits)',
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        this.reset();
        const now = Date.now();
        await Promise.all(
          queues.map(async (queue) => {
            try {
              const [oldest] = await queue.getWaiting(0, 0);
              this.set({ queue: queue.name }, oldest ? Math.max(0, (now - oldest.timestamp) / 1000) : 0);
            } catch {
              /* Redis unavailable: no sample for this queue */
            }
          }),
        );
      },
    });
  }

  channel(channel: DeliveryChannel, provider: string, enabled: boolean): void {
    this.channelEnabled.set({ channel, provider }, enabled ? 1 : 0);
  }

  recordSent(queue: QueueName, channel: DeliveryChannel, provider: string, latencySeconds?: number): void {
    this.sent.inc({ queue, channel, provider });
    if (latencySeconds !== undefined && Number.isFinite(latencySeconds) && latencySeconds >= 0)
      this.latency.observe({ queue, channel }, latencySeconds);
  }

  recordFailed(queue: QueueName, channel: DeliveryChannel | 'unknown', reason: DeliveryFailureReason): void {
    this.failed.inc({ queue, channel, reason });
  }

  recordDropped(queue: QueueName, reason: DeliveryFailureReason): void {
    this.dropped.inc({ queue, reason });
  }

  recordRetry(queue: QueueName, channel: DeliveryChannel | 'unknown', reason: DeliveryFailureReason): void {
    this.retried.inc({ queue, channel, reason });
  }

  smsCapTripped(cap: string, bucket: string): void {
    this.smsCaps.inc({ cap, bucket });
  }

  /** Closes the queues read for depth (not the Redis connection, which the core module owns). */
  async close(): Promise<void> {
    await Promise.allSettled(this.queues.map((q) => q.close()));
  }
}
