import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  ChallengeStateResponse,
  ChallengeStatus,
  ChallengeVerifyResponse,
  ChallengeView,
  DeliveryResultJob,
  MfaFactor,
  MfaPattern,
  OTP_CODE_PATTERN,
  RpcPayload,
} from '@twostep/contracts';
import { uniqueId } from '@twostep/crypto';
import { ChallengeEntity, ChallengeRepository, Spend, VerificationContext } from '@twostep/mfa-data-access';
import { JsonLogger } from '@twostep/observability';
import { CLOCK, Clock, LOGGER } from '@twostep/platform';
import { FailureBudgetService } from '../budgets/failure-budget.service';
import { MFA_SERVICE_CONFIG, MfaServiceConfig } from '../config/mfa-service.config';
import { MfaSecrets } from '../core/mfa-secrets.service';
import { MfaMetrics } from '../metrics/mfa-metrics.service';
import { normalizeRecoveryCode } from '../recovery-codes/recovery-code.format';
import { RecoveryCodesService } from '../recovery-codes/recovery-codes.service';
import { TOTP_CODE, TotpService } from '../totp/totp.service';
import { generateChallengeCode } from './challenge-code';
import type { FailureReason } from './failure-reason';
import { OtpDeliveryPublisher } from './otp-delivery.publisher';

/** Wrong codes one challenge accepts before it is exhausted. */
export const MAX_ATTEMPTS_PER_CHALLENGE = 5;
/** Closed and expired challenges are kept this long (for ChallengeGet and audit), then deleted. */
const RETENTION_MS = 24 * 3600 * 1000;

/** A parsed ChallengeCreate request: `delivery` is present (and its destination checked) for email and phone. */
export type CreateChallenge = RpcPayload<typeof MfaPattern.ChallengeCreate>;
export type VerifyChallenge = RpcPayload<typeof MfaPattern.ChallengeVerify>;

/**
 * A code checked against what was read: right (with what completing spends, the refusal if another
 * request spent it first, and the session that enrolled the factor, for TOTP and recovery codes), or not.
 */
type Check =
  | { right: true; spend?: Spend; lostRace: FailureReason; enrolledSessionId?: string | null }
  | { right: false; reason: FailureReason; spend?: undefined; enrolledSessionId?: undefined };

/**
 * MFA challenges: bound to a user, a session and a factor; expiring; single-use; at most
 * {@link MAX_ATTEMPTS_PER_CHALLENGE} wrong codes; every verification counted against the account's
 * failure budget for the factor. Every refusal is the same `user_invalid_token` (or 429 while locked).
 */
@Injectable()
export class ChallengesService {
  private readonly ttlMs: number;

  constructor(
    private readonly challenges: ChallengeRepository,
    private readonly secrets: MfaSecrets,
    private readonly budget: FailureBudgetService,
    private readonly totp: TotpService,
    private readonly recoveryCodes: RecoveryCodesService,
    private readonly publisher: OtpDeliveryPublisher,
    private readonly metrics: MfaMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: JsonLogger,
    @Inject(MFA_SERVICE_CONFIG) config: MfaServiceConfig,
  ) {
    this.ttlMs = config.MFA_CHALLENGE_TTL_SECONDS * 1000;
  }

  /**
   * Creates a challenge. For email and phone: a fresh 6-digit code, stored only as a keyed hash, sent
   * through a sealed `otp-delivery` job after the row is committed; older open challenges of the same
   * user and factor stop working. If the job cannot be enqueued the challenge is closed as
   * `delivery_failed` and the caller gets 503.
   */
  async create(req: CreateChallenge): Promise<ChallengeView> {
    const now = this.clock.now();
    const id = uniqueId(now.getTime());
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    const sendsCode = req.factor === 'email' || req.factor === 'phone';
    if (sendsCode && !req.delivery) throw new AppError('general_argument_invalid', 'Invalid `delivery` param.');
    const code = sendsCode ? generateChallengeCode() : undefined;

    const superseded = await this.challenges.insert(
      {
        id,
        userId: req.userId,
        sessionId: req.sessionId,
        factor: req.factor,
        codeHash: code === undefined ? null : this.secrets.hashChallengeCode(id, code),
        createdAt: now,
        expiresAt,
        deliveryChannel: req.factor === 'email' ? 'email' : req.factor === 'phone' ? 'sms' : null,
      },
      { supersede: sendsCode, purgeBefore: new Date(now.getTime() - RETENTION_MS) },
    );
    for (const old of superseded) await this.publisher.closeReference(old.id, 'superseded', old.expiresAt, now);

    if (code !== undefined && req.delivery) {
      try {
        await this.publisher.publishChallengeCode({
          challengeId: id,
          userId: req.userId,
          factor: req.factor as 'email' | 'phone',
          code,
          delivery: req.delivery,
          expiresAt,
          requestedAt: now,
        });
      } catch (error) {
        await this.challenges.markDeliveryFailed(id, this.clock.now(), 'queue_unavailable');
        this.metrics.enqueueFailures.inc({ queue: 'otp-delivery' });
        this.logger.emit('error', 'challenge code could not be queued for delivery', {
          challengeId: id,
          factor: req.factor,
          error: error instanceof Error ? error.message : String(error),
        });
        throw new AppError('general_service_unavailable', undefined, { retryAfterSeconds: 1 });
      }
    }
    this.metrics.challengesCreated.inc({ factor: req.factor });
    this.logger.info('mfa challenge created', { userId: req.userId, challengeId: id, factor: req.factor, superseded: superseded.length });
    return { id, createdAt: now.toISOString(), userId: req.userId, expire: expiresAt.toISOString() };
  }

  /**
   * Completes a challenge in at most two statements. One read brings the challenge, the lockout state of
   * its factor and of the account, and what its code is checked against. In order: the challenge must
   * exist, belong to this user and session, be open and unexpired (else 401, nothing counted); the code
   * must be shaped like the factor's codes (else 401, nothing counted); a locked factor or account is 429
   * and evaluates nothing (even a right code is refused: the lockout is no oracle). Then the code is
   * checked, and one conditional write ({@link ChallengeRepository.attempt}) counts the attempt on the
   * challenge and on the failure budget unless the challenge has none left or a lockout started
   * meanwhile (then the outcome is not told); a right code spends the TOTP step or recovery code,
   * consumes the challenge and resets the budget in the same statement; a wrong one stays counted.
   */
  async verify(req: VerifyChallenge): Promise<ChallengeVerifyResponse> {
    const now = this.clock.now();
    // the challenge id's shape was checked by the RPC contract (a generated id)
    const ctx = await this.challenges.loadForVerification(req.challengeId, req.userId, now);
    const challenge = ctx?.challenge;
    if (!ctx || !challenge || challenge.userId !== req.userId || challenge.sessionId !== req.sessionId) {
      this.logger.emit('warn', 'mfa challenge verification refused', { userId: req.userId, outcome: 'unknown_challenge' });
      throw new AppError('user_invalid_token');
    }
    const factor = challenge.factor;
    if (challenge.state !== 'open' || challenge.expiresAt <= now || challenge.attempts >= MAX_ATTEMPTS_PER_CHALLENGE) {
      return this.refuse(challenge, 'invalid_challenge');
    }
    const code = this.normalize(factor, req.otp);
    if (code === null) return this.refuse(challenge, 'malformed_code');
    if (ctx.lock.hard || ctx.lock.until) return this.budget.refuseLocked(challenge.userId, factor, ctx.lock, now);

    const check = this.check(ctx, code, now);
    const result = await this.challenges.attempt({
      id: challenge.id,
      userId: challenge.userId,
      factor,
      now,
      maxAttempts: MAX_ATTEMPTS_PER_CHALLENGE,
      policy: this.budget.policy,
      right: check.right,
      spend: check.spend,
    });
    switch (result.kind) {
      case 'closed':
        return this.refuse(challenge, 'no_attempts_left');
      case 'locked':
        return this.budget.refuseLocked(challenge.userId, factor, result.lock, now);
      case 'consumed': {
        if (challenge.deliveryChannel) await this.publisher.closeReference(challenge.id, 'consumed', challenge.expiresAt, now);
        this.metrics.challengesVerified.inc({ factor });
        this.logger.info('mfa challenge verified', { userId: challenge.userId, challengeId: challenge.id, factor });
        const enrolledBySession = !!check.enrolledSessionId && check.enrolledSessionId === req.sessionId;
        return {
          factor,
          enrolledBySession,
          ...(result.recoveryCodesLeft !== undefined ? { recoveryCodesLeft: result.recoveryCodesLeft } : {}),
        };
      }
      case 'failed': {
        const lockoutStarted = this.budget.failed(challenge.userId, factor, result.reservation, now);
        if (result.exhausted && challenge.deliveryChannel) {
          await this.publisher.closeReference(challenge.id, 'exhausted', challenge.expiresAt, now);
        }
        // a right code whose step or recovery code another request spent first counts as failed
        return this.refuse(challenge, check.right ? check.lostRace : check.reason, lockoutStarted);
      }
    }
  }

  /** The state of one of the user's challenges (never its code or hash); 401 for anyone else's. */
  async get(userId: string, challengeId: string): Promise<ChallengeStateResponse> {
    const challenge = await this.challenges.find(challengeId);
    if (!challenge || challenge.userId !== userId) throw new AppError('user_invalid_token');
    const now = this.clock.now();
    const status = this.statusOf(challenge, now);
    const open = challenge.state === 'open' && challenge.expiresAt > now;
    return {
      id: challenge.id,
      createdAt: challenge.createdAt.toISOString(),
      userId: challenge.userId,
      expire: challenge.expiresAt.toISOString(),
      factor: challenge.factor,
      status,
      attemptsLeft: open ? Math.max(0, MAX_ATTEMPTS_PER_CHALLENGE - challenge.attempts) : 0,
      ...(challenge.deliveryChannel && challenge.deliveryStatus
        ? {
            delivery: {
              channel: challenge.deliveryChannel,
              status: challenge.deliveryStatus,
              ...(challenge.deliveryReason ? { reason: challenge.deliveryReason } : {}),
              updatedAt: (challenge.deliveryUpdatedAt ?? challenge.createdAt).toISOString(),
            },
          }
        : {}),
    };
  }

  /** Records a delivery outcome reported by the notifier (idempotent). */
  async recordDeliveryResult(result: Pick<DeliveryResultJob, 'referenceId' | 'status' | 'reason' | 'at'>): Promise<boolean> {
    const recorded = await this.challenges.recordDeliveryResult({
      id: result.referenceId,
      status: result.status,
      reason: result.reason ?? null,
      at: new Date(result.at),
    });
    if (recorded) this.metrics.deliveryResults.inc({ status: result.status });
    return recorded;
  }

  private statusOf(c: ChallengeEntity, now: Date): ChallengeStatus {
    switch (c.state) {
      case 'consumed':
        return 'consumed';
      case 'exhausted':
        return 'exhausted';
      case 'delivery_failed':
        return 'delivery_failed';
      case 'superseded':
        // a newer challenge replaced it: its code stopped working early
        return 'expired';
      case 'open':
        if (c.expiresAt <= now) return 'expired';
        if (c.attempts >= MAX_ATTEMPTS_PER_CHALLENGE) return 'exhausted';
        if (c.deliveryStatus === 'failed' || c.deliveryStatus === 'dropped') return 'delivery_failed';
        if (c.deliveryStatus === 'sent') return 'delivered';
        return 'pending';
    }
  }

  /** The code in the form the factor stores, or null when it cannot be one. */
  private normalize(factor: MfaFactor, otp: string): string | null {
    switch (factor) {
      case 'email':
      case 'phone':
        return OTP_CODE_PATTERN.test(otp) ? otp : null;
      case 'totp':
        return TOTP_CODE.test(otp) ? otp : null;
      case 'recoveryCode':
        return normalizeRecoveryCode(otp);
    }
  }

  /**
   * Checks `code` against what was read with the challenge (in memory, constant-time compares): whether
   * it is right, what completing the challenge then spends, and why it is refused otherwise.
   */
  private check(ctx: VerificationContext, code: string, now: Date): Check {
    const { challenge } = ctx;
    switch (challenge.factor) {
      case 'email':
      case 'phone':
        return challenge.codeHash && this.secrets.challengeCodeMatches(challenge.codeHash, challenge.id, code)
          ? { right: true, lostRace: 'invalid_challenge' }
          : { right: false, reason: 'wrong_code' };
      case 'totp': {
        const match = this.totp.matchVerified(ctx.authenticator, code, now);
        if (!('step' in match)) return { right: false, reason: match.reason };
        return {
          right: true,
          spend: { kind: 'totpStep', authenticatorId: match.authenticatorId, step: match.step },
          lostRace: 'replayed_step',
          enrolledSessionId: match.enrolledSessionId,
        };
      }
      case 'recoveryCode': {
        const row = this.recoveryCodes.findUnused(challenge.userId, ctx.recoveryCodes, code);
        if (!row) return { right: false, reason: 'wrong_code' };
        return {
          right: true,
          spend: { kind: 'recoveryCode', codeId: row.id },
          lostRace: 'wrong_code',
          enrolledSessionId: row.enrolledSessionId,
        };
      }
    }
  }

  private refuse(challenge: ChallengeEntity, reason: FailureReason, lockoutStarted = false): never {
    this.metrics.failed(challenge.factor, reason);
    this.logger.emit('warn', 'mfa challenge verification refused', {
      userId: challenge.userId,
      challengeId: challenge.id,
      factor: challenge.factor,
      outcome: reason,
    });
    // the caller sees the same refusal; auth-api tells the account holder (ASVS 4.0.3 2.8.5): the first
    // lockout of a run of failures matters more than a replayed step
    const signal = lockoutStarted ? 'factor-locked' : reason === 'replayed_step' ? 'totp-replay' : undefined;
    throw new AppError('user_invalid_token', undefined, signal ? { signal } : undefined);
  }
}
