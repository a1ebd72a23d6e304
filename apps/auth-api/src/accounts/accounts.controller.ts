import { Body, Controller, Get, HttpCode, Patch, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { SessionEntity, UserEntity } from '@twostep/auth-data-access';
import {
  createAccountBody,
  CreateAccountBody,
  updateEmailBody,
  UpdateEmailBody,
  updateNameBody,
  UpdateNameBody,
  updatePasswordBody,
  UpdatePasswordBody,
  updatePhoneBody,
  UpdatePhoneBody,
  updatePrefsBody,
  UpdatePrefsBody,
} from '@twostep/contracts';
import { Access } from '../access/access.decorator';
import { CurrentSession, CurrentUser } from '../access/auth-context';
import { ZodPipe } from '../common/validation/zod-pipe';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { AccountModel, accountModel } from '../users/user.model';
import { AccountsService } from './accounts.service';

/** The account routes of appwrite-api.md 2.2 and 2.4, and the profile updates of the Account service. */
@Controller('v1/account')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  /** Sign-up: 201 Account; does not sign in. 409 `user_already_exists` for a taken id or email. */
  @Post()
  @Access('public')
  @HttpCode(201)
  @RateLimit({ limit: 10, key: ['ip'] })
  create(@Body(new ZodPipe(createAccountBody)) input: CreateAccountBody): Promise<AccountModel> {
    return this.accounts.signUp(input);
  }

  @Get()
  @Access('session')
  get(@CurrentUser() user: UserEntity): AccountModel {
    return accountModel(user);
  }

  @Patch('name')
  @Access('session')
  updateName(@CurrentUser() user: UserEntity, @Body(new ZodPipe(updateNameBody)) input: UpdateNameBody): Promise<AccountModel> {
    return this.accounts.updateName(user, input);
  }

  @Patch('password')
  @Access('session')
  @RateLimit({ limit: 10, key: ['userId'] })
  updatePassword(
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: SessionEntity,
    @Body(new ZodPipe(updatePasswordBody)) input: UpdatePasswordBody,
    @Req() request: FastifyRequest,
  ): Promise<AccountModel> {
    return this.accounts.updatePassword(user, session, input, request);
  }

  /** Moves the email factor: while MFA is on, only after a step-up with a factor this session did not enroll. */
  @Patch('email')
  @Access('stepUp')
  @RateLimit({ limit: 10, key: ['userId'] })
  updateEmail(
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: SessionEntity,
    @Body(new ZodPipe(updateEmailBody)) input: UpdateEmailBody,
    @Req() request: FastifyRequest,
  ): Promise<AccountModel> {
    return this.accounts.updateEmail(user, session, input, request);
  }

  /** Moves the phone factor: while MFA is on, only after a step-up with a factor this session did not enroll. */
  @Patch('phone')
  @Access('stepUp')
  @RateLimit({ limit: 10, key: ['userId'] })
  updatePhone(
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: SessionEntity,
    @Body(new ZodPipe(updatePhoneBody)) input: UpdatePhoneBody,
    @Req() request: FastifyRequest,
  ): Promise<AccountModel> {
    return this.accounts.updatePhone(user, session, input, request);
  }

  @Get('prefs')
  @Access('session')
  getPrefs(@CurrentUser() user: UserEntity): Record<string, unknown> {
    return user.prefs ?? {};
  }

  @Patch('prefs')
  @Access('session')
  updatePrefs(@CurrentUser() user: UserEntity, @Body(new ZodPipe(updatePrefsBody)) input: UpdatePrefsBody): Promise<AccountModel> {
    return this.accounts.updatePrefs(user, input);
  }
}
