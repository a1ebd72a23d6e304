import { Body, Controller, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { SessionEntity, UserEntity } from '@twostep/auth-data-access';
import { MfaFactor, MfaPattern } from '@twostep/contracts';
import { Access } from '../access/access.decorator';
import { CurrentSession, CurrentUser } from '../access/auth-context';
import { params, required, v } from '../common/validation/params';
import { MfaClient } from '../mfa-client/mfa-client.service';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { SessionModel, sessionModel } from '../sessions/session.model';
import { MfaChallengesService } from './mfa-challenges.service';
import { MfaChallengeModel, mfaChallengeModel, MfaChallengeStateModel, mfaChallengeStateModel } from './mfa.models';
import { challengeOtpParam, factorParam, idParam } from './mfa.params';

/**
 * Challenges (appwrite-api.md 2.14-2.15), on the current path and the older singular alias. These
 * routes are reachable with a session that still misses its second factor: they are how it gets one.
 */
@Controller('v1/account/mfa')
export class AccountMfaChallengesController {
  constructor(
    private readonly challenges: MfaChallengesService,
    private readonly mfa: MfaClient,
  ) {}

  @Post(['challenges', 'challenge'])
  @Access('partial')
  @HttpCode(201)
  @RateLimit({ limit: 10, key: ['userId'] })
  async create(
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: SessionEntity,
    @Body(params({ factor: required(factorParam()) })) body: { factor: MfaFactor },
    @Req() request: FastifyRequest,
  ): Promise<MfaChallengeModel> {
    return mfaChallengeModel(await this.challenges.create(user, session, body.factor, request));
  }

  @Put(['challenges', 'challenge'])
  @Access('partial')
  @RateLimit({ limit: 10, key: [{ param: 'challengeId' }] })
  async complete(
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: SessionEntity,
    @Body(params({ challengeId: required(v.uid()), otp: required(challengeOtpParam()) })) body: { challengeId: string; otp: string },
    @Req() request: FastifyRequest,
  ): Promise<SessionModel> {
    const updated = await this.challenges.complete(user, session, body.challengeId, body.otp, request);
    return sessionModel(updated, { current: true });
  }

  /** Beyond Appwrite: the state of one of the caller's challenges ("the SMS failed, try email"). */
  @Get('challenges/:challengeId')
  @Access('partial')
  async state(@CurrentUser() user: UserEntity, @Param('challengeId') challengeId: string): Promise<MfaChallengeStateModel> {
    const id = idParam('challengeId', challengeId);
    return mfaChallengeStateModel(await this.mfa.send(MfaPattern.ChallengeGet, { userId: user.id, challengeId: id }));
  }
}
