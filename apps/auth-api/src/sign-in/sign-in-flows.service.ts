import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  AppError,
  CreateEmailTokenBody,
  CreateMagicUrlTokenBody,
  CreatePhoneTokenBody,
  DESCRIPTIONS,
  UserSecretBody,
} from '@twostep/contracts';
import type { AuthContext } from '../access/auth-context';
import { localeOf, requesterOf } from '../common/http/request-info';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { SignInLimits } from '../rate-limit/sign-in-limits.service';
import { SessionCookies } from '../sessions/session-cookies.service';
import { SessionModel, sessionModel } from '../sessions/session.model';
import { SessionsService } from '../sessions/sessions.service';
import { UsersService } from '../users/users.service';
import { TokenModel, tokenModel } from '../verification/token.model';
import { SignInTokensService } from './sign-in-tokens.service';

/**
 * The passwordless sign-in routes (appwrite-api.md 11): email code, magic URL and phone code, each
 * completed by `POST /v1/account/sessions/token`, and anonymous sessions. Token requests are limited per
 * address (the route's RateLimit) and per client address (SIGN_IN_TOKENS_PER_IP_PER_HOUR, here).
 */
@Injectable()
export class SignInFlowsService {
  constructor(
    private readonly signIn: SignInTokensService,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly cookies: SessionCookies,
    private readonly rateLimits: RateLimitService,
    private readonly signInLimits: SignInLimits,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
  ) {}

  async createEmailToken(
    input: CreateEmailTokenBody,
    auth: AuthContext,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<TokenModel> {
    await this.perClientAddress(auth, request, reply);
    return tokenModel(await this.signIn.createEmailToken(input.userId, input.email, this.delivery(request)));
  }

  /** Without a `url` the link goes to the first configured browser origin. */
  async createMagicUrlToken(
    input: CreateMagicUrlTokenBody,
    auth: AuthContext,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<TokenModel> {
    const url = input.url ?? this.config.CORS_ORIGINS[0];
    if (!url) throw new AppError('general_argument_invalid', `Invalid \`url\` param: ${DESCRIPTIONS.url}`);
    await this.perClientAddress(auth, request, reply);
    return tokenModel(await this.signIn.createMagicUrlToken(input.userId, input.email, new URL(url), this.delivery(request)));
  }

  async createPhoneToken(
    input: CreatePhoneTokenBody,
    auth: AuthContext,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<TokenModel> {
    await this.perClientAddress(auth, request, reply);
    return tokenModel(await this.signIn.createPhoneToken(input.userId, input.phone, this.delivery(request)));
  }

  /**
   * 201 Session with `factors: ["email"]` (email code, magic URL) or `["phone"]` (phone code). Failed
   * attempts are limited like password sign-ins (SignInLimits, keyed on the user id); API keys are not.
   */
  async exchange(input: UserSecretBody, auth: AuthContext, request: FastifyRequest, reply: FastifyReply): Promise<SessionModel> {
    const attempt = auth.kind === 'apiKey' ? undefined : await this.signInLimits.charge(`token:${input.userId}`, request, reply);
    const { session, credential } = await this.signIn.createSession(input.userId, input.secret, request);
    await this.signInLimits.succeeded(attempt);
    this.cookies.issue(request, reply, credential, session.expire);
    return sessionModel(session, { current: true, secret: auth.kind === 'apiKey' ? credential : '' });
  }

  /** A new user with no email, phone or password, and a session with provider `anonymous`. */
  async createAnonymousSession(auth: AuthContext, request: FastifyRequest, reply: FastifyReply): Promise<SessionModel> {
    const user = await this.users.create({ userId: 'unique()' });
    const { session, credential } = await this.sessions.create(user, 'anonymous', ['anonymous'], request);
    this.cookies.issue(request, reply, credential, session.expire);
    return sessionModel(session, { current: true, secret: auth.kind === 'apiKey' ? credential : '' });
  }

  private delivery(request: FastifyRequest) {
    return { requester: requesterOf(request), locale: localeOf(request) };
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
