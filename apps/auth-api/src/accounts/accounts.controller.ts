import { Body, Controller, Get, HttpCode, Patch, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { SessionEntity, UserEntity } from '@twostep/auth-data-access';
import { Access } from '../access/access.decorator';
import { AuditEvent } from '../audit/audit-event';
import { AuditLogService } from '../audit/audit-log.service';
import { CurrentSession, CurrentUser } from '../access/auth-context';
import { requesterOf } from '../common/http/request-info';
import { optional, params, required, v } from '../common/validation/params';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { AccountModel, accountModel } from '../users/user.model';
import { UsersService } from '../users/users.service';
import { SessionsService } from '../sessions/sessions.service';
import { AccountsService } from './accounts.service';

/** The account routes of appwrite-api.md 2.2 and 2.4, and the profile updates of the Account service. */
@Controller('v1/account')
export class AccountsController {
  constructor(
    private readonly users: UsersService,
    private readonly accounts: AccountsService,
    private readonly audit: AuditLogService,
    private readonly sessions: SessionsService,
  ) {}

  /** Sign-up: 201 Account; does not sign in. 409 `user_already_exists` for a taken id or email. */
  @Post()
  @Access('public')
  @HttpCode(201)
  @RateLimit({ limit: 10, key: ['ip'] })
  async create(
    @Body(
      params({
        userId: required(v.customId()),
        email: required(v.email()),
        password: required(v.password()),
        name: optional(v.name(128), ''),
      }),
    )
    input: {
      userId: string;
      email: string;
      password: string;
      name?: string;
    },
  ): Promise<AccountModel> {
    return accountModel(await this.users.create(input));
  }

  @Get()
  @Access('session')
  get(@CurrentUser() user: UserEntity): AccountModel {
    return accountModel(user);
  }

  @Patch('name')
  @Access('session')
  async updateName(
    @CurrentUser() user: UserEntity,
    @Body(params({ name: required(v.name(128)) })) input: { name: string },
  ): Promise<AccountModel> {
    return accountModel(await this.users.setName(user.id, input.name));
  }

  @Patch('password')
  @Access('session')
  @RateLimit({ limit: 10, key: ['userId'] })
  async updatePassword(
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: SessionEntity,
    @Body(params({ password: required(v.password()), oldPassword: optional(v.password()) }))
    input: { password: string; oldPassword?: string },
    @Req() request: FastifyRequest,
  ): Promise<AccountModel> {
    const updated = await this.accounts.changePassword(user, session, input.password, input.oldPassword, requesterOf(request));
    await this.audit.record(user.id, AuditEvent.PasswordUpdate, request);
    return accountModel(updated);
  }

  /** Moves the email factor: while MFA is on, only after a step-up with a factor this session did not enroll. */
  @Patch('email')
  @Access('stepUp')
  @RateLimit({ limit: 10, key: ['userId'] })
  async updateEmail(
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: SessionEntity,
    @Body(params({ email: required(v.email()), password: required(v.password()) })) input: { email: string; password: string },
    @Req() request: FastifyRequest,
  ): Promise<AccountModel> {
    const updated = await this.accounts.changeEmail(user, input.email, input.password, requesterOf(request));
    await this.audit.record(user.id, AuditEvent.EmailUpdate, request);
    await this.sessions.markEnrolled(session.id, 'email');
    return accountModel(updated);
  }

  /** Moves the phone factor: while MFA is on, only after a step-up with a factor this session did not enroll. */
  @Patch('phone')
  @Access('stepUp')
  @RateLimit({ limit: 10, key: ['userId'] })
  async updatePhone(
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: SessionEntity,
    @Body(params({ phone: required(v.phone()), password: required(v.password()) })) input: { phone: string; password: string },
    @Req() request: FastifyRequest,
  ): Promise<AccountModel> {
    const updated = await this.accounts.changePhone(user, input.phone, input.password, requesterOf(request));
    await this.audit.record(user.id, AuditEvent.PhoneUpdate, request);
    await this.sessions.markEnrolled(session.id, 'phone');
    return accountModel(updated);
  }

  @Get('prefs')
  @Access('session')
  getPrefs(@CurrentUser() user: UserEntity): Record<string, unknown> {
    return user.prefs ?? {};
  }

  @Patch('prefs')
  @Access('session')
  async updatePrefs(
    @CurrentUser() user: UserEntity,
    @Body(params({ prefs: required(v.object()) })) input: { prefs: Record<string, unknown> },
  ): Promise<AccountModel> {
    return accountModel(await this.users.setPrefs(user.id, input.prefs));
  }
}
