import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { MfaPattern, RpcPayload, RpcReply } from '@twostep/contracts';
import { MfaRpcHandler } from '../validation/rpc-contract';
import { FactorsService } from './factors.service';

const { FactorsGet, UserPurge } = MfaPattern;

@Controller()
export class FactorsController {
  constructor(private readonly factors: FactorsService) {}

  @MfaRpcHandler(FactorsGet)
  get(@Payload() p: RpcPayload<typeof FactorsGet>): Promise<RpcReply<typeof FactorsGet>> {
    return this.factors.get(p.userId);
  }

  @MfaRpcHandler(UserPurge)
  purge(@Payload() p: RpcPayload<typeof UserPurge>): Promise<RpcReply<typeof UserPurge>> {
    return this.factors.purge(p.userId);
  }
}
