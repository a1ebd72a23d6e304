import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MfaPattern, MfaRpc } from '@twostep/contracts';
import { challengeIdOf, deliveryOf, factorOf, otpOf, payloadOf, sessionIdOf, userIdOf } from '../validation/rpc-input';
import { ChallengesService } from './challenges.service';

type Rpc<P extends keyof MfaRpc> = MfaRpc[P]['response'];

@Controller()
export class ChallengesController {
  constructor(private readonly challenges: ChallengesService) {}

  @MessagePattern(MfaPattern.ChallengeCreate)
  create(@Payload() payload: unknown): Promise<Rpc<typeof MfaPattern.ChallengeCreate>> {
    const p = payloadOf(payload);
    const factor = factorOf(p);
    const userId = userIdOf(p);
    const sessionId = sessionIdOf(p);
    const delivery = factor === 'email' || factor === 'phone' ? deliveryOf(p, factor) : undefined;
    return this.challenges.create({ userId, sessionId, factor, ...(delivery ? { delivery } : {}) });
  }

  @MessagePattern(MfaPattern.ChallengeVerify)
  verify(@Payload() payload: unknown): Promise<Rpc<typeof MfaPattern.ChallengeVerify>> {
    const p = payloadOf(payload);
    return this.challenges.verify({ userId: userIdOf(p), sessionId: sessionIdOf(p), challengeId: challengeIdOf(p), otp: otpOf(p) });
  }

  @MessagePattern(MfaPattern.ChallengeGet)
  get(@Payload() payload: unknown): Promise<Rpc<typeof MfaPattern.ChallengeGet>> {
    const p = payloadOf(payload);
    return this.challenges.get(userIdOf(p), challengeIdOf(p));
  }
}
