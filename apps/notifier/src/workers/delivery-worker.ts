import { randomInt } from 'node:crypto';
import { hostname } from 'node:os';
import { DelayedError, Job, UnrecoverableError, Worker } from 'bullmq';
import type Redis from 'ioredis';
import { DeliveryChannel, DeliveryFailureReason, QueueName } from '@twostep/contracts';
import { bullmqTelemetry, JsonLogger, requestContext } from '@twostep/observability';
import type { NotifierMetrics } from '../core/notifier-metrics.service';
import { DeliveryError } from '../delivery/delivery-error';

/** A job as a handler sees it (no BullMQ types in the services). */
export interface DeliveryJob<T> {
  id: string;
  name: string;
  data: T;
  /** 1-based number of this try */
  attempt: number;
}

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
  /** The channel a job is for, for metrics and logs ('unknown' when the payload is unreadable). */
  channelOf(data: T): DeliveryChannel | 'unknown';
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
 * One BullMQ worker for one queue, with the notifier's delivery semantics around a handler:
 *  - permanent failures (and the last attempt of transient ones) are reported through
 *    `onGivingUp` and end the job with `UnrecoverableError` (no retry);
 *  - transient failures are retried with the job's exponential backoff and jitter, or after the
 *    provider's Retry-After (plus up to 20 % jitter) when it gave one;
 *  - every error stored in Redis or logged is the classified, payload-free `DeliveryError` message;
 *  - `close()` stops taking jobs and waits for the active ones (graceful shutdown); a worker that
 *    dies leaves its jobs to the stalled-job check of the others.
 */
export class DeliveryWorker<T> {
  private worker?: Worker<T>;
  private running?: Promise<void>;

  constructor(
    readonly queue: QueueName,
    private readonly handler: DeliveryHandler<T>,
    private readonly options: DeliveryWorkerOptions,
    private readonly logger: JsonLogger,
    private readonly metrics: NotifierMetrics,
  ) {}

  start(): void {
    if (this.worker) return;
    const o = this.options;
    // each job runs under the request id its producer put into it, so its log lines carry that reqId
    const worker = new Worker<T>(
      this.queue,
      (job, token) => requestContext.runAs((job.data as { requestId?: unknown } | undefined)?.requestId, () => this.process(job, token)),
      {
        connection: o.connection,
        prefix: o.prefix,
        name: `notifier@${hostname()}#${process.pid}`,
        autorun: false,
        concurrency: o.concurrency,
        lockDuration: o.lockDurationMs,
        stalledInterval: o.stalledIntervalMs,
        maxStalledCount: MAX_STALLED_COUNT,
        removeOnComplete: { count: 0 },
        removeOnFail: { age: o.keepFailedSeconds },
        // tracing on: each job is processed in a span that continues its producer's trace
        telemetry: bullmqTelemetry(),
      },
    );
    // an 'error' listener is mandatory: without one a lost Redis connection crashes the process
    worker.on('error', (err) => this.logger.emit('warn', 'worker error', { queue: this.queue, reason: err.name, detail: err.message }));
    worker.on('stalled', (jobId) => this.logger.emit('warn', 'job stalled, will be retried', { queue: this.queue, jobId }));
    this.worker = worker;
    this.running = worker.run().catch((err: unknown) => {
      this.logger.emit('error', 'worker stopped unexpectedly', { queue: this.queue, reason: err instanceof Error ? err.name : 'error' });
    });
  }

  /** True while the worker takes jobs (readiness). */
  isRunning(): boolean {
    return this.worker !== undefined && this.worker.isRunning() && !this.worker.closing;
  }

  /** Stops taking new jobs and waits for the active ones to finish. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await worker.close();
    await this.running;
  }

  private async process(job: Job<T>, token?: string): Promise<void> {
    const maxAttempts = Math.max(1, job.opts.attempts ?? 1);
    const attempt = Math.max(job.attemptsMade + 1, job.attemptsStarted, 1);
    const jobId = job.id ?? 'unknown';
    const d: DeliveryJob<T> = { id: jobId, name: job.name, data: job.data, attempt };
    const channel = this.safeChannel(job.data);
    const log = { queue: this.queue, jobId, jobName: job.name, channel, attempt };
    try {
      const outcome = await this.handler.handle(d);
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
      if (error.permanent || attempt >= maxAttempts) {
        await this.handler.onGivingUp(d, error);
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
      if (error.retryAfterMs !== undefined && token) {
        const delay = error.retryAfterMs + randomInt(0, Math.floor(error.retryAfterMs * 0.2) + 1);
        this.logger.emit('info', 'delivery deferred by the provider', {
          ...log,
          reason: error.reason,
          errorCode: error.detail,
          delayMs: delay,
        });
        await job.moveToDelayed(Date.now() + delay, token);
        throw new DelayedError();
      }
      this.logger.emit('info', 'delivery failed, will retry', { ...log, reason: error.reason, errorCode: error.detail });
      throw error;
    }
  }

  private safeChannel(data: T): DeliveryChannel | 'unknown' {
    try {
      return this.handler.channelOf(data);
    } catch {
      return 'unknown';
    }
  }
}
