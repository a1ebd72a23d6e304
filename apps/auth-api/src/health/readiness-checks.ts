import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { MfaPattern } from '@twostep/contracts';
import { randomHex } from '@twostep/crypto';
import { redisReadinessCheck } from '@twostep/messaging';
import { JsonLogger, ReadinessCheck } from '@twostep/observability';
import { MfaClient } from '../mfa-client/mfa-client.service';
import { LOGGER, REDIS } from '../core/tokens';

/**
 * What "ready" means for auth-api: Postgres answers, Redis answers and evicts nothing, mfa-service
 * answers. Served by the management listener (HEALTH_HOST:HEALTH_PORT), never on the public port.
 */
@Injectable()
export class ReadinessChecks {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly mfa: MfaClient,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  checks(): Record<string, ReadinessCheck> {
    return {
      postgres: async () => void (await this.dataSource.query('SELECT 1')),
      redis: redisReadinessCheck(this.redis, (problem) => this.logger.emit('error', problem)),
      'mfa-service': async () => {
        const nonce = randomHex(8);
        const res = await this.mfa.send(MfaPattern.Ping, { nonce }, 1000);
        if (res.nonce !== nonce) throw new Error('bad ping reply');
      },
    };
  }
}
