import { Body, Controller, HttpCode, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createRecoveryBody, CreateRecoveryBody, updateRecoveryBody, UpdateRecoveryBody } from '@twostep/contracts';
import { Access } from '../access/access.decorator';
import { Auth, AuthContext } from '../access/auth-context';
import { ConfiguredZodPipe, ZodPipe } from '../common/validation/zod-pipe';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { TokenModel } from '../verification/token.model';
import { PasswordRecoveryService } from './password-recovery.service';

/** `createRecovery` / `updateRecovery` (appwrite-api.md 11). */
@Controller('v1/account/recovery')
export class PasswordRecoveryController {
  constructor(private readonly recovery: PasswordRecoveryService) {}

  /** 201 Token with an empty `userId` and `secret`, the same for every address. */
  @Post()
  @Access('public')
  @HttpCode(201)
  @RateLimit({ limit: 10, key: [{ param: 'email', lowercase: true }] })
  create(
    @Body(ConfiguredZodPipe(createRecoveryBody)) input: CreateRecoveryBody,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenModel> {
    return this.recovery.request(input, auth, request, reply);
  }

  /** 200 Token; sets the password (sign-up policy). Opens no session. */
  @Put()
  @Access('public')
  @RateLimit({ limit: 10, key: [{ param: 'userId' }] })
  update(@Body(new ZodPipe(updateRecoveryBody)) input: UpdateRecoveryBody, @Req() request: FastifyRequest): Promise<TokenModel> {
    return this.recovery.reset(input, request);
  }
}
