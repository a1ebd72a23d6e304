import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type Redis from 'ioredis';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { runReadiness } from '@twostep/observability';
import { METRICS, REDIS } from '../core/tokens';
import { Access } from '../access/access.decorator';
import { ShutdownState } from './shutdown-state';

/**
 * Liveness, readiness and Prometheus metrics. Ready means Postgres and Redis answer: mfa-service is not
 * part of it, so an mfa-service outage doesn't take auth-api (and the routes that don't need MFA) out of
 * its Service; the MFA routes answer a fast 503 meanwhile.
 */
@Controller('health')
@Access('infra')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
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
