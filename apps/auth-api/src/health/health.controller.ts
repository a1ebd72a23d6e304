import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type Redis from 'ioredis';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { MfaPattern } from '@twostep/contracts';
import { randomHex } from '@twostep/crypto';
import { runReadiness } from '@twostep/observability';
import { MfaClient } from '../mfa-client/mfa-client.service';
import { METRICS, REDIS } from '../core/tokens';
import { Access } from '../access/access.decorator';
import { ShutdownState } from './shutdown-state';

/** Liveness, readiness (Postgres, Redis and mfa-service answer) and Prometheus metrics. */
@Controller('health')
@Access('infra')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly mfa: MfaClient,
    private readonly shutdown: ShutdownState,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() reply: FastifyReply) {
    if (this.shutdown.stopping) {
      return reply.status(503).send({ status: 'shutting down', checks: {} });
    }
    const report = await runReadiness({
      postgres: async () => void (await this.dataSource.query('SELECT 1')),
      redis: async () => void (await this.redis.ping()),
      'mfa-service': async () => {
        const nonce = randomHex(8);
        const res = await this.mfa.send(MfaPattern.Ping, { nonce }, 1000);
        if (res.nonce !== nonce) throw new Error('bad ping reply');
      },
    });
    return reply.status(report.ready ? 200 : 503).send({ status: report.ready ? 'ok' : 'unavailable', checks: report.checks });
  }
}

@Controller()
@Access('infra')
export class MetricsController {
  constructor(@Inject(METRICS) private readonly registry: Registry) {}

  @Get('metrics')
  @Header('cache-control', 'no-store')
  async metrics(@Res() reply: FastifyReply) {
    return reply.header('content-type', this.registry.contentType).send(await this.registry.metrics());
  }
}
