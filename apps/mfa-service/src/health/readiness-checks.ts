import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { ReadinessCheck } from '@twostep/observability';
import { DeliveryResultsProcessor } from '../challenges/delivery-results.processor';
import { CLOCK, Clock, REDIS } from '../core/tokens';

/** What "ready" means for mfa-service: Postgres and Redis answer, the delivery-results worker runs. */
@Injectable()
export class ReadinessChecks {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly deliveryResults: DeliveryResultsProcessor,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  checks(): Record<string, ReadinessCheck> {
    return {
      postgres: async () => void (await this.dataSource.query('SELECT 1')),
      redis: async () => void (await this.redis.ping()),
      'delivery-results-worker': async () => {
        if (!this.deliveryResults.isReady()) throw new Error('worker not running');
      },
    };
  }

  now(): Date {
    return this.clock.now();
  }
}
