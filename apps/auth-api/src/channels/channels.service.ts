import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppError, DeliveryChannel, NotifierChannels, SharedRedisKey } from '@twostep/contracts';
import { JsonLogger } from '@twostep/observability';
import { LOGGER, REDIS } from '@twostep/platform';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';

/**
 * Can a message go out on a channel right now? Read from the heartbeat the notifiers write
 * (`SharedRedisKey.notifierChannels`): key present and the channel off → 503
 * `general_smtp_disabled` / `general_phone_disabled`; key absent (no notifier has reported yet) →
 * the message is queued anyway. Redis not answering → 503 `general_service_unavailable` (the enqueue
 * would fail too).
 */
@Injectable()
export class ChannelsService {
  constructor(
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  /** Throws the channel's 503 when the notifiers report it off. */
  async assertAvailable(channel: DeliveryChannel): Promise<void> {
    const state = await this.read();
    if (state && state[channel] === false) {
      throw new AppError(channel === 'email' ? 'general_smtp_disabled' : 'general_phone_disabled');
    }
  }

  /** The notifiers' last heartbeat, or undefined when none is present (or it is unreadable). */
  async read(): Promise<NotifierChannels | undefined> {
    let raw: string | null;
    try {
      raw = await this.redis.get(SharedRedisKey.notifierChannels(this.config.REDIS_KEY_PREFIX));
    } catch (error) {
      this.logger.emit('warn', 'could not read the notifier heartbeat', { reason: (error as Error).message });
      throw new AppError('general_service_unavailable', undefined, { retryAfterSeconds: 1 });
    }
    if (raw === null) return undefined;
    try {
      const parsed = JSON.parse(raw) as Partial<NotifierChannels>;
      if (typeof parsed !== 'object' || parsed === null) return undefined;
      return { email: parsed.email === true, sms: parsed.sms === true, at: typeof parsed.at === 'string' ? parsed.at : '' };
    } catch {
      this.logger.emit('warn', 'notifier heartbeat is not JSON; ignoring it');
      return undefined;
    }
  }
}
