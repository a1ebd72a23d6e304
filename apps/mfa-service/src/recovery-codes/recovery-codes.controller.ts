import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { MfaPattern, RpcPayload, RpcReply } from '@twostep/contracts';
import { MfaRpcHandler } from '../validation/rpc-contract';
import { RecoveryCodesService } from './recovery-codes.service';

const { RecoveryCodesCreate, RecoveryCodesGet, RecoveryCodesRegenerate } = MfaPattern;

@Controller()
export class RecoveryCodesController {
  constructor(private readonly recoveryCodes: RecoveryCodesService) {}

  @MfaRpcHandler(RecoveryCodesCreate)
  create(@Payload() p: RpcPayload<typeof RecoveryCodesCreate>): Promise<RpcReply<typeof RecoveryCodesCreate>> {
    return this.recoveryCodes.create(p.userId, p.sessionId ?? null);
  }

  @MfaRpcHandler(RecoveryCodesGet)
  get(@Payload() p: RpcPayload<typeof RecoveryCodesGet>): Promise<RpcReply<typeof RecoveryCodesGet>> {
    return this.recoveryCodes.get(p.userId);
  }

  @MfaRpcHandler(RecoveryCodesRegenerate)
  regenerate(@Payload() p: RpcPayload<typeof RecoveryCodesRegenerate>): Promise<RpcReply<typeof RecoveryCodesRegenerate>> {
    return this.recoveryCodes.regenerate(p.userId, p.sessionId ?? null);
  }
}
