import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '../access/access.decorator';
import { Auth, AuthContext } from '../access/auth-context';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { SessionModel } from '../sessions/session.model';
import { SignInFlowsService } from './sign-in-flows.service';

/**
 * `createAnonymousSession` (appwrite-api.md 11): a new user with no email, phone or password, and a
 * session with provider `anonymous` and factors `["anonymous"]`. The account becomes a normal one
 * with `updateEmail` (which sets the password too) or `updatePassword` (no old password while it has none).
 */
@Controller('v1/account/sessions/anonymous')
export class AnonymousSessionsController {
  constructor(private readonly signIn: SignInFlowsService) {}

  @Post()
  @Access('guest')
  @HttpCode(201)
  @RateLimit({ limit: 50, key: ['ip'] })
  create(
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionModel> {
    return this.signIn.createAnonymousSession(auth, request, reply);
  }
}
