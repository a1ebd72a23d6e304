import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { assertJob, DeliveryResultJob, DeliveryResultJobName, JobId, QueueName } from '@twostep/contracts';
import { bullPrefix, defaultQueuePolicy, QueueProducer } from '@twostep/messaging';
import { requestContext } from '@twostep/observability';
import { NOTIFIER_CONFIG, NotifierConfig } from '../config/notifier.config';
import { WORKER_REDIS } from '../core/tokens';

export type DeliveryResult = Omit<DeliveryResultJob, 'name'>;

/**
 * Publishes the outcome of an `otp-delivery` job on `delivery-results`, with the idempotent id
 * `result-<delivery job id>`: reporting the same delivery twice enqueues one result.
 */
@Injectable()
export class DeliveryResultsPublisher {
  private readonly producer: QueueProducer<DeliveryResultJob, DeliveryResultJobName>;

  constructor(@Inject(WORKER_REDIS) redis: Redis, @Inject(NOTIFIER_CONFIG) config: NotifierConfig) {
    this.producer = new QueueProducer<DeliveryResultJob, DeliveryResultJobName>(
      QueueName.DeliveryResults,
      redis,
      bullPrefix(config.REDIS_KEY_PREFIX),
      defaultQueuePolicy(QueueName.DeliveryResults),
      5000,
    );
  }

  async publish(deliveryJobId: string, result: DeliveryResult): Promise<void> {
    // the delivery job runs under its producer's request id: the result carries it on
    const data: DeliveryResultJob = { name: DeliveryResultJobName.Outcome, ...result, ...requestContext.jobField() };
    assertJob(QueueName.DeliveryResults, data);
    await this.producer.add(DeliveryResultJobName.Outcome, data, JobId.deliveryResult(deliveryJobId));
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}
