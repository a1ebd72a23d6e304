import { Controller } from '@nestjs/common';
import { AppError, MfaPattern, RpcReply } from '@twostep/contracts';
import { InFlightRequests } from '../core/in-flight.interceptor';
import { MfaRpcHandler } from '../validation/rpc-contract';

const { Heartbeat } = MfaPattern;

/**
 * auth-api's endpoint pool asks each replica this every few hundred milliseconds: an answer proves the
 * process and its event loop are alive. It touches neither Postgres nor Redis. While the replica drains
 * (from SIGTERM on, while it still answers calls for SHUTDOWN_DRAIN_MS) the heartbeat answers 503, and
 * auth-api stops sending it new calls.
 */
@Controller()
export class HeartbeatController {
  constructor(private readonly requests: InFlightRequests) {}

  /** Takes no input (its payload is not even parsed: the probe stays as cheap as possible). */
  @MfaRpcHandler(Heartbeat)
  heartbeat(): RpcReply<typeof Heartbeat> {
    if (this.requests.isLeaving)
      throw new AppError('general_service_unavailable', 'The MFA service is shutting down.', { retryAfterSeconds: 1 });
    return { accepting: true };
  }
}
