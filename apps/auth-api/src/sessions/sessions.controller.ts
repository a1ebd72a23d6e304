import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionEntity, UserEntity } from '@twostep/auth-data-access';
import { AppError } from '@twostep/contracts';
import { Access } from '../access/access.decorator';
import { AuditEvent } from '../audit/audit-event';
import { AuditLogService } from '../audit/audit-log.service';
import { Auth, AuthContext, CurrentSession, CurrentUser } from '../access/auth-context';
import { params, required, v, validateParams } from '../common/validation/params';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { AuthMetrics } from '../core/auth-metrics.service';
import { SignInLimits } from '../rate-limit/sign-in-limits.service';
import { UsersService } from '../users/users.service';
import { SessionCookies } from './session-cookies.service';
import { SessionModel, sessionModel } from './session.model';
import { SessionsService } from './sessions.service';

const sessionIdParam = { sessionId: required(v.uid()) };

/** `current` or a session id. */
function sessionIdOf(raw: string, current: SessionEntity): string {
  return raw === 'current' ? current.id : validateParams({ sessionId: raw }, sessionIdParam).sessionId;
}

/** Email/password sign-in and the signed-in user's sessions (appwrite-api.md 2.3, 2.5-2.8). */
@Controller('v1/account')
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly users: UsersService,
    private readonly cookies: SessionCookies,
    private readonly signInLimits: SignInLimits,
    private readonly audit: AuditLogService,
    private readonly metrics: AuthMetrics,
  ) {}

  /**
   * 201 Session with `factors: ["password"]`; MFA is not evaluated here (it is on the next request).
   * Failed attempts are limited per source address, per (address, email) and per email (SignInLimits);
   * API-key callers are not limited.
   */
  @Post(['sessions/email', 'sessions'])
  @Access('guest')
  @HttpCode(201)
  async createEmailPasswordSession(
    @Body(params({ email: required(v.email()), password: required(v.password()) })) input: { email: string; password: string },
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionModel> {
    return this.metrics.signIn('email', async () => {
      const attempt = auth.kind === 'apiKey' ? undefined : await this.signInLimits.charge(input.email, request, reply);
      const user = await this.users.verifyCredentials(input.email, input.password).catch((error: unknown) => {
        // recorded off the response path: a known and an unknown address must still take the same time
        if (error instanceof AppError && error.type === 'user_invalid_credentials') void this.recordRefusal(input.email, request);
        throw error;
      });
      const { session, credential } = await this.sessions.create(user, 'email', ['password'], request);
      await this.signInLimits.succeeded(attempt);
      this.cookies.issue(request, reply, credential, session.expire);
      return sessionModel(session, { current: true, secret: auth.kind === 'apiKey' ? credential : '' });
    });
  }

  @Get('sessions')
  @Access('session')
  async listSessions(
    @CurrentUser() user: UserEntity,
    @CurrentSession() current: SessionEntity,
  ): Promise<{ total: number; sessions: SessionModel[] }> {
    const sessions = await this.sessions.list(user.id);
    return { total: sessions.length, sessions: sessions.map((s) => sessionModel(s, { current: s.id === current.id })) };
  }

  @Get('sessions/:sessionId')
  @Access('session')
  async getSession(
    @Param('sessionId') raw: string,
    @CurrentUser() user: UserEntity,
    @CurrentSession() current: SessionEntity,
  ): Promise<SessionModel> {
    const id = sessionIdOf(raw, current);
    const session = id === current.id ? current : await this.sessions.get(user.id, id);
    return sessionModel(session, { current: session.id === current.id });
  }

  /** Extends the session's expiry by SESSION_DURATION_SECONDS from now. */
  @Patch('sessions/:sessionId')
  @Access('session')
  @RateLimit({ limit: 10, key: ['ip'] })
  async updateSession(
    @Param('sessionId') raw: string,
    @CurrentUser() user: UserEntity,
    @CurrentSession() current: SessionEntity,
  ): Promise<SessionModel> {
    const session = await this.sessions.extend(user.id, sessionIdOf(raw, current));
    return sessionModel(session, { current: session.id === current.id });
  }

  /** Log out one session; allowed while MFA is pending (`partial`). Clears the cookies if it is the current one. */
  @Delete('sessions/:sessionId')
  @Access('partial')
  @HttpCode(204)
  @RateLimit({ limit: 100, key: ['ip'] })
  async deleteSession(
    @Param('sessionId') raw: string,
    @CurrentUser() user: UserEntity,
    @CurrentSession() current: SessionEntity,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const id = sessionIdOf(raw, current);
    await this.sessions.delete(user.id, id, request);
    if (id === current.id) this.cookies.clear(request, reply);
  }

  /** Log out everywhere (needs a full session). */
  @Delete('sessions')
  @Access('session')
  @HttpCode(204)
  @RateLimit({ limit: 100, key: ['ip'] })
  async deleteSessions(
    @CurrentUser() user: UserEntity,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.sessions.deleteAll(user.id, undefined, request);
    this.cookies.clear(request, reply);
  }

  /** Audits a refused password sign-in of an existing account (never throws). */
  private async recordRefusal(email: string, request: FastifyRequest): Promise<void> {
    const known = await this.users.findByEmail(email).catch(() => undefined);
    if (known) await this.audit.record(known.id, AuditEvent.sessionCreateFailure('password'), request);
  }
}
