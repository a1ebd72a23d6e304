import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MfaPattern, MfaRpc } from '@twostep/contracts';
import { runReadiness } from '@twostep/observability';
import { ReadinessChecks } from '../health/readiness-checks';

type Ping = MfaRpc[typeof MfaPattern.Ping];

@Controller()
export class PingController {
  constructor(private readonly readiness: ReadinessChecks) {}

  @MessagePattern(MfaPattern.Ping)
  async ping(@Payload() request: unknown): Promise<Ping['response']> {
    const report = await runReadiness(this.readiness.checks(), 500);
    const nonce = (request as { nonce?: unknown } | null)?.nonce;
    return { nonce: typeof nonce === 'string' ? nonce.slice(0, 256) : '', ready: report.ready, now: this.readiness.now().toISOString() };
  }
}
