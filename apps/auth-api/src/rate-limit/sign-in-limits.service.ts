import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '@twostep/contracts';
import { JsonLogger } from '@twostep/observability';
import { LOGGER } from '@twostep/platform';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { AuthMetrics } from '../core/auth-metrics.service';
import { clientIpOf } from '../common/http/request-info';
import { addressBlockOf } from './address-block';
import { Charge, Counter, RateLimitService } from './rate-limit.service';

const WINDOW_SECONDS = 3600;

/** An attempt charged by {@link SignInLimits.charge}; give it back with {@link SignInLimits.succeeded}. */
export interface SignInAttempt {
  charge: Charge;
}

/**
 * Limits on failed sign-ins, counted in Redis per hour (every first factor that takes an account
 * identifier and a secret should go through it):
 *  - per source address (an IPv6 address counts by its /64), across accounts (SIGN_IN_FAILURES_PER_IP,
 *    default 100): spraying many accounts from one address stops;
 *  - per (source address, account) (SIGN_IN_FAILURES_PER_IP_AND_EMAIL, default 10): guessing one account's
 *    password from one address stops, without stopping the owner signing in from anywhere else;
 *  - per account from all addresses together (SIGN_IN_FAILURES_PER_EMAIL, default 1000): a much higher
 *    ceiling against distributed guessing.
 * Every attempt is charged before the password is checked (so concurrent guesses cannot overrun a limit)
 * and given back when it succeeds (a success also clears its (address, account) counter, as Appwrite
 * resets its limit); a refused attempt is given back too, so it never counts as a failure.
 */
@Injectable()
export class SignInLimits {
  constructor(
    private readonly rateLimits: RateLimitService,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(LOGGER) private readonly logger: JsonLogger,
    private readonly metrics: AuthMetrics,
  ) {}

  /**
   * Charges one sign-in attempt for `identifier` (an email address, lower-cased here) from the request's
   * source address; sets the X-RateLimit headers of the (address, account) limit; 429 when a limit is spent.
   * Undefined when limits are off (RATE_LIMIT_ENABLED=false).
   */
  async charge(identifier: string, request: FastifyRequest, reply: FastifyReply): Promise<SignInAttempt | undefined> {
    if (!this.rateLimits.enabled) return undefined;
    const ip = `ip=${addressBlockOf(clientIpOf(request))}`;
    const account = `email=${identifier.toLowerCase()}`;
    const counters: Counter[] = [
      { bucket: 'sign-in.ip-email', parts: [ip, account], limit: this.config.SIGN_IN_FAILURES_PER_IP_AND_EMAIL },
      { bucket: 'sign-in.ip', parts: [ip], limit: this.config.SIGN_IN_FAILURES_PER_IP },
      { bucket: 'sign-in.email', parts: [account], limit: this.config.SIGN_IN_FAILURES_PER_EMAIL },
    ];
    const { charge, over, reset, retryAfter } = await this.rateLimits.chargeAll(counters, WINDOW_SECONDS);
    const own = counters[0];
    reply.header('X-RateLimit-Limit', String(own.limit));
    reply.header('X-RateLimit-Remaining', String(Math.max(0, own.limit - charge.counts[0])));
    reply.header('X-RateLimit-Reset', String(reset));
    if (over >= 0) {
      // refused without checking the password: not a failure, so it does not push any counter further
      await this.rateLimits.refund(charge.keys);
      if (counters[over].bucket !== 'sign-in.ip-email') {
        this.logger.emit('warn', 'sign-in limit reached', { limit: counters[over].bucket });
      }
      this.metrics.rateLimitedRequest(request, counters[over].bucket);
      throw new AppError('general_rate_limit_exceeded', undefined, { retryAfterSeconds: retryAfter });
    }
    return { charge };
  }

  /** The attempt succeeded: it is given back, and its (address, account) counter starts over. */
  async succeeded(attempt: SignInAttempt | undefined): Promise<void> {
    if (!attempt) return;
    const [ipEmail, ...others] = attempt.charge.keys;
    await this.rateLimits.forget([ipEmail]);
    await this.rateLimits.refund(others);
  }
}
