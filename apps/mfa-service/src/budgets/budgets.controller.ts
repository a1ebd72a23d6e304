import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MfaPattern, MfaRpc } from '@twostep/contracts';
import { payloadOf, userIdOf } from '../validation/rpc-input';
import { FailureBudgetService } from './failure-budget.service';

type Rpc<P extends keyof MfaRpc> = MfaRpc[P]['response'];

@Controller()
export class BudgetsController {
  constructor(private readonly budget: FailureBudgetService) {}

  /** An administrator's unlock (auth-api: DELETE /v1/users/{userId}/mfa/lockouts with the API key). */
  @MessagePattern(MfaPattern.LockoutsClear)
  clear(@Payload() payload: unknown): Promise<Rpc<typeof MfaPattern.LockoutsClear>> {
    return this.budget.unlock(userIdOf(payloadOf(payload)));
  }
}
