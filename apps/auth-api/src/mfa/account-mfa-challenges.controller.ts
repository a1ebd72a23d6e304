import { Body, Controller, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { SessionEntity, UserEntity } from '@twostep/auth-data-access';
import {
  challengeIdParams,
  ChallengeIdParams,
  completeChallengeBody,
  CompleteChallengeBody,
  createChallengeBody,
  CreateChallengeBody,
} from '@twostep/contracts';
import { Access } from '../access/access.decorator';
import { CurrentSession, CurrentUser } from '../access/auth-context';
import { ZodPipe } from '../common/validation/zod-pipe';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { SessionModel } from '../sessions/session.model';
import { MfaChallengesService } from './mfa-challenges.service';
import { MfaChallengeModel, MfaChallengeStateModel } from './mfa.models';

/**
 * Challenges (appwrite-api.md 2.14-2.15), on the current path and the older singular alias. These
 * routes are reachable with a session that still misses its second factor: they are how it gets one.
 */
@Controller('v1/account/mfa')
export class AccountMfaChallengesController {
  constructor(private readonly challenges: MfaChallengesService) {}

  @Post(['challenges', 'challenge'])
  @Access('partial')
  @HttpCode(201)
  @RateLimit({ limit: 10, key: ['userId'] })
  create(
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: SessionEntity,
    @Body(new ZodPipe(createChallengeBody)) input: CreateChallengeBody,
    @Req() request: FastifyRequest,
  ): Promise<MfaChallengeModel> {
    return this.challenges.createChallenge(user, session, input, request);
  }

  @Put(['challenges', 'challenge'])
  @Access('partial')
  @RateLimit({ limit: 10, key: [{ param: 'challengeId' }] })
  complete(
    @CurrentUser() user: UserEntity,
    @CurrentSession() session: SessionEntity,
    @Body(new ZodPipe(completeChallengeBody)) input: CompleteChallengeBody,
    @Req() request: FastifyRequest,
  ): Promise<SessionModel> {
    return this.challenges.completeChallenge(user, session, input, request);
  }

  /** Beyond Appwrite: the state of one of the caller's challenges ("the SMS failed, try email"). */
  @Get('challenges/:challengeId')
  @Access('partial')
  state(@CurrentUser() user: UserEntity, @Param(new ZodPipe(challengeIdParams)) path: ChallengeIdParams): Promise<MfaChallengeStateModel> {
    return this.challenges.state(user, path.challengeId);
  }
}
