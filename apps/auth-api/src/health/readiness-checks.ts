import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { redisReadinessCheck } from '@twostep/messaging';
import { JsonLogger, ReadinessCheck } from '@twostep/observability';
import { LOGGER, REDIS } from '@twostep/platform';

/**
 * What "ready" means for auth-api: Postgres answers, Redis answers and evicts nothing. mfa-service is not
 * part of it: its outage must not take auth-api (and the routes that don't need MFA) out of its Service;
 * the MFA routes answer a fast 503 meanwhile. Served by the management listener (HEALTH_HOST:HEALTH_PORT),
 * never on the public port.
 */
@Injectable()
export class ReadinessChecks {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  checks(): Record<string, ReadinessCheck> {
    return {
      postgres: async () => void (await this.dataSource.query('SELECT 1')),
      redis: redisReadinessCheck(this.redis, (problem) => this.logger.emit('error', problem)),
    };
  }
}
