import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionEntity, UserEntity } from '@twostep/auth-data-access';
import { createEmailPasswordSessionBody, CreateEmailPasswordSessionBody, sessionIdParams, SessionIdParams } from '@twostep/contracts';
import { Access } from '../access/access.decorator';
import { Auth, AuthContext, CurrentSession, CurrentUser } from '../access/auth-context';
import { ZodPipe } from '../common/validation/zod-pipe';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { AccountSessionsService } from './account-sessions.service';
import { SessionModel } from './session.model';

/** Email/password sign-in and the signed-in user's sessions (appwrite-api.md 2.3, 2.5-2.8); `:sessionId` may be `current`. */
@Controller('v1/account')
export class SessionsController {
  constructor(private readonly sessions: AccountSessionsService) {}

  /** 201 Session with `factors: ["password"]` (see AccountSessionsService.signInWithPassword). */
  @Post(['sessions/email', 'sessions'])
  @Access('guest')
  @HttpCode(201)
  createEmailPasswordSession(
    @Body(new ZodPipe(createEmailPasswordSessionBody)) input: CreateEmailPasswordSessionBody,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionModel> {
    return this.sessions.signInWithPassword(input, auth, request, reply);
  }

  @Get('sessions')
  @Access('session')
  listSessions(
    @CurrentUser() user: UserEntity,
    @CurrentSession() current: SessionEntity,
  ): Promise<{ total: number; sessions: SessionModel[] }> {
    return this.sessions.list(user, current);
  }

  @Get('sessions/:sessionId')
  @Access('session')
  getSession(
    @Param(new ZodPipe(sessionIdParams)) path: SessionIdParams,
    @CurrentUser() user: UserEntity,
    @CurrentSession() current: SessionEntity,
  ): Promise<SessionModel> {
    return this.sessions.get(user, current, path.sessionId);
  }

  /** Extends the session's expiry by SESSION_DURATION_SECONDS from now. */
  @Patch('sessions/:sessionId')
  @Access('session')
  @RateLimit({ limit: 10, key: ['ip'] })
  updateSession(
    @Param(new ZodPipe(sessionIdParams)) path: SessionIdParams,
    @CurrentUser() user: UserEntity,
    @CurrentSession() current: SessionEntity,
  ): Promise<SessionModel> {
    return this.sessions.extend(user, current, path.sessionId);
  }

  /** Log out one session; allowed while MFA is pending (`partial`). Clears the cookies if it is the current one. */
  @Delete('sessions/:sessionId')
  @Access('partial')
  @HttpCode(204)
  @RateLimit({ limit: 100, key: ['ip'] })
  deleteSession(
    @Param(new ZodPipe(sessionIdParams)) path: SessionIdParams,
    @CurrentUser() user: UserEntity,
    @CurrentSession() current: SessionEntity,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    return this.sessions.logOut(user, current, path.sessionId, request, reply);
  }

  /** Log out everywhere (needs a full session). */
  @Delete('sessions')
  @Access('session')
  @HttpCode(204)
  @RateLimit({ limit: 100, key: ['ip'] })
  deleteSessions(
    @CurrentUser() user: UserEntity,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    return this.sessions.logOutEverywhere(user, request, reply);
  }
}
