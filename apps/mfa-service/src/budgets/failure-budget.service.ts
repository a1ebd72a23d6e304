import { Inject, Injectable } from '@nestjs/common';
import { AppError, LockoutsClearResponse, MfaFactor } from '@twostep/contracts';
import { BudgetLock, BudgetReservation, FailureBudgetRepository, LockoutPolicy } from '@twostep/mfa-data-access';
import { JsonLogger } from '@twostep/observability';
import { CLOCK, Clock, LOGGER } from '@twostep/platform';
import { MFA_SERVICE_CONFIG, MfaServiceConfig } from '../config/mfa-service.config';
import { MfaMetrics } from '../metrics/mfa-metrics.service';
import { lockoutPolicy, retryAfterSeconds } from './lockout-policy';

/**
 * The failure budget, per account and factor, plus one per account across all factors (so switching
 * factors gives no fresh budget: security-bar.md checklist item 3). An attempt is counted *before* its code is evaluated
 * ({@link reserve}); a success gives the whole count back ({@link succeeded}). So concurrent guesses
 * can never outrun the counter, and while a factor is locked nothing is evaluated at all (even a
 * correct code is refused: the lockout is no oracle).
 */
@Injectable()
export class FailureBudgetService {
  readonly policy: LockoutPolicy;

  constructor(
    private readonly budgets: FailureBudgetRepository,
    private readonly metrics: MfaMetrics,
    @Inject(LOGGER) private readonly logger: JsonLogger,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MFA_SERVICE_CONFIG) config: MfaServiceConfig,
  ) {
    this.policy = lockoutPolicy({
      threshold: config.MFA_FAILURE_LIMIT,
      baseSeconds: config.MFA_LOCKOUT_BASE_SECONDS,
      maxSeconds: config.MFA_LOCKOUT_MAX_SECONDS,
      accountThreshold: config.MFA_ACCOUNT_FAILURE_LIMIT,
      hardLimit: config.MFA_FAILURE_HARD_LIMIT,
    });
  }

  /**
   * Counts one attempt, or throws 429 `general_rate_limit_exceeded` while locked: with Retry-After for
   * a timed lockout, without one for a factor at the hard cap (it needs another factor or an admin).
   */
  async reserve(userId: string, factor: MfaFactor, now: Date): Promise<BudgetReservation> {
    const reservation = await this.budgets.reserve(userId, factor, now, this.policy);
    if (reservation) return reservation;
    return this.refuseLocked(userId, factor, null, now);
  }

  /**
   * Throws 429 `general_rate_limit_exceeded` for a locked factor or account: with Retry-After for a timed
   * lockout, without one for a factor at the hard cap. `lock` is the lockout as already read; when it
   * shows none (it appeared meanwhile), it is read again.
   */
  async refuseLocked(userId: string, factor: MfaFactor, lock: BudgetLock | null, now: Date): Promise<never> {
    if (!lock || (!lock.hard && !lock.until)) lock = await this.budgets.lockOf(userId, factor, now);
    this.metrics.failed(factor, 'locked');
    if (lock.hard) {
      throw new AppError(
        'general_rate_limit_exceeded',
        'This factor is locked after too many failed attempts. Verify with another factor, or ask an administrator to unlock it.',
      );
    }
    const until = lock.until ?? new Date(now.getTime() + 1000);
    throw new AppError('general_rate_limit_exceeded', undefined, { retryAfterSeconds: retryAfterSeconds(until, now) });
  }

  /**
   * The counted attempt was wrong: it stays counted; reports the lockout it started, if any. Returns
   * true when the account holder should be told: this attempt started the first lockout since the last
   * success (once per run of failures, not at every lockout of a long attack).
   */
  failed(userId: string, factor: MfaFactor, reservation: BudgetReservation, now: Date): boolean {
    if (reservation.hardLocked) {
      this.metrics.lockouts.inc({ factor, kind: 'hard' });
      this.logger.emit('warn', 'mfa factor locked until recovered with another factor or unlocked by an admin', {
        userId,
        factor,
        failures: reservation.failures,
      });
      return reservation.firstLockoutOfRun;
    }
    if (!reservation.lockedUntil) return false;
    this.metrics.lockouts.inc({ factor, kind: 'timed' });
    this.logger.emit('warn', 'mfa factor locked after consecutive failures', {
      userId,
      factor,
      failures: reservation.failures,
      lockedForSeconds: retryAfterSeconds(reservation.lockedUntil, now),
    });
    return reservation.firstLockoutOfRun;
  }

  /** An administrator's unlock: every factor of the user, hard cap included. */
  async unlock(userId: string): Promise<LockoutsClearResponse> {
    const cleared = await this.budgets.unlock(userId, this.clock.now());
    this.logger.emit('info', 'mfa lockouts cleared by an administrator', { userId, cleared });
    return { cleared };
  }

  /**
   * A success resets the factor's and the account's consecutive failures (and ends a lockout its own
   * attempt started), and releases any factor at the hard cap (the user proved another factor).
   */
  async succeeded(userId: string, factor: MfaFactor, now: Date): Promise<void> {
    await this.budgets.reset(userId, factor, now);
  }
}
