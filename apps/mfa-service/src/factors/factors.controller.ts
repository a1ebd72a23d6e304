import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MfaPattern, MfaRpc } from '@twostep/contracts';
import { payloadOf, userIdOf } from '../validation/rpc-input';
import { FactorsService } from './factors.service';

type Rpc<P extends keyof MfaRpc> = MfaRpc[P]['response'];

@Controller()
export class FactorsController {
  constructor(private readonly factors: FactorsService) {}

  @MessagePattern(MfaPattern.FactorsGet)
  get(@Payload() payload: unknown): Promise<Rpc<typeof MfaPattern.FactorsGet>> {
    return this.factors.get(userIdOf(payloadOf(payload)));
  }

  @MessagePattern(MfaPattern.UserPurge)
  purge(@Payload() payload: unknown): Promise<Rpc<typeof MfaPattern.UserPurge>> {
    return this.factors.purge(userIdOf(payloadOf(payload)));
  }
}
