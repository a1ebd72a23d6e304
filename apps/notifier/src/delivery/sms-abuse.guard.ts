import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { DeliveryFailureReason } from '@twostep/contracts';
import { deriveKey, keyedHash, Keyring } from '@twostep/crypto';
import { NOTIFIER_CONFIG, NotifierConfig } from '../config/notifier.config';
import { QUEUE_KEYRING, WORKER_REDIS } from '../core/tokens';
import { DeliveryError } from './delivery-error';
import type { PhoneDestination } from './destination.validator';

/**
 * Sliding-window admission for one SMS, atomically over the destination and the country windows.
 * Each window is a sorted set of job ids scored by time, so a retried or redelivered job never
 * counts twice. Returns 0 admitted, 1 destination limit, 2 country limit.
 */
const ADMIT_SCRIPT = `
local now = tonumber(ARGV[1])
local member = ARGV[2]
local windows = { { KEYS[1], tonumber(ARGV[3]), tonumber(ARGV[4]) }, { KEYS[2], tonumber(ARGV[5]), tonumber(ARGV[6]) } }
for i, w in ipairs(windows) do
  if w[3] > 0 then
    redis.call('ZREMRANGEBYSCORE', w[1], '-inf', now - w[2])
    if not redis.call('ZSCORE', w[1], member) and redis.call('ZCARD', w[1]) >= w[3] then
      return i
    end
  end
end
for _, w in ipairs(windows) do
  if w[3] > 0 then
    redis.call('ZADD', w[1], 'NX', now, member)
    redis.call('PEXPIRE', w[1], w[2])
  end
end
return 0
`;

/**
 * Abuse controls for SMS, checked before any provider call: the country allow-list
 * (SMS_ALLOWED_COUNTRIES), then per-destination and per-country limits. Counters live in Redis under
 * a keyed hash of the number (HMAC with a key derived from the queue key), never the number itself.
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
  ) {
    this.allowAll = config.SMS_ALLOWED_COUNTRIES.includes('*');
    this.allowed = new Set(config.SMS_ALLOWED_COUNTRIES.map((c) => c.toUpperCase()));
    this.hashKey = deriveKey(keyring.active.material, 'sms-destination-limit');
  }

  /** Throws a permanent {@link DeliveryError} when this SMS must not be sent. */
  async admit(phone: PhoneDestination, jobId: string, now: Date): Promise<void> {
    if (!this.allowAll && (!phone.country || !this.allowed.has(phone.country))) {
      throw DeliveryError.permanent(DeliveryFailureReason.DestinationNotAllowed, 'country not allowed');
    }
    const prefix = `${this.config.REDIS_KEY_PREFIX}:notifier:sms-limit`;
    const destinationKey = `${prefix}:dest:${keyedHash(this.hashKey, phone.e164)}`;
    const countryKey = `${prefix}:country:${phone.country ?? 'unknown'}`;
    const verdict = await this.redis.eval(
      ADMIT_SCRIPT,
      2,
      destinationKey,
      countryKey,
      now.getTime(),
      jobId,
      this.config.SMS_DESTINATION_WINDOW_SECONDS * 1000,
      this.config.SMS_DESTINATION_LIMIT,
      this.config.SMS_COUNTRY_WINDOW_SECONDS * 1000,
      this.config.SMS_COUNTRY_LIMIT,
    );
    if (verdict === 1) throw DeliveryError.permanent(DeliveryFailureReason.DestinationLimit, 'destination limit');
    if (verdict === 2) throw DeliveryError.permanent(DeliveryFailureReason.CountryLimit, 'country limit');
  }
}
