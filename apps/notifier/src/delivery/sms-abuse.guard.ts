import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { DeliveryFailureReason, OtpDeliveryJobName } from '@twostep/contracts';
import { deriveKey, keyedHash, Keyring } from '@twostep/crypto';
import { JsonLogger } from '@twostep/observability';
import { LOGGER, QUEUE_KEYRING } from '@twostep/platform';
import { NOTIFIER_CONFIG, NotifierConfig } from '../config/notifier.config';
import { NotifierMetrics } from '../core/notifier-metrics.service';
import { WORKER_REDIS } from '../core/tokens';
import { DeliveryError } from './delivery-error';
import type { PhoneDestination } from './destination.validator';

/**
 * Sliding-window admission for one SMS, atomically over every window (KEYS[i] with ARGV window ms and
 * limit pairs from ARGV[3]). Each window is a sorted set of job ids scored by time, so a retried or
 * redelivered job never counts twice. Returns 0 admitted, or the 1-based index of the full window.
 */
const ADMIT_SCRIPT = `
local now = tonumber(ARGV[1])
local member = ARGV[2]
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[1 + 2 * i])
  local limit = tonumber(ARGV[2 + 2 * i])
  if limit > 0 then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    if not redis.call('ZSCORE', key, member) and redis.call('ZCARD', key) >= limit then
      return i
    end
  end
end
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[1 + 2 * i])
  if tonumber(ARGV[2 + 2 * i]) > 0 then
    redis.call('ZADD', key, 'NX', now, member)
    redis.call('PEXPIRE', key, window)
  end
end
return 0
`;

/**
 * Whose budget an SMS spends. MFA challenge codes go only to numbers the user has verified; every other
 * SMS (phone verification) goes to a number nobody has proven yet, which is what SMS pumping abuses.
 * The two never share a counter, so pumping unverified numbers cannot block a verified user's code.
 */
export type SmsBucket = 'verified' | 'unverified';

export function smsBucketOf(jobName: string): SmsBucket {
  // eslint-disable-next-line no-restricted-syntax -- a job name, not a secret
  return jobName === OtpDeliveryJobName.MfaChallengeCode ? 'verified' : 'unverified';
}

/** The number range an SMS goes to: the E.164 number without its last 4 digits (a block of 10,000 numbers). */
export function numberPrefixOf(e164: string): string {
  return e164.slice(0, -4);
}

type Cap = 'destination' | 'account' | 'prefix' | 'country';

const REASONS: Record<Cap, DeliveryFailureReason> = {
  destination: DeliveryFailureReason.DestinationLimit,
  account: DeliveryFailureReason.AccountLimit,
  prefix: DeliveryFailureReason.PrefixLimit,
  country: DeliveryFailureReason.CountryLimit,
};

/**
 * Abuse controls for SMS, checked before any provider call: the country allow-list
 * (SMS_ALLOWED_COUNTRIES), then per-destination, per-account (daily), per-number-range and per-country
 * limits, each counted separately for verified and unverified destinations ({@link SmsBucket}).
 * Counters live in Redis under keyed hashes of the number, its range and the account (HMAC with a key
 * derived from the queue key), never the values themselves. A tripped cap is counted in
 * `notifier_sms_cap_tripped_total` and logged with the cap, bucket and country only.
 */
@Injectable()
export class SmsAbuseGuard {
  private readonly allowAll: boolean;
  private readonly allowed: ReadonlySet<string>;
  private readonly hashKey: Buffer;

  constructor(
    @Inject(WORKER_REDIS) private readonly redis: Redis,
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
    @Inject(QUEUE_KEYRING) keyring: Keyring,
    private readonly metrics: NotifierMetrics,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {
    this.allowAll = config.SMS_ALLOWED_COUNTRIES.includes('*');
    this.allowed = new Set(config.SMS_ALLOWED_COUNTRIES.map((c) => c.toUpperCase()));
    this.hashKey = deriveKey(keyring.active.material, 'sms-destination-limit');
  }

  /** Throws a permanent {@link DeliveryError} when this SMS must not be sent. */
  async admit(phone: PhoneDestination, job: { id: string; name: string; userId: string }, now: Date): Promise<void> {
    if (!this.allowAll && (!phone.country || !this.allowed.has(phone.country))) {
      throw DeliveryError.permanent(DeliveryFailureReason.DestinationNotAllowed, 'country not allowed');
    }
    const bucket = smsBucketOf(job.name);
    const c = this.config;
    const base = `${c.REDIS_KEY_PREFIX}:notifier:sms-limit`;
    const hash = (v: string) => keyedHash(this.hashKey, v);
    const windows: Array<{ cap: Cap; key: string; windowSeconds: number; limit: number }> = [
      {
        cap: 'destination',
        key: `${base}:dest:${bucket}:${hash(phone.e164)}`,
        windowSeconds: c.SMS_DESTINATION_WINDOW_SECONDS,
        limit: c.SMS_DESTINATION_LIMIT,
      },
      {
        cap: 'account',
        key: `${base}:account:${bucket}:${hash(`user:${job.userId}`)}`,
        windowSeconds: 86_400,
        limit: c.SMS_ACCOUNT_DAILY_LIMIT,
      },
      {
        cap: 'prefix',
        key: `${base}:prefix:${bucket}:${hash(numberPrefixOf(phone.e164))}`,
        windowSeconds: c.SMS_PREFIX_WINDOW_SECONDS,
        limit: c.SMS_PREFIX_LIMIT,
      },
      {
        cap: 'country',
        key: `${base}:country:${bucket}:${phone.country ?? 'unknown'}`,
        windowSeconds: c.SMS_COUNTRY_WINDOW_SECONDS,
        limit: c.SMS_COUNTRY_LIMIT,
      },
    ];
    const verdict = Number(
      await this.redis.eval(
        ADMIT_SCRIPT,
        windows.length,
        ...windows.map((w) => w.key),
        now.getTime(),
        job.id,
        ...windows.flatMap((w) => [w.windowSeconds * 1000, w.limit]),
      ),
    );
    if (verdict === 0) return;
    const tripped = windows[verdict - 1];
    this.metrics.smsCapTripped(tripped.cap, bucket);
    this.logger.emit('warn', 'SMS cap reached, message not sent', {
      cap: tripped.cap,
      bucket,
      country: phone.country ?? 'unknown',
      limit: tripped.limit,
      windowSeconds: tripped.windowSeconds,
    });
    throw DeliveryError.permanent(REASONS[tripped.cap], `${tripped.cap} limit`);
  }
}
