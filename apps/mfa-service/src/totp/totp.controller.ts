import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { MfaPattern, RpcPayload, RpcReply } from '@twostep/contracts';
import { MfaRpcHandler } from '../validation/rpc-contract';
import { TotpService } from './totp.service';

const { TotpCreate, TotpVerify, TotpDelete } = MfaPattern;

@Controller()
export class TotpController {
  constructor(private readonly totp: TotpService) {}

  @MfaRpcHandler(TotpCreate)
  create(@Payload() p: RpcPayload<typeof TotpCreate>): Promise<RpcReply<typeof TotpCreate>> {
    return this.totp.create(p.userId, p.accountName, p.issuer);
  }

  @MfaRpcHandler(TotpVerify)
  verify(@Payload() p: RpcPayload<typeof TotpVerify>): Promise<RpcReply<typeof TotpVerify>> {
    return this.totp.verifyEnrollment(p.userId, p.otp, p.sessionId ?? null);
  }

  @MfaRpcHandler(TotpDelete)
  delete(@Payload() p: RpcPayload<typeof TotpDelete>): Promise<RpcReply<typeof TotpDelete>> {
    return this.totp.delete(p.userId);
  }
}
