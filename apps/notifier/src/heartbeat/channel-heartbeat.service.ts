import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { NotifierChannels, SharedRedisKey } from '@twostep/contracts';
import { JsonLogger } from '@twostep/observability';
import { CLOCK, Clock, LOGGER } from '@twostep/platform';
import { ChannelRegistry } from '../channels/channel-registry.service';
import { NOTIFIER_CONFIG, NotifierConfig } from '../config/notifier.config';
import { CLIENT_REDIS } from '../core/tokens';

export const HEARTBEAT_INTERVAL_MS = 10_000;
export const HEARTBEAT_TTL_SECONDS = 30;

/**
 * Tells producers which channels a live notifier can deliver on: `{email, sms, at}` under
 * `SharedRedisKey.notifierChannels`, written at start and every 10 s with a 30 s TTL, so the key
 * disappears about 30 s after the last notifier stops.
 */
@Injectable()
export class ChannelHeartbeat {
  private timer?: NodeJS.Timeout;
  private failing = false;

  constructor(
    @Inject(CLIENT_REDIS) private readonly redis: Redis,
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: JsonLogger,
    private readonly channels: ChannelRegistry,
  ) {}

  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
    await this.beat();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Writes the heartbeat once; a failure is logged (once per outage) and retried at the next beat. */
  async beat(): Promise<void> {
    const value: NotifierChannels = { ...this.channels.enabled(), at: this.clock.now().toISOString() };
    try {
      await this.redis.set(
        SharedRedisKey.notifierChannels(this.config.REDIS_KEY_PREFIX),
        JSON.stringify(value),
        'EX',
        HEARTBEAT_TTL_SECONDS,
      );
      if (this.failing) this.logger.emit('info', 'channel heartbeat restored');
      this.failing = false;
    } catch (error) {
      if (!this.failing)
        this.logger.emit('warn', 'channel heartbeat not written', { reason: error instanceof Error ? error.name : 'error' });
      this.failing = true;
    }
  }
}
