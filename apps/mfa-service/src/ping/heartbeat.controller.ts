import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { MfaPattern, MfaRpc } from '@twostep/contracts';

type Heartbeat = MfaRpc[typeof MfaPattern.Heartbeat];

/**
 * auth-api's endpoint pool asks each replica this every few hundred milliseconds: an answer proves the
 * process and its event loop are alive. It touches neither Postgres nor Redis. While the replica drains
 * (SIGTERM) the in-flight interceptor answers 503 instead, and auth-api stops sending it new calls.
 */
@Controller()
export class HeartbeatController {
  @MessagePattern(MfaPattern.Heartbeat)
  heartbeat(): Heartbeat['response'] {
    return { accepting: true };
  }
}
