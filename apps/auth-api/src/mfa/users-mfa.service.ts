import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { MfaPattern } from '@twostep/contracts';
import { AuditEvent } from '../audit/audit-event';
import { AuditLogService } from '../audit/audit-log.service';
import { MfaClient } from '../mfa-client/mfa-client.service';
import { UsersService } from '../users/users.service';
import { MfaFactorsService } from './mfa-factors.service';
import { MfaFactorsModel, MfaRecoveryCodesModel } from './mfa.models';

/** The server-side (API key) MFA routes of a user (appwrite-api.md 2.17); 404 `user_not_found` first. */
@Injectable()
export class UsersMfaService {
  constructor(
    private readonly mfa: MfaClient,
    private readonly users: UsersService,
    private readonly factors: MfaFactorsService,
    private readonly audit: AuditLogService,
  ) {}

  async listFactors(userId: string): Promise<MfaFactorsModel> {
    return this.factors.list(await this.users.get(userId));
  }

  async deleteAuthenticator(userId: string, request: FastifyRequest): Promise<void> {
    const user = await this.users.get(userId);
    await this.mfa.send(MfaPattern.TotpDelete, { userId: user.id });
    await this.audit.record(user.id, AuditEvent.AuthenticatorDelete, request, 'admin');
  }

  /** Ends every second-factor lockout of the user, including a factor locked for good. */
  async clearLockouts(userId: string): Promise<void> {
    const user = await this.users.get(userId);
    await this.mfa.send(MfaPattern.LockoutsClear, { userId: user.id });
  }

  async getRecoveryCodes(userId: string): Promise<MfaRecoveryCodesModel> {
    const user = await this.users.get(userId);
    return { recoveryCodes: (await this.mfa.send(MfaPattern.RecoveryCodesGet, { userId: user.id })).recoveryCodes };
  }

  async createRecoveryCodes(userId: string): Promise<MfaRecoveryCodesModel> {
    const user = await this.users.get(userId);
    return { recoveryCodes: (await this.mfa.send(MfaPattern.RecoveryCodesCreate, { userId: user.id })).recoveryCodes };
  }

  async regenerateRecoveryCodes(userId: string): Promise<MfaRecoveryCodesModel> {
    const user = await this.users.get(userId);
    return { recoveryCodes: (await this.mfa.send(MfaPattern.RecoveryCodesRegenerate, { userId: user.id })).recoveryCodes };
  }
}
