import { Controller, Delete, Get, HttpCode, Param, Patch, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { userAuthenticatorParams, UserAuthenticatorParams, userIdParams, UserIdParams } from '@twostep/contracts';
import { Access } from '../access/access.decorator';
import { ZodPipe } from '../common/validation/zod-pipe';
import { MfaFactorsModel, MfaRecoveryCodesModel } from './mfa.models';
import { UsersMfaService } from './users-mfa.service';

/**
 * The server-side (API key) counterparts of the account MFA routes (appwrite-api.md 2.17). Note the
 * Users recovery-code verbs: create is PATCH, regenerate is PUT. `updateMfa` lives with the other
 * user updates in UsersController.
 */
@Controller('v1/users/:userId/mfa')
@Access('apiKey')
export class UsersMfaController {
  constructor(private readonly usersMfa: UsersMfaService) {}

  @Get('factors')
  listFactors(@Param(new ZodPipe(userIdParams)) path: UserIdParams): Promise<MfaFactorsModel> {
    return this.usersMfa.listFactors(path.userId);
  }

  @Delete('authenticators/:type')
  @HttpCode(204)
  deleteAuthenticator(
    @Param(new ZodPipe(userAuthenticatorParams)) path: UserAuthenticatorParams,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    return this.usersMfa.deleteAuthenticator(path.userId, request);
  }

  /**
   * Beyond Appwrite: ends every second-factor lockout of the user, including a factor locked for good
   * after MFA_FAILURE_HARD_LIMIT consecutive failures (their failure counts start again from zero).
   */
  @Delete('lockouts')
  @HttpCode(204)
  clearLockouts(@Param(new ZodPipe(userIdParams)) path: UserIdParams): Promise<void> {
    return this.usersMfa.clearLockouts(path.userId);
  }

  @Get('recovery-codes')
  getRecoveryCodes(@Param(new ZodPipe(userIdParams)) path: UserIdParams): Promise<MfaRecoveryCodesModel> {
    return this.usersMfa.getRecoveryCodes(path.userId);
  }

  @Patch('recovery-codes')
  @HttpCode(201)
  createRecoveryCodes(@Param(new ZodPipe(userIdParams)) path: UserIdParams): Promise<MfaRecoveryCodesModel> {
    return this.usersMfa.createRecoveryCodes(path.userId);
  }

  @Put('recovery-codes')
  regenerateRecoveryCodes(@Param(new ZodPipe(userIdParams)) path: UserIdParams): Promise<MfaRecoveryCodesModel> {
    return this.usersMfa.regenerateRecoveryCodes(path.userId);
  }
}
