import { randomInt } from 'node:crypto';
import { DelayedError, UnrecoverableError } from 'bullmq';
import type Redis from 'ioredis';
import type { z } from 'zod';
import { DeliveryChannel, DeliveryFailureReason, QueueName } from '@twostep/contracts';
import { HostedJob, JobControl, WorkerHost } from '@twostep/messaging';
import { JsonLogger } from '@twostep/observability';
import type { NotifierMetrics } from '../core/notifier-metrics.service';
import { DeliveryError } from '../delivery/delivery-error';

/** A job as a handler sees it: its data parsed with the queue's schema (no BullMQ types in the services). */
export type DeliveryJob<T> = HostedJob<T>;

/** How a handled job ended when it did not throw. */
export type DeliveryOutcome =
  | { status: 'sent'; channel: DeliveryChannel; provider: string; latencySeconds?: number; duplicate?: boolean }
  | { status: 'dropped'; reason: DeliveryFailureReason };

/** What a queue's processor provides to its worker. */
export interface DeliveryHandler<T> {
  /** Delivers or drops the job; throws a `DeliveryError` (or anything, taken as transient) otherwise. */
  handle(job: DeliveryJob<T>): Promise<DeliveryOutcome>;
  /** Called once when the job will not be tried again (permanent failure or attempts spent). */
  onGivingUp(job: DeliveryJob<T>, error: DeliveryError): Promise<void>;
  /** The channel a job is for, for metrics and logs. */
  channelOf(data: T): DeliveryChannel;
  /** After this time (ms) the job is worthless: a Retry-After beyond it gives up at once. */
  deadlineOf(data: T): number | undefined;
}

/**
 * A job whose worker died is handed to another worker once; if that one dies with it too, the job fails
 * (the user asks for a new code). This bounds duplicates at one per job (at-least-once against SMTP can
 * resend only what was in flight) and keeps a message that crashes workers from crash-looping the fleet.
 */
export const MAX_STALLED_COUNT = 1;

export interface DeliveryWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** how long failed jobs are kept when the job itself does not say (seconds) */
  keepFailedSeconds: number;
}

/**
 * One queue's consumer in the notifier: the shared {@link WorkerHost} (schema check, request id, drain)
 * with the notifier's delivery semantics around a handler:
 *  - a job that fails the queue's schema is failed permanently as `invalid_payload` (counted, logged
 *    without content);
 *  - permanent failures (and the last attempt of transient ones) are reported through
 *    `onGivingUp` and end the job with `UnrecoverableError` (no retry);
 *  - transient failures are retried with the job's exponential backoff and jitter, or after the
 *    provider's Retry-After (plus up to 20 % jitter) when it gave one;
 *  - every error stored in Redis or logged is the classified, payload-free `DeliveryError` message;
 *  - `close()` stops taking jobs and waits for the active ones (graceful shutdown); a worker that
 *    dies leaves its jobs to the stalled-job check of the others.
 */
export class DeliveryWorker<S extends z.ZodType> {
  private readonly host: WorkerHost<S>;

  constructor(
    readonly queue: QueueName,
    schema: S,
    private readonly handler: DeliveryHandler<z.output<S>>,
    options: DeliveryWorkerOptions,
    private readonly logger: JsonLogger,
    private readonly metrics: NotifierMetrics,
  ) {
    this.host = new WorkerHost({
      queue,
      schema,
      connection: options.connection,
      prefix: options.prefix,
      service: 'notifier',
      concurrency: options.concurrency,
      lockDurationMs: options.lockDurationMs,
      stalledIntervalMs: options.stalledIntervalMs,
      maxStalledCount: MAX_STALLED_COUNT,
      keepCompleted: 0,
      keepFailedSeconds: options.keepFailedSeconds,
      logger,
      handle: (job, control) => this.process(job, control),
      onInvalid: () => this.metrics.recordFailed(this.queue, 'unknown', DeliveryFailureReason.InvalidPayload),
    });
  }

  start(): void {
    this.host.start();
  }

  /** True while the worker takes jobs (readiness). */
  isRunning(): boolean {
    return this.host.isRunning();
  }

  /** Stops taking new jobs and waits for the active ones to finish. */
  close(): Promise<void> {
    return this.host.close();
  }

  private async process(job: DeliveryJob<z.output<S>>, control: JobControl): Promise<void> {
    const channel = this.handler.channelOf(job.data);
    const log = { queue: this.queue, jobId: job.id, jobName: job.name, channel, attempt: job.attempt };
    try {
      const outcome = await this.handler.handle(job);
      if (outcome.status === 'sent') {
        if (!outcome.duplicate) this.metrics.recordSent(this.queue, outcome.channel, outcome.provider, outcome.latencySeconds);
        this.logger.emit('info', outcome.duplicate ? 'already sent, not sent again' : 'message sent', {
          ...log,
          provider: outcome.provider,
        });
      } else {
        this.metrics.recordDropped(this.queue, outcome.reason);
        this.logger.emit('info', 'job dropped without contacting the provider', { ...log, reason: outcome.reason });
      }
    } catch (thrown) {
      if (thrown instanceof DelayedError) throw thrown;
      let error = DeliveryError.from(thrown);
      const deadline = this.handler.deadlineOf(job.data);
      if (!error.permanent && error.retryAfterMs !== undefined && deadline !== undefined && Date.now() + error.retryAfterMs >= deadline) {
        error = DeliveryError.permanent(
          error.reason,
          error.detail ? `${error.detail}, retry-after beyond expiry` : 'retry-after beyond expiry',
        );
      }
      if (error.permanent || job.attempt >= job.maxAttempts) {
        await this.handler.onGivingUp(job, error);
        this.metrics.recordFailed(this.queue, channel, error.reason);
        this.logger.emit('warn', 'delivery failed, not retried', {
          ...log,
          reason: error.reason,
          errorCode: error.detail,
          permanent: error.permanent,
        });
        throw new UnrecoverableError(error.message);
      }
      this.metrics.recordRetry(this.queue, channel, error.reason);
      if (error.retryAfterMs !== undefined && control.moveToDelayed) {
        const delay = error.retryAfterMs + randomInt(0, Math.floor(error.retryAfterMs * 0.2) + 1);
        this.logger.emit('info', 'delivery deferred by the provider', {
          ...log,
          reason: error.reason,
          errorCode: error.detail,
          delayMs: delay,
        });
        await control.moveToDelayed(Date.now() + delay);
        throw new DelayedError();
      }
      this.logger.emit('info', 'delivery failed, will retry', { ...log, reason: error.reason, errorCode: error.detail });
      throw error;
    }
  }
}
