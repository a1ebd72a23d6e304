import { Inject, Injectable } from '@nestjs/common';
import { AppError, MfaFactor } from '@twostep/contracts';
import { BudgetReservation, FailureBudgetRepository, Queryable } from '@twostep/mfa-data-access';
import { JsonLogger } from '@twostep/observability';
import { MFA_SERVICE_CONFIG, MfaServiceConfig } from '../config/mfa-service.config';
import { LOGGER } from '../core/tokens';
import { MfaMetrics } from '../metrics/mfa-metrics.service';
import { LockoutPolicy, retryAfterSeconds } from './lockout-policy';

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
  private readonly accountThreshold: number;

  constructor(
    private readonly budgets: FailureBudgetRepository,
    private readonly metrics: MfaMetrics,
    @Inject(LOGGER) private readonly logger: JsonLogger,
    @Inject(MFA_SERVICE_CONFIG) config: MfaServiceConfig,
  ) {
    this.policy = new LockoutPolicy(config.MFA_FAILURE_LIMIT, config.MFA_LOCKOUT_BASE_SECONDS, config.MFA_LOCKOUT_MAX_SECONDS);
    this.accountThreshold = config.MFA_ACCOUNT_FAILURE_LIMIT;
  }

  /** Counts one attempt, or throws 429 `general_rate_limit_exceeded` (with Retry-After) while locked. */
  async reserve(userId: string, factor: MfaFactor, now: Date): Promise<BudgetReservation> {
    const reservation = await this.budgets.reserve(userId, factor, now, this.policy.threshold, this.policy.schedule, this.accountThreshold);
    if (reservation) return reservation;
    const until = (await this.budgets.lockedUntil(userId, factor, now)) ?? new Date(now.getTime() + 1000);
    this.metrics.failed(factor, 'locked');
    throw new AppError('general_rate_limit_exceeded', undefined, { retryAfterSeconds: retryAfterSeconds(until, now) });
  }

  /** The counted attempt was wrong: it stays counted; report the lockout it started, if any. */
  failed(userId: string, factor: MfaFactor, reservation: BudgetReservation, now: Date): void {
    if (!reservation.lockedUntil) return;
    this.metrics.lockouts.inc({ factor });
    this.logger.emit('warn', 'mfa factor locked after consecutive failures', {
      userId,
      factor,
      failures: reservation.failures,
      lockedForSeconds: retryAfterSeconds(reservation.lockedUntil, now),
    });
  }

  /** A success resets the factor's and the account's consecutive failures (and ends a lockout its own attempt started). */
  async succeeded(userId: string, factor: MfaFactor, now: Date, db?: Queryable): Promise<void> {
    await this.budgets.reset(userId, factor, now, db);
  }
}
