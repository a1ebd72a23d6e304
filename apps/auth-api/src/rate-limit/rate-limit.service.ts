import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Redis from 'ioredis';
import { AppError } from '@twostep/contracts';
import { deriveKey, keyedHash, Keyring } from '@twostep/crypto';
import { JsonLogger } from '@twostep/observability';
import { Clock, CLOCK, LOGGER, QUEUE_KEYRING, REDIS } from '@twostep/platform';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { AuthMetrics } from '../core/auth-metrics.service';
import { clientIpOf } from '../common/http/request-info';
import { isPlainObject, normaliseInput } from '../common/validation/zod-pipe';
import { RateLimitRule } from './rate-limit.decorator';

/** INCR every key (setting the TTL on a first hit), atomically; returns the counts in key order. */
const HIT_ALL_SCRIPT = `local counts = {}
for i, key in ipairs(KEYS) do
  local c = redis.call('INCR', key)
  if c == 1 then redis.call('EXPIRE', key, ARGV[1]) end
  counts[i] = c
end
return counts`;

/** DECR every key that still exists (a refunded attempt), never below zero. */
const REFUND_SCRIPT = `for _, key in ipairs(KEYS) do
  if redis.call('DECR', key) < 0 then redis.call('DEL', key) end
end
return 0`;

/** One counter of {@link RateLimitService.chargeAll}: a named bucket keyed on some parts, with its limit. */
export interface Counter {
  bucket: string;
  /** what the counter is keyed on, e.g. `ip=…`, `email=…` (hashed with a key, never stored in clear) */
  parts: string[];
  limit: number;
}

/** What {@link RateLimitService.chargeAll} charged: the Redis keys (to refund) and each counter's count. */
export interface Charge {
  keys: string[];
  counts: number[];
}

/** INCR and set the TTL on the first hit, atomically. */
const HIT_SCRIPT = `local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return c`;

declare module 'fastify' {
  interface FastifyRequest {
    /** the Redis key of the counter this request was charged to */
    rateLimitKey?: string;
  }
}

export interface RateLimitOutcome {
  limit: number;
  remaining: number;
  /** unix seconds at which the window ends */
  reset: number;
}

/**
 * Appwrite's abuse limits (appwrite-api.md 5.8) as fixed windows in Redis: one counter per
 * (bucket, key, window start). The key is an HMAC of its parts, so no email address or IP appears in
 * Redis. If Redis does not answer the request is refused with 503: the limiter fails closed.
 */
@Injectable()
export class RateLimitService {
  private readonly hashKey: Buffer;

  constructor(
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(QUEUE_KEYRING) keyring: Keyring,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: JsonLogger,
    private readonly metrics: AuthMetrics,
  ) {
    this.hashKey = deriveKey(keyring.active.material, 'auth-rate-limit-key');
  }

  get enabled(): boolean {
    return this.config.RATE_LIMIT_ENABLED;
  }

  /** Charges one request; sets the headers; throws 429 when over the limit, 503 when Redis is down. */
  async hit(rule: RateLimitRule, bucket: string, request: FastifyRequest, reply: FastifyReply, userId?: string): Promise<RateLimitOutcome> {
    const window = rule.windowSeconds ?? 3600;
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    const windowStart = nowSeconds - (nowSeconds % window);
    const reset = windowStart + window;
    const subject = keyedHash(this.hashKey, bucket, ...rule.key.map((part) => this.keyPart(part, request, userId)));
    const key = `${this.config.REDIS_KEY_PREFIX}:rl:${bucket}:${subject}:${windowStart}`;
    let count: number;
    try {
      count = Number(await this.redis.eval(HIT_SCRIPT, 1, key, String(window + 60)));
    } catch (error) {
      this.logger.emit('warn', 'rate limiter unavailable, refusing the request', { bucket, reason: (error as Error).message });
      throw new AppError('general_service_unavailable', undefined, { retryAfterSeconds: 1 });
    }
    request.rateLimitKey = key;
    const remaining = Math.max(0, rule.limit - count);
    reply.header('X-RateLimit-Limit', String(rule.limit));
    reply.header('X-RateLimit-Remaining', String(remaining));
    reply.header('X-RateLimit-Reset', String(reset));
    if (count > rule.limit) {
      this.metrics.rateLimitedRequest(request, bucket);
      throw new AppError('general_rate_limit_exceeded', undefined, { retryAfterSeconds: Math.max(1, reset - nowSeconds) });
    }
    return { limit: rule.limit, remaining, reset };
  }

  /**
   * Charges one attempt to several counters at once (one window of `windowSeconds`), atomically.
   * Returns what was charged and which counter (index) is over its limit, if any; 503 when Redis is down.
   */
  async chargeAll(
    counters: Counter[],
    windowSeconds: number,
  ): Promise<{ charge: Charge; over: number; reset: number; retryAfter: number }> {
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    const windowStart = nowSeconds - (nowSeconds % windowSeconds);
    const reset = windowStart + windowSeconds;
    const keys = counters.map(
      (c) => `${this.config.REDIS_KEY_PREFIX}:rl:${c.bucket}:${keyedHash(this.hashKey, c.bucket, ...c.parts)}:${windowStart}`,
    );
    let counts: number[];
    try {
      counts = ((await this.redis.eval(HIT_ALL_SCRIPT, keys.length, ...keys, String(windowSeconds + 60))) as unknown[]).map(Number);
    } catch (error) {
      this.logger.emit('warn', 'rate limiter unavailable, refusing the request', {
        bucket: counters[0]?.bucket,
        reason: (error as Error).message,
      });
      throw new AppError('general_service_unavailable', undefined, { retryAfterSeconds: 1 });
    }
    const over = counters.findIndex((c, i) => counts[i] > c.limit);
    return { charge: { keys, counts }, over, reset, retryAfter: Math.max(1, reset - nowSeconds) };
  }

  /** Gives a charged attempt back to each of `keys` (best effort). */
  async refund(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await this.redis.eval(REFUND_SCRIPT, keys.length, ...keys);
    } catch (error) {
      this.logger.emit('warn', 'could not refund a rate-limit counter', { reason: (error as Error).message });
    }
  }

  /** Forgets `keys` (best effort). */
  async forget(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await this.redis.del(...keys);
    } catch (error) {
      this.logger.emit('warn', 'could not reset a rate-limit counter', { reason: (error as Error).message });
    }
  }

  private keyPart(part: RateLimitRule['key'][number], request: FastifyRequest, userId?: string): string {
    if (part === 'ip') return `ip=${clientIpOf(request)}`;
    if (part === 'userId') return `user=${userId ?? ''}`;
    const body = isPlainObject(request.body) ? request.body : {};
    // Fastify's query object has no Object prototype: read its own properties
    const query = normaliseInput(request.query);
    const raw = Object.prototype.hasOwnProperty.call(body, part.param) ? body[part.param] : query[part.param];
    const value = typeof raw === 'string' ? raw : '';
    return `${part.param}=${part.lowercase ? value.toLowerCase() : value}`;
  }
}
