import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { redisReadinessCheck } from '@twostep/messaging';
import { JsonLogger, ReadinessCheck } from '@twostep/observability';
import { CLOCK, Clock, LOGGER, REDIS } from '@twostep/platform';
import { DeliveryResultsProcessor } from '../challenges/delivery-results.processor';

/** What "ready" means for mfa-service: Postgres answers, Redis answers and evicts nothing, the delivery-results worker runs. */
@Injectable()
export class ReadinessChecks {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly deliveryResults: DeliveryResultsProcessor,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  checks(): Record<string, ReadinessCheck> {
    return {
      postgres: async () => void (await this.dataSource.query('SELECT 1')),
      redis: redisReadinessCheck(this.redis, (problem) => this.logger.emit('error', problem)),
      'delivery-results-worker': async () => {
        if (!this.deliveryResults.isReady()) throw new Error('worker not running');
      },
    };
  }

  now(): Date {
    return this.clock.now();
  }
}
