import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { createJwtBody, CreateJwtBody } from '@twostep/contracts';
import { Access } from '../access/access.decorator';
import { AccountJwtService } from '../access/account-jwt.service';
import { Auth, AuthContext } from '../access/auth-context';
import { ZodPipe } from '../common/validation/zod-pipe';
import { RateLimit } from '../rate-limit/rate-limit.decorator';

/**
 * `createJWT` (appwrite-api.md 11). Stricter than Appwrite: only a full session (MFA satisfied, the
 * `session` access class) gets one, a JWT cannot mint another, and it dies with its session.
 */
@Controller('v1/account/jwts')
export class JwtsController {
  constructor(private readonly jwts: AccountJwtService) {}

  @Post()
  @Access('session')
  @HttpCode(201)
  @RateLimit({ limit: 100, key: ['userId'] })
  create(@Auth() auth: AuthContext, @Body(new ZodPipe(createJwtBody)) input: CreateJwtBody): { jwt: string } {
    return this.jwts.create(auth, input.duration);
  }
}
