import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionEntity, UserEntity } from '@twostep/auth-data-access';
import { AppError, CreateEmailPasswordSessionBody } from '@twostep/contracts';
import type { AuthContext } from '../access/auth-context';
import { AuditEvent } from '../audit/audit-event';
import { AuditLogService } from '../audit/audit-log.service';
import { AuthMetrics } from '../core/auth-metrics.service';
import { SignInLimits } from '../rate-limit/sign-in-limits.service';
import { UsersService } from '../users/users.service';
import { SessionCookies } from './session-cookies.service';
import { SessionModel, sessionModel } from './session.model';
import { SessionsService } from './sessions.service';

/** The routes of the signed-in user's sessions and of email/password sign-in (appwrite-api.md 2.3, 2.5-2.8). */
@Injectable()
export class AccountSessionsService {
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
  signInWithPassword(
    input: CreateEmailPasswordSessionBody,
    auth: AuthContext,
    request: FastifyRequest,
    reply: FastifyReply,
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

  async list(user: UserEntity, current: SessionEntity): Promise<{ total: number; sessions: SessionModel[] }> {
    const sessions = await this.sessions.list(user.id);
    return { total: sessions.length, sessions: sessions.map((s) => sessionModel(s, { current: s.id === current.id })) };
  }

  /** `sessionId` is an id or `current`. */
  async get(user: UserEntity, current: SessionEntity, sessionId: string): Promise<SessionModel> {
    const id = sessionId === 'current' ? current.id : sessionId;
    const session = id === current.id ? current : await this.sessions.get(user.id, id);
    return sessionModel(session, { current: session.id === current.id });
  }

  /** Extends the session's expiry by SESSION_DURATION_SECONDS from now. */
  async extend(user: UserEntity, current: SessionEntity, sessionId: string): Promise<SessionModel> {
    const session = await this.sessions.extend(user.id, sessionId === 'current' ? current.id : sessionId);
    return sessionModel(session, { current: session.id === current.id });
  }

  /** Log out one session; clears the cookies if it is the current one. */
  async logOut(user: UserEntity, current: SessionEntity, sessionId: string, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const id = sessionId === 'current' ? current.id : sessionId;
    await this.sessions.delete(user.id, id, request);
    if (id === current.id) this.cookies.clear(request, reply);
  }

  /** Log out everywhere. */
  async logOutEverywhere(user: UserEntity, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    await this.sessions.deleteAll(user.id, undefined, request);
    this.cookies.clear(request, reply);
  }

  /** Audits a refused password sign-in of an existing account (never throws). */
  private async recordRefusal(email: string, request: FastifyRequest): Promise<void> {
    const known = await this.users.findByEmail(email).catch(() => undefined);
    if (known) await this.audit.record(known.id, AuditEvent.sessionCreateFailure('password'), request);
  }
}
