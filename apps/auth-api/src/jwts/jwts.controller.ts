import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { AppError } from '@twostep/contracts';
import { Access } from '../access/access.decorator';
import { AccountJwtService } from '../access/account-jwt.service';
import { Auth, AuthContext } from '../access/auth-context';
import { optional, params, v } from '../common/validation/params';
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
  create(
    @Auth() auth: AuthContext,
    @Body(params({ duration: optional(v.integer(0, 3600), 900) })) input: { duration: number },
  ): { jwt: string } {
    if (auth.kind !== 'session') throw new AppError('general_unauthorized_scope');
    if (auth.viaJwt) throw new AppError('general_unauthorized_scope', 'A JWT cannot be used to create another JWT; use the session.');
    return { jwt: this.jwts.sign(auth.session, input.duration) };
  }
}
