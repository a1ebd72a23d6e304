import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { QueueName, SharedRedisKey } from '@twostep/contracts';
import { NOTIFIER_CONFIG, NotifierConfig } from '../config/notifier.config';
import { WORKER_REDIS } from '../core/tokens';

/** What the "sent" marker of a job remembers (nothing secret). */
export interface SentMarker {
  provider: string;
  providerMessageId: string;
}

/**
 * Redis state around a delivery: the "sent" marker that stops a job from being sent twice (a
 * redelivered stalled job, or a second enqueue after the completed job was removed), and the
 * producers' closed-reference keys (challenge consumed or superseded). Keys hold job ids and
 * provider ids only.
 */
@Injectable()
export class DeliveryStateStore {
  private readonly prefix: string;

  constructor(
    @Inject(WORKER_REDIS) private readonly redis: Redis,
    @Inject(NOTIFIER_CONFIG) config: NotifierConfig,
  ) {
    this.prefix = config.REDIS_KEY_PREFIX;
  }

  private sentKey(queue: QueueName, jobId: string): string {
    return `${this.prefix}:notifier:sent:${queue}:${jobId}`;
  }

  async sentMarker(queue: QueueName, jobId: string): Promise<SentMarker | undefined> {
    const raw = await this.redis.get(this.sentKey(queue, jobId));
    if (!raw) return undefined;
    try {
      const parsed = JSON.parse(raw) as Partial<SentMarker>;
      return { provider: String(parsed.provider ?? 'unknown'), providerMessageId: String(parsed.providerMessageId ?? '') };
    } catch {
      return { provider: 'unknown', providerMessageId: '' };
    }
  }

  /** Set right after the provider accepted the message; lives `ttlSeconds`. */
  async markSent(queue: QueueName, jobId: string, marker: SentMarker, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.sentKey(queue, jobId), JSON.stringify(marker), 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }

  async isReferenceClosed(referenceId: string): Promise<boolean> {
    return (await this.redis.exists(SharedRedisKey.closedReference(this.prefix, referenceId))) === 1;
  }
}
