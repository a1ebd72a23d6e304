import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '../access/access.decorator';
import { Auth, AuthContext } from '../access/auth-context';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { SessionCookies } from '../sessions/session-cookies.service';
import { SessionModel, sessionModel } from '../sessions/session.model';
import { SessionsService } from '../sessions/sessions.service';
import { UsersService } from '../users/users.service';

/**
 * `createAnonymousSession` (appwrite-api.md 11): a new user with no email, phone or password, and a
 * session with provider `anonymous` and factors `["anonymous"]`. The account becomes a normal one
 * with `updateEmail` (which sets the password too) or `updatePassword` (no old password while it has none).
 */
@Controller('v1/account/sessions/anonymous')
export class AnonymousSessionsController {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly cookies: SessionCookies,
  ) {}

  @Post()
  @Access('guest')
  @HttpCode(201)
  @RateLimit({ limit: 50, key: ['ip'] })
  async create(
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionModel> {
    const user = await this.users.create({ userId: 'unique()' });
    const { session, credential } = await this.sessions.create(user, 'anonymous', ['anonymous'], request);
    this.cookies.issue(request, reply, credential, session.expire);
    return sessionModel(session, { current: true, secret: auth.kind === 'apiKey' ? credential : '' });
  }
}
