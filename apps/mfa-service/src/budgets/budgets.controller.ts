import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { MfaPattern, RpcPayload, RpcReply } from '@twostep/contracts';
import { MfaRpcHandler } from '../validation/rpc-contract';
import { FailureBudgetService } from './failure-budget.service';

const { LockoutsClear } = MfaPattern;

@Controller()
export class BudgetsController {
  constructor(private readonly budget: FailureBudgetService) {}

  /** An administrator's unlock (auth-api: DELETE /v1/users/{userId}/mfa/lockouts with the API key). */
  @MfaRpcHandler(LockoutsClear)
  clear(@Payload() p: RpcPayload<typeof LockoutsClear>): Promise<RpcReply<typeof LockoutsClear>> {
    return this.budget.unlock(p.userId);
  }
}
