import { Body, Controller, HttpCode, Inject, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '../access/access.decorator';
import { Auth, AuthContext } from '../access/auth-context';
import { localeOf, requesterOf } from '../common/http/request-info';
import { invalidParam, optional, params, required, v, validateParams } from '../common/validation/params';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { SignInLimits } from '../rate-limit/sign-in-limits.service';
import { SessionCookies } from '../sessions/session-cookies.service';
import { SessionModel, sessionModel } from '../sessions/session.model';
import { allowedLinkHosts } from '../verification/link-hosts';
import { TokenModel, tokenModel } from '../verification/token.model';
import { SignInTokensService } from './sign-in-tokens.service';

/**
 * Passwordless sign-in (appwrite-api.md 11): email code, magic URL and phone code, each completed by
 * `POST /v1/account/sessions/token` (and its deprecated aliases). Token requests are limited per
 * address (10 per hour, Appwrite's key) and per client address (SIGN_IN_TOKENS_PER_IP_PER_HOUR).
 */
@Controller('v1/account')
export class SignInTokensController {
  private readonly allowedHosts: string[];

  constructor(
    private readonly signIn: SignInTokensService,
    private readonly cookies: SessionCookies,
    private readonly rateLimits: RateLimitService,
    private readonly signInLimits: SignInLimits,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
  ) {
    this.allowedHosts = allowedLinkHosts(config);
  }

  @Post('tokens/email')
  @Access('guest')
  @HttpCode(201)
  @RateLimit({ limit: 10, key: [{ param: 'email', lowercase: true }] })
  async createEmailToken(
    @Body(params({ userId: required(v.customId()), email: required(v.email()), phrase: optional(v.boolean(), false) }))
    input: { userId: string; email: string },
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenModel> {
    await this.perClientAddress(auth, request, reply);
    return tokenModel(
      await this.signIn.createEmailToken(input.userId, input.email, { requester: requesterOf(request), locale: localeOf(request) }),
    );
  }

  @Post('tokens/magic-url')
  @Access('guest')
  @HttpCode(201)
  @RateLimit({ limit: 10, key: [{ param: 'email', lowercase: true }] })
  async createMagicUrlToken(
    @Body() body: unknown,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenModel> {
    const input = validateParams(body, {
      userId: required(v.customId()),
      email: required(v.email()),
      url: optional(v.url(() => this.allowedHosts)),
      phrase: optional(v.boolean(), false),
    });
    // without a url the link goes to the first configured browser origin
    const url = input.url ?? (this.config.CORS_ORIGINS[0] ? new URL(this.config.CORS_ORIGINS[0]) : undefined);
    if (!url) throw invalidParam('url', 'Value must be a valid URL');
    await this.perClientAddress(auth, request, reply);
    return tokenModel(
      await this.signIn.createMagicUrlToken(input.userId, input.email, url, { requester: requesterOf(request), locale: localeOf(request) }),
    );
  }

  @Post('tokens/phone')
  @Access('guest')
  @HttpCode(201)
  @RateLimit({ limit: 10, key: [{ param: 'phone' }] })
  async createPhoneToken(
    @Body(params({ userId: required(v.customId()), phone: required(v.phone()) })) input: { userId: string; phone: string },
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenModel> {
    await this.perClientAddress(auth, request, reply);
    return tokenModel(
      await this.signIn.createPhoneToken(input.userId, input.phone, { requester: requesterOf(request), locale: localeOf(request) }),
    );
  }

  /**
   * 201 Session with `factors: ["email"]` (email code, magic URL) or `["phone"]` (phone code). Failed
   * attempts are limited like password sign-ins (SignInLimits, keyed on the user id); API keys are not.
   */
  @Post('sessions/token')
  @Access('guest')
  @HttpCode(201)
  createSession(
    @Body(params({ userId: required(v.uid()), secret: required(v.text(256, 1)) })) input: { userId: string; secret: string },
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionModel> {
    return this.exchange(input, auth, request, reply);
  }

  /** The deprecated `updateMagicURLSession` / `updatePhoneSession`: the same exchange. */
  @Put(['sessions/magic-url', 'sessions/phone'])
  @Access('guest')
  @HttpCode(201)
  updateSession(
    @Body(params({ userId: required(v.uid()), secret: required(v.text(256, 1)) })) input: { userId: string; secret: string },
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionModel> {
    return this.exchange(input, auth, request, reply);
  }

  private async exchange(
    input: { userId: string; secret: string },
    auth: AuthContext,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<SessionModel> {
    // failed token sign-ins count like failed passwords (per source address, per (address, account), per account)
    const attempt = auth.kind === 'apiKey' ? undefined : await this.signInLimits.charge(`token:${input.userId}`, request, reply);
    const { session, credential } = await this.signIn.createSession(input.userId, input.secret, request);
    await this.signInLimits.succeeded(attempt);
    this.cookies.issue(request, reply, credential, session.expire);
    return sessionModel(session, { current: true, secret: auth.kind === 'apiKey' ? credential : '' });
  }

  /** The second limit of token requests: per client address, whatever the destination. */
  private async perClientAddress(auth: AuthContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (auth.kind === 'apiKey' || !this.rateLimits.enabled) return;
    await this.rateLimits.hit(
      { limit: this.config.SIGN_IN_TOKENS_PER_IP_PER_HOUR, key: ['ip'] },
      'SignInTokens.perClientAddress',
      request,
      reply,
    );
  }
}
