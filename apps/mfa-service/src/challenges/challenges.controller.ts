import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { MfaPattern, RpcPayload, RpcReply } from '@twostep/contracts';
import { MfaRpcHandler } from '../validation/rpc-contract';
import { ChallengesService } from './challenges.service';

const { ChallengeCreate, ChallengeVerify, ChallengeGet } = MfaPattern;

@Controller()
export class ChallengesController {
  constructor(private readonly challenges: ChallengesService) {}

  @MfaRpcHandler(ChallengeCreate)
  create(@Payload() p: RpcPayload<typeof ChallengeCreate>): Promise<RpcReply<typeof ChallengeCreate>> {
    return this.challenges.create(p);
  }

  @MfaRpcHandler(ChallengeVerify)
  verify(@Payload() p: RpcPayload<typeof ChallengeVerify>): Promise<RpcReply<typeof ChallengeVerify>> {
    return this.challenges.verify(p);
  }

  @MfaRpcHandler(ChallengeGet)
  get(@Payload() p: RpcPayload<typeof ChallengeGet>): Promise<RpcReply<typeof ChallengeGet>> {
    return this.challenges.get(p.userId, p.challengeId);
  }
}
