import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { SessionEntity, UserEntity } from '@twostep/auth-data-access';
import {
  authenticatorTypeParams,
  updateMfaBody,
  UpdateMfaBody,
  verifyAuthenticatorBody,
  VerifyAuthenticatorBody,
} from '@twostep/contracts';
import { Access } from '../access/access.decorator';
import { CurrentSession, CurrentUser } from '../access/auth-context';
import { ZodPipe } from '../common/validation/zod-pipe';
import { AccountModel } from '../users/user.model';
import { AccountMfaService } from './account-mfa.service';
import { MfaFactorsModel, MfaRecoveryCodesModel, MfaTypeModel } from './mfa.models';

/** The `:type` path parameter of the authenticator routes (only `totp`), checked and otherwise unused. */
const authenticatorType = new ZodPipe(authenticatorTypeParams);

/**
 * The account's MFA settings (appwrite-api.md 2.9-2.13, 2.16): the MFA flag, factors, the TOTP
 * authenticator and recovery codes. Changes that weaken the account need a recent challenge and
 * send an out-of-band notice (AccountMfaService).
 */
@Controller('v1/account/mfa')
export class AccountMfaController {
  constructor(private readonly accountMfa: AccountMfaService) {}

  /** Turns MFA on (once a second factor is verified) or off (after a recent challenge while enforced). */
  @Patch()
  @Access('session')
  update(
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: SessionEntity,
    @Body(new ZodPipe(updateMfaBody)) input: UpdateMfaBody,
    @Req() request: FastifyRequest,
  ): Promise<AccountModel> {
    return this.accountMfa.update(user, session, input, request);
  }

  /** While the session misses its second factor, the factor it was opened with is reported as unavailable. */
  @Get('factors')
  @Access('partial')
  list(@CurrentUser() user: UserEntity, @CurrentSession() session: SessionEntity): Promise<MfaFactorsModel> {
    return this.accountMfa.listFactors(user, session);
  }

  /** A new (unverified) TOTP secret and its otpauth URI. While MFA is on, only after a step-up with another factor. */
  @Post('authenticators/:type')
  @Access('stepUp')
  @HttpCode(200)
  createAuthenticator(@CurrentUser() user: UserEntity, @Param(authenticatorType) _path: unknown): Promise<MfaTypeModel> {
    return this.accountMfa.createAuthenticator(user);
  }

  /** Verifies the authenticator with a current code. While MFA is on, only after a step-up. */
  @Put('authenticators/:type')
  @Access('stepUp')
  verifyAuthenticator(
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: SessionEntity,
    @Param(authenticatorType) _path: unknown,
    @Body(new ZodPipe(verifyAuthenticatorBody)) input: VerifyAuthenticatorBody,
    @Req() request: FastifyRequest,
  ): Promise<AccountModel> {
    return this.accountMfa.verifyAuthenticator(user, session, input, request);
  }

  /** Removes the authenticator (a recent challenge is required). The SDK's `{}` or an old `otp` body is ignored. */
  @Delete('authenticators/:type')
  @Access('fresh')
  @HttpCode(204)
  deleteAuthenticator(
    @CurrentUser() user: UserEntity,
    @Param(authenticatorType) _path: unknown,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    return this.accountMfa.deleteAuthenticator(user, request);
  }

  /** A first set of recovery codes (enrolled by this session). While MFA is on, only after a step-up. */
  @Post('recovery-codes')
  @Access('stepUp')
  @HttpCode(201)
  createRecoveryCodes(
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: SessionEntity,
    @Req() request: FastifyRequest,
  ): Promise<MfaRecoveryCodesModel> {
    return this.accountMfa.createRecoveryCodes(user, session, request);
  }

  @Get('recovery-codes')
  @Access('fresh')
  getRecoveryCodes(@CurrentUser() user: UserEntity): Promise<MfaRecoveryCodesModel> {
    return this.accountMfa.getRecoveryCodes(user);
  }

  @Patch('recovery-codes')
  @Access('fresh')
  regenerateRecoveryCodes(
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: SessionEntity,
    @Req() request: FastifyRequest,
  ): Promise<MfaRecoveryCodesModel> {
    return this.accountMfa.regenerateRecoveryCodes(user, session, request);
  }
}
