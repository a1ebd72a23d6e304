import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { MfaPattern, RpcPayload, RpcReply } from '@twostep/contracts';
import { runReadiness } from '@twostep/observability';
import { ReadinessChecks } from '../health/readiness-checks';
import { MfaRpcHandler } from '../validation/rpc-contract';

const { Ping } = MfaPattern;

@Controller()
export class PingController {
  constructor(private readonly readiness: ReadinessChecks) {}

  @MfaRpcHandler(Ping)
  async ping(@Payload() { nonce }: RpcPayload<typeof Ping>): Promise<RpcReply<typeof Ping>> {
    const report = await runReadiness(this.readiness.checks(), 500);
    return { nonce, ready: report.ready, now: this.readiness.now().toISOString() };
  }
}
