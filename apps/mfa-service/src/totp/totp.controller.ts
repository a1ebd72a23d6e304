import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MfaPattern, MfaRpc } from '@twostep/contracts';
import { enrollingSessionIdOf, labelPartOf, otpOf, payloadOf, userIdOf } from '../validation/rpc-input';
import { TotpService } from './totp.service';

type Rpc<P extends keyof MfaRpc> = MfaRpc[P]['response'];

@Controller()
export class TotpController {
  constructor(private readonly totp: TotpService) {}

  @MessagePattern(MfaPattern.TotpCreate)
  create(@Payload() payload: unknown): Promise<Rpc<typeof MfaPattern.TotpCreate>> {
    const p = payloadOf(payload);
    return this.totp.create(userIdOf(p), labelPartOf(p, 'accountName', 320), labelPartOf(p, 'issuer', 128));
  }

  @MessagePattern(MfaPattern.TotpVerify)
  verify(@Payload() payload: unknown): Promise<Rpc<typeof MfaPattern.TotpVerify>> {
    const p = payloadOf(payload);
    return this.totp.verifyEnrollment(userIdOf(p), otpOf(p), enrollingSessionIdOf(p));
  }

  @MessagePattern(MfaPattern.TotpDelete)
  delete(@Payload() payload: unknown): Promise<Rpc<typeof MfaPattern.TotpDelete>> {
    return this.totp.delete(userIdOf(payloadOf(payload)));
  }
}
