import { JobsOptions, Queue, QueueOptions } from 'bullmq';
import type Redis from 'ioredis';
import { QueueName } from '@twostep/contracts';
import { bullmqTelemetry } from '@twostep/observability';

export class QueueUnavailableError extends Error {
  constructor(queue: string, cause: unknown) {
    super(`could not enqueue on ${queue}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'QueueUnavailableError';
  }
}

/** BullMQ key prefix for a deployment: `<REDIS_KEY_PREFIX>:bull`. */
export function bullPrefix(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}:bull`;
}

export interface QueuePolicy {
  attempts: number;
  /** first backoff delay in ms; doubles every attempt, with jitter */
  backoffMs: number;
  /** seconds a failed job (sealed payload) is kept for inspection */
  keepFailedSeconds: number;
}

/** Retention and retry defaults per queue (see ARCHITECTURE.md section 3). */
export function defaultQueuePolicy(queue: QueueName, opts: { challengeTtlSeconds?: number } = {}): QueuePolicy {
  switch (queue) {
    case QueueName.OtpDelivery:
      // a failed code job is useless once the code has expired: keep it no longer than that
      return { attempts: 6, backoffMs: 500, keepFailedSeconds: opts.challengeTtlSeconds ?? 600 };
    case QueueName.DeliveryResults:
      return { attempts: 10, backoffMs: 200, keepFailedSeconds: 24 * 3600 };
    case QueueName.SecurityNotices:
      return { attempts: 10, backoffMs: 1000, keepFailedSeconds: 7 * 24 * 3600 };
  }
}

export function jobOptions(policy: QueuePolicy): JobsOptions {
  return {
    attempts: policy.attempts,
    backoff: { type: 'exponential', delay: policy.backoffMs, jitter: 0.5 },
    removeOnComplete: true,
    removeOnFail: { age: policy.keepFailedSeconds },
  };
}

/**
 * A typed, fail-fast producer for one queue. `add` rejects with {@link QueueUnavailableError} within
 * `timeoutMs` when Redis does not answer, so callers can answer 503 rather than hang.
 */
export class QueueProducer<TData, TName extends string = string> {
  readonly queue: Queue<TData, unknown, TName>;

  constructor(
    readonly name: QueueName,
    connection: Redis,
    prefix: string,
    private readonly policy: QueuePolicy,
    private readonly timeoutMs = 2000,
  ) {
    // telemetry: an `add` span and the trace context in the job, when tracing is on
    const options: QueueOptions = { connection, prefix, defaultJobOptions: jobOptions(policy), telemetry: bullmqTelemetry() };
    this.queue = new Queue<TData, unknown, TName>(name, options);
    this.queue.on('error', () => undefined); // connection errors surface through add()
  }

  async add(jobName: TName, data: TData, jobId: string, overrides: JobsOptions = {}): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const job = await Promise.race([
        // BullMQ's generics over job names are awkward to satisfy from a generic wrapper
        (this.queue as unknown as Queue<TData>).add(jobName as never, data as never, { ...overrides, jobId }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
      return job.id ?? jobId;
    } catch (error) {
      throw new QueueUnavailableError(this.name, error);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
