import { Body, Controller, HttpCode, Inject, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '../access/access.decorator';
import { Auth, AuthContext } from '../access/auth-context';
import { formatDate } from '../common/dates';
import { localeOf, requesterOf } from '../common/http/request-info';
import { params, required, v, validateParams } from '../common/validation/params';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { allowedLinkHosts } from '../verification/link-hosts';
import { TokenModel, tokenModel } from '../verification/token.model';
import { PasswordRecoveryService } from './password-recovery.service';

/** `createRecovery` / `updateRecovery` (appwrite-api.md 11). */
@Controller('v1/account/recovery')
export class PasswordRecoveryController {
  private readonly allowedHosts: string[];

  constructor(
    private readonly recovery: PasswordRecoveryService,
    private readonly rateLimits: RateLimitService,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
  ) {
    this.allowedHosts = allowedLinkHosts(config);
  }

  /** 201 Token with an empty `userId` and `secret`, the same for every address. */
  @Post()
  @Access('public')
  @HttpCode(201)
  @RateLimit({ limit: 10, key: [{ param: 'email', lowercase: true }] })
  async create(
    @Body() body: unknown,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenModel> {
    const input = validateParams(body, { email: required(v.email()), url: required(v.url(() => this.allowedHosts)) });
    if (auth.kind !== 'apiKey' && this.rateLimits.enabled) {
      await this.rateLimits.hit(
        { limit: this.config.SIGN_IN_TOKENS_PER_IP_PER_HOUR, key: ['ip'] },
        'SignInTokens.perClientAddress',
        request,
        reply,
      );
    }
    const token = await this.recovery.create(input.email, input.url, { requester: requesterOf(request), locale: localeOf(request) });
    return { $id: token.id, $createdAt: formatDate(token.createdAt), userId: '', secret: '', expire: formatDate(token.expire), phrase: '' };
  }

  /** 200 Token; sets the password (sign-up policy). Opens no session. */
  @Put()
  @Access('public')
  @RateLimit({ limit: 10, key: [{ param: 'userId' }] })
  async update(
    @Body(params({ userId: required(v.uid()), secret: required(v.text(256, 1)), password: required(v.password()) }))
    input: { userId: string; secret: string; password: string },
    @Req() request: FastifyRequest,
  ): Promise<TokenModel> {
    return tokenModel(await this.recovery.complete(input.userId, input.secret, input.password, request));
  }
}
