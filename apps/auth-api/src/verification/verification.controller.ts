import { Body, Controller, HttpCode, Post, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { UserEntity } from '@twostep/auth-data-access';
import { createEmailVerificationBody, CreateEmailVerificationBody, userSecretBody, UserSecretBody } from '@twostep/contracts';
import { Access } from '../access/access.decorator';
import { CurrentUser } from '../access/auth-context';
import { ConfiguredZodPipe, ZodPipe } from '../common/validation/zod-pipe';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { TokenModel } from './token.model';
import { VerificationService } from './verification.service';

/**
 * Email and phone verification. The old paths (`/verification`, `/verification/phone`) and the
 * current ones (`/verifications/email`, `/verifications/phone`) are the same handlers.
 */
@Controller('v1/account')
export class VerificationController {
  constructor(private readonly verification: VerificationService) {}

  @Post(['verification', 'verifications/email'])
  @Access('session')
  @HttpCode(201)
  @RateLimit({ limit: 10, key: ['userId'] })
  createEmailVerification(
    @CurrentUser() user: UserEntity,
    @Body(ConfiguredZodPipe(createEmailVerificationBody)) input: CreateEmailVerificationBody,
    @Req() request: FastifyRequest,
  ): Promise<TokenModel> {
    return this.verification.requestEmailVerification(user, input, request);
  }

  @Put(['verification', 'verifications/email'])
  @Access('public')
  @RateLimit({ limit: 10, key: [{ param: 'userId' }] })
  updateEmailVerification(@Body(new ZodPipe(userSecretBody)) input: UserSecretBody): Promise<TokenModel> {
    return this.verification.completeEmailVerification(input);
  }

  @Post(['verification/phone', 'verifications/phone'])
  @Access('session')
  @HttpCode(201)
  @RateLimit({ limit: 10, key: ['userId'] })
  createPhoneVerification(@CurrentUser() user: UserEntity, @Req() request: FastifyRequest): Promise<TokenModel> {
    return this.verification.requestPhoneVerification(user, request);
  }

  @Put(['verification/phone', 'verifications/phone'])
  @Access('public')
  @RateLimit({ limit: 10, key: [{ param: 'userId' }] })
  updatePhoneVerification(@Body(new ZodPipe(userSecretBody)) input: UserSecretBody): Promise<TokenModel> {
    return this.verification.completePhoneVerification(input);
  }
}
