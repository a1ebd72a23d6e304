import { Body, Controller, HttpCode, Inject, Post, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { UserEntity } from '@twostep/auth-data-access';
import { Access } from '../access/access.decorator';
import { CurrentUser } from '../access/auth-context';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { localeOf, requesterOf } from '../common/http/request-info';
import { params, required, v, validateParams } from '../common/validation/params';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { allowedLinkHosts } from './link-hosts';
import { TokenModel, tokenModel } from './token.model';
import { VerificationService } from './verification.service';

/**
 * Email and phone verification. The old paths (`/verification`, `/verification/phone`) and the
 * current ones (`/verifications/email`, `/verifications/phone`) are the same handlers.
 */
@Controller('v1/account')
export class VerificationController {
  private readonly allowedHosts: string[];

  constructor(
    private readonly verification: VerificationService,
    @Inject(AUTH_API_CONFIG) config: AuthApiConfig,
  ) {
    this.allowedHosts = allowedLinkHosts(config);
  }

  @Post(['verification', 'verifications/email'])
  @Access('session')
  @HttpCode(201)
  @RateLimit({ limit: 10, key: ['userId'] })
  async createEmailVerification(
    @CurrentUser() user: UserEntity,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<TokenModel> {
    const input = validateParams(body, { url: required(v.url(() => this.allowedHosts)) });
    const token = await this.verification.createEmailVerification(user, input.url, {
      requester: requesterOf(request),
      locale: localeOf(request),
    });
    return tokenModel(token);
  }

  @Put(['verification', 'verifications/email'])
  @Access('public')
  @RateLimit({ limit: 10, key: [{ param: 'userId' }] })
  async updateEmailVerification(
    @Body(params({ userId: required(v.uid()), secret: required(v.text(256, 1)) })) input: { userId: string; secret: string },
  ): Promise<TokenModel> {
    const { token } = await this.verification.confirmEmail(input.userId, input.secret);
    return tokenModel(token);
  }

  @Post(['verification/phone', 'verifications/phone'])
  @Access('session')
  @HttpCode(201)
  @RateLimit({ limit: 10, key: ['userId'] })
  async createPhoneVerification(@CurrentUser() user: UserEntity, @Req() request: FastifyRequest): Promise<TokenModel> {
    const token = await this.verification.createPhoneVerification(user, { requester: requesterOf(request), locale: localeOf(request) });
    return tokenModel(token);
  }

  @Put(['verification/phone', 'verifications/phone'])
  @Access('public')
  @RateLimit({ limit: 10, key: [{ param: 'userId' }] })
  async updatePhoneVerification(
    @Body(params({ userId: required(v.uid()), secret: required(v.text(256, 1)) })) input: { userId: string; secret: string },
  ): Promise<TokenModel> {
    const { token } = await this.verification.confirmPhone(input.userId, input.secret);
    return tokenModel(token);
  }
}
