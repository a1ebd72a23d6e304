import { Body, Controller, HttpCode, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  createEmailTokenBody,
  CreateEmailTokenBody,
  createMagicUrlTokenBody,
  CreateMagicUrlTokenBody,
  createPhoneTokenBody,
  CreatePhoneTokenBody,
  userSecretBody,
  UserSecretBody,
} from '@twostep/contracts';
import { Access } from '../access/access.decorator';
import { Auth, AuthContext } from '../access/auth-context';
import { ConfiguredZodPipe, ZodPipe } from '../common/validation/zod-pipe';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { SessionModel } from '../sessions/session.model';
import { TokenModel } from '../verification/token.model';
import { SignInFlowsService } from './sign-in-flows.service';

/**
 * Passwordless sign-in (appwrite-api.md 11): email code, magic URL and phone code, each completed by
 * `POST /v1/account/sessions/token` (and its deprecated aliases). Token requests are limited per
 * address (10 per hour, Appwrite's key) and per client address (SIGN_IN_TOKENS_PER_IP_PER_HOUR).
 */
@Controller('v1/account')
export class SignInTokensController {
  constructor(private readonly signIn: SignInFlowsService) {}

  @Post('tokens/email')
  @Access('guest')
  @HttpCode(201)
  @RateLimit({ limit: 10, key: [{ param: 'email', lowercase: true }] })
  createEmailToken(
    @Body(new ZodPipe(createEmailTokenBody)) input: CreateEmailTokenBody,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenModel> {
    return this.signIn.createEmailToken(input, auth, request, reply);
  }

  @Post('tokens/magic-url')
  @Access('guest')
  @HttpCode(201)
  @RateLimit({ limit: 10, key: [{ param: 'email', lowercase: true }] })
  createMagicUrlToken(
    @Body(ConfiguredZodPipe(createMagicUrlTokenBody)) input: CreateMagicUrlTokenBody,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenModel> {
    return this.signIn.createMagicUrlToken(input, auth, request, reply);
  }

  @Post('tokens/phone')
  @Access('guest')
  @HttpCode(201)
  @RateLimit({ limit: 10, key: [{ param: 'phone' }] })
  createPhoneToken(
    @Body(new ZodPipe(createPhoneTokenBody)) input: CreatePhoneTokenBody,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenModel> {
    return this.signIn.createPhoneToken(input, auth, request, reply);
  }

  /** 201 Session with `factors: ["email"]` or `["phone"]`. */
  @Post('sessions/token')
  @Access('guest')
  @HttpCode(201)
  createSession(
    @Body(new ZodPipe(userSecretBody)) input: UserSecretBody,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionModel> {
    return this.signIn.exchange(input, auth, request, reply);
  }

  /** The deprecated `updateMagicURLSession` / `updatePhoneSession`: the same exchange. */
  @Put(['sessions/magic-url', 'sessions/phone'])
  @Access('guest')
  @HttpCode(201)
  updateSession(
    @Body(new ZodPipe(userSecretBody)) input: UserSecretBody,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionModel> {
    return this.signIn.exchange(input, auth, request, reply);
  }
}
