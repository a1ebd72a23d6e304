import { Controller, Delete, Get, HttpCode, Param, Patch, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuditEvent } from '../audit/audit-event';
import { AuditLogService } from '../audit/audit-log.service';
import { MfaPattern } from '@twostep/contracts';
import { Access } from '../access/access.decorator';
import { MfaClient } from '../mfa-client/mfa-client.service';
import { UsersService } from '../users/users.service';
import { MfaFactorsService } from './mfa-factors.service';
import { MfaFactorsModel, MfaRecoveryCodesModel } from './mfa.models';
import { authenticatorType, idParam } from './mfa.params';

/**
 * The server-side (API key) counterparts of the account MFA routes (appwrite-api.md 2.17). Note the
 * Users recovery-code verbs: create is PATCH, regenerate is PUT. `updateMfa` lives with the other
 * user updates in UsersController.
 */
@Controller('v1/users/:userId/mfa')
@Access('apiKey')
export class UsersMfaController {
  constructor(
    private readonly mfa: MfaClient,
    private readonly users: UsersService,
    private readonly factors: MfaFactorsService,
    private readonly audit: AuditLogService,
  ) {}

  private async user(userId: string) {
    return this.users.get(idParam('userId', userId));
  }

  @Get('factors')
  async listFactors(@Param('userId') userId: string): Promise<MfaFactorsModel> {
    return this.factors.list(await this.user(userId));
  }

  @Delete('authenticators/:type')
  @HttpCode(204)
  async deleteAuthenticator(@Param('userId') userId: string, @Param('type') type: string, @Req() request: FastifyRequest): Promise<void> {
    authenticatorType(type);
    const user = await this.user(userId);
    await this.mfa.send(MfaPattern.TotpDelete, { userId: user.id });
    await this.audit.record(user.id, AuditEvent.AuthenticatorDelete, request, 'admin');
  }

  /**
   * Beyond Appwrite: ends every second-factor lockout of the user, including a factor locked for good
   * after MFA_FAILURE_HARD_LIMIT consecutive failures (their failure counts start again from zero).
   */
  @Delete('lockouts')
  @HttpCode(204)
  async clearLockouts(@Param('userId') userId: string): Promise<void> {
    const user = await this.user(userId);
    await this.mfa.send(MfaPattern.LockoutsClear, { userId: user.id });
  }

  @Get('recovery-codes')
  async getRecoveryCodes(@Param('userId') userId: string): Promise<MfaRecoveryCodesModel> {
    const user = await this.user(userId);
    return { recoveryCodes: (await this.mfa.send(MfaPattern.RecoveryCodesGet, { userId: user.id })).recoveryCodes };
  }

  @Patch('recovery-codes')
  @HttpCode(201)
  async createRecoveryCodes(@Param('userId') userId: string): Promise<MfaRecoveryCodesModel> {
    const user = await this.user(userId);
    return { recoveryCodes: (await this.mfa.send(MfaPattern.RecoveryCodesCreate, { userId: user.id })).recoveryCodes };
  }

  @Put('recovery-codes')
  async regenerateRecoveryCodes(@Param('userId') userId: string): Promise<MfaRecoveryCodesModel> {
    const user = await this.user(userId);
    return { recoveryCodes: (await this.mfa.send(MfaPattern.RecoveryCodesRegenerate, { userId: user.id })).recoveryCodes };
  }
}
