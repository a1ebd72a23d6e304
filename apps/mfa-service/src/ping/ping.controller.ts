import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { MfaPattern, MfaRpc } from '@twostep/contracts';
import { runReadiness } from '@twostep/observability';
import { CLOCK, Clock, REDIS } from '../core/tokens';

type Ping = MfaRpc[typeof MfaPattern.Ping];

@Controller()
export class PingController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @MessagePattern(MfaPattern.Ping)
  async ping(@Payload() request: Ping['request']): Promise<Ping['response']> {
    const report = await runReadiness(
      {
        postgres: async () => void (await this.dataSource.query('SELECT 1')),
        redis: async () => void (await this.redis.ping()),
      },
      500,
    );
    return { nonce: String(request?.nonce ?? ''), ready: report.ready, now: this.clock.now().toISOString() };
  }
}
