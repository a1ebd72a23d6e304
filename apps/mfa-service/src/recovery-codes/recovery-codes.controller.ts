import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MfaPattern, MfaRpc } from '@twostep/contracts';
import { enrollingSessionIdOf, payloadOf, userIdOf } from '../validation/rpc-input';
import { RecoveryCodesService } from './recovery-codes.service';

type Rpc<P extends keyof MfaRpc> = MfaRpc[P]['response'];

@Controller()
export class RecoveryCodesController {
  constructor(private readonly recoveryCodes: RecoveryCodesService) {}

  @MessagePattern(MfaPattern.RecoveryCodesCreate)
  create(@Payload() payload: unknown): Promise<Rpc<typeof MfaPattern.RecoveryCodesCreate>> {
    const p = payloadOf(payload);
    return this.recoveryCodes.create(userIdOf(p), enrollingSessionIdOf(p));
  }

  @MessagePattern(MfaPattern.RecoveryCodesGet)
  get(@Payload() payload: unknown): Promise<Rpc<typeof MfaPattern.RecoveryCodesGet>> {
    return this.recoveryCodes.get(userIdOf(payloadOf(payload)));
  }

  @MessagePattern(MfaPattern.RecoveryCodesRegenerate)
  regenerate(@Payload() payload: unknown): Promise<Rpc<typeof MfaPattern.RecoveryCodesRegenerate>> {
    const p = payloadOf(payload);
    return this.recoveryCodes.regenerate(userIdOf(p), enrollingSessionIdOf(p));
  }
}
