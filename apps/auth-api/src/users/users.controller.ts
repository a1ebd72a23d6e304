import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  createUserBody,
  CreateUserBody,
  listUsersQuery,
  ListUsersQuery,
  updateMfaBody,
  UpdateMfaBody,
  updateUserEmailBody,
  UpdateUserEmailBody,
  updateUserEmailVerificationBody,
  UpdateUserEmailVerificationBody,
  updateUserNameBody,
  UpdateUserNameBody,
  updateUserPasswordBody,
  UpdateUserPasswordBody,
  updateUserPhoneBody,
  UpdateUserPhoneBody,
  updateUserPhoneVerificationBody,
  UpdateUserPhoneVerificationBody,
  updateUserPrefsBody,
  UpdateUserPrefsBody,
  updateUserStatusBody,
  UpdateUserStatusBody,
  userIdParams,
  UserIdParams,
  userSessionParams,
  UserSessionParams,
} from '@twostep/contracts';
import { Access } from '../access/access.decorator';
import { ZodPipe } from '../common/validation/zod-pipe';
import { SessionModel } from '../sessions/session.model';
import { AccountModel } from './user.model';
import { UsersAdminService } from './users-admin.service';

const user = new ZodPipe(userIdParams);

/**
 * The admin `Users` routes of node-appwrite (API key only, appwrite-api.md 2.17): enough to seed and
 * manage users. The User model never carries the password hash.
 */
@Controller('v1/users')
@Access('apiKey')
export class UsersController {
  constructor(private readonly users: UsersAdminService) {}

  @Post()
  @HttpCode(201)
  create(@Body(new ZodPipe(createUserBody)) input: CreateUserBody): Promise<AccountModel> {
    return this.users.create(input);
  }

  /** `queries` (limit, offset) as node-appwrite 27 sends them, and `search` (id, email, name, phone). */
  @Get()
  list(@Query(new ZodPipe(listUsersQuery)) query: ListUsersQuery): Promise<{ total: number; users: AccountModel[] }> {
    return this.users.list(query);
  }

  @Get(':userId')
  get(@Param(user) path: UserIdParams): Promise<AccountModel> {
    return this.users.get(path.userId);
  }

  /** Deletes the user, their sessions and tokens, and (first) their factors in mfa-service. */
  @Delete(':userId')
  @HttpCode(204)
  delete(@Param(user) path: UserIdParams): Promise<void> {
    return this.users.delete(path.userId);
  }

  @Patch(':userId/name')
  updateName(@Param(user) path: UserIdParams, @Body(new ZodPipe(updateUserNameBody)) input: UpdateUserNameBody): Promise<AccountModel> {
    return this.users.setName(path.userId, input.name);
  }

  @Patch(':userId/password')
  updatePassword(
    @Param(user) path: UserIdParams,
    @Body(new ZodPipe(updateUserPasswordBody)) input: UpdateUserPasswordBody,
  ): Promise<AccountModel> {
    return this.users.setPassword(path.userId, input.password);
  }

  @Patch(':userId/email')
  updateEmail(@Param(user) path: UserIdParams, @Body(new ZodPipe(updateUserEmailBody)) input: UpdateUserEmailBody): Promise<AccountModel> {
    return this.users.setEmail(path.userId, input.email);
  }

  @Patch(':userId/phone')
  updatePhone(@Param(user) path: UserIdParams, @Body(new ZodPipe(updateUserPhoneBody)) input: UpdateUserPhoneBody): Promise<AccountModel> {
    return this.users.setPhone(path.userId, input.number);
  }

  @Patch(':userId/verification')
  updateEmailVerification(
    @Param(user) path: UserIdParams,
    @Body(new ZodPipe(updateUserEmailVerificationBody)) input: UpdateUserEmailVerificationBody,
  ): Promise<AccountModel> {
    return this.users.setEmailVerification(path.userId, input.emailVerification);
  }

  @Patch(':userId/verification/phone')
  updatePhoneVerification(
    @Param(user) path: UserIdParams,
    @Body(new ZodPipe(updateUserPhoneVerificationBody)) input: UpdateUserPhoneVerificationBody,
  ): Promise<AccountModel> {
    return this.users.setPhoneVerification(path.userId, input.phoneVerification);
  }

  @Patch(':userId/status')
  updateStatus(
    @Param(user) path: UserIdParams,
    @Body(new ZodPipe(updateUserStatusBody)) input: UpdateUserStatusBody,
  ): Promise<AccountModel> {
    return this.users.setStatus(path.userId, input.status);
  }

  @Patch(':userId/mfa')
  updateMfa(
    @Param(user) path: UserIdParams,
    @Body(new ZodPipe(updateMfaBody)) input: UpdateMfaBody,
    @Req() request: FastifyRequest,
  ): Promise<AccountModel> {
    return this.users.setMfa(path.userId, input.mfa, request);
  }

  @Get(':userId/prefs')
  getPrefs(@Param(user) path: UserIdParams): Promise<Record<string, unknown>> {
    return this.users.getPrefs(path.userId);
  }

  @Patch(':userId/prefs')
  updatePrefs(
    @Param(user) path: UserIdParams,
    @Body(new ZodPipe(updateUserPrefsBody)) input: UpdateUserPrefsBody,
  ): Promise<Record<string, unknown>> {
    return this.users.setPrefs(path.userId, input.prefs);
  }

  /** A session for the user, `factors: ["server"]`; `secret` is the encoded credential for `setSession`. */
  @Post(':userId/sessions')
  @HttpCode(201)
  createSession(@Param(user) path: UserIdParams, @Req() request: FastifyRequest): Promise<SessionModel> {
    return this.users.createSession(path.userId, request);
  }

  @Get(':userId/sessions')
  listSessions(@Param(user) path: UserIdParams): Promise<{ total: number; sessions: SessionModel[] }> {
    return this.users.listSessions(path.userId);
  }

  @Delete(':userId/sessions')
  @HttpCode(204)
  deleteSessions(@Param(user) path: UserIdParams): Promise<void> {
    return this.users.deleteSessions(path.userId);
  }

  @Delete(':userId/sessions/:sessionId')
  @HttpCode(204)
  deleteSession(@Param(new ZodPipe(userSessionParams)) path: UserSessionParams): Promise<void> {
    return this.users.deleteSession(path.userId, path.sessionId);
  }
}
