import { hostname } from 'node:os';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import type Redis from 'ioredis';
import type { z } from 'zod';
import { QueueName } from '@twostep/contracts';
import { bullmqTelemetry, JsonLogger, requestContext } from '@twostep/observability';

/** A job as a handler sees it: its data already parsed with the queue's schema (no BullMQ types). */
export interface HostedJob<T> {
  id: string;
  name: string;
  data: T;
  /** 1-based number of this try */
  attempt: number;
  /** how many tries the producer allowed */
  maxAttempts: number;
}

/** What a handler may do with the BullMQ job beyond its data (delays). */
export interface JobControl {
  /**
   * Moves the job to the delayed set (the handler must then throw BullMQ's `DelayedError`); absent when
   * the job has no lock token.
   */
  moveToDelayed?(timestamp: number): Promise<void>;
}

/** Payload-free summary of why a job was refused: the paths and codes of the schema issues, never values. */
export interface InvalidJob {
  id: string;
  name: string;
  issues: string[];
}

export interface WorkerHostOptions<S extends z.ZodType> {
  queue: QueueName;
  /** the queue's job schema (`queueContracts[queue].job`) */
  schema: S;
  /** a BullMQ worker connection (`maxRetriesPerRequest: null`), or its factory (called by `start()`) */
  connection: Redis | (() => Redis);
  /** BullMQ key prefix (`bullPrefix(...)`) */
  prefix: string;
  /** the service name, in the worker's name (`<service>@<host>#<pid>`) */
  service: string;
  concurrency: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  maxStalledCount?: number;
  /** completed jobs kept (count); BullMQ's default when absent */
  keepCompleted?: number;
  /** failed jobs kept (seconds); BullMQ's default when absent */
  keepFailedSeconds?: number;
  logger: JsonLogger;
  /** handles a valid job; what it throws is what BullMQ sees (retry, `UnrecoverableError`, `DelayedError`) */
  handle(job: HostedJob<z.output<S>>, control: JobControl): Promise<unknown>;
  /** called for a job that fails its schema, before it is failed permanently (metrics, results) */
  onInvalid?(job: InvalidJob): Promise<void> | void;
}

/** The schema of every queue that has a worker host in this process (registered when constructed), for the contract test. */
const hosted = new Map<QueueName, z.ZodType>();
export function hostedQueues(): ReadonlyMap<QueueName, z.ZodType> {
  return hosted;
}

/**
 * The one host of every BullMQ consumer. Around a handler it:
 *  - parses each job's data with the queue's schema: a job that does not match is logged (id, name and
 *    issue paths only, never content) and failed permanently (`UnrecoverableError`), never retried;
 *  - runs the handler under the request id the producer put into the job (log lines carry that reqId);
 *  - always has an 'error' listener (without one a lost Redis connection crashes the process);
 *  - `close()` stops taking jobs and waits for the active ones (graceful drain); `close(true)` gives up
 *    at once (Redis unreachable: an interrupted job is retried elsewhere once its lock expires).
 */
export class WorkerHost<S extends z.ZodType> {
  private worker?: Worker;
  private running?: Promise<void>;
  readonly queue: QueueName;

  constructor(private readonly options: WorkerHostOptions<S>) {
    this.queue = options.queue;
    hosted.set(options.queue, options.schema);
  }

  start(): void {
    if (this.worker) return;
    const o = this.options;
    const worker = new Worker(this.queue, (job, token) => this.process(job, token), {
      connection: typeof o.connection === 'function' ? o.connection() : o.connection,
      prefix: o.prefix,
      name: `${o.service}@${hostname()}#${process.pid}`,
      autorun: false,
      concurrency: o.concurrency,
      ...(o.lockDurationMs !== undefined ? { lockDuration: o.lockDurationMs } : {}),
      ...(o.stalledIntervalMs !== undefined ? { stalledInterval: o.stalledIntervalMs } : {}),
      ...(o.maxStalledCount !== undefined ? { maxStalledCount: o.maxStalledCount } : {}),
      ...(o.keepCompleted !== undefined ? { removeOnComplete: { count: o.keepCompleted } } : {}),
      ...(o.keepFailedSeconds !== undefined ? { removeOnFail: { age: o.keepFailedSeconds } } : {}),
      // tracing on: each job is processed in a span that continues its producer's trace
      telemetry: bullmqTelemetry(),
    });
    worker.on('error', (err) => o.logger.emit('warn', 'worker error', { queue: this.queue, reason: err.name, detail: err.message }));
    worker.on('stalled', (jobId) => o.logger.emit('warn', 'job stalled, will be retried', { queue: this.queue, jobId }));
    this.worker = worker;
    this.running = worker.run().catch((err: unknown) => {
      o.logger.emit('error', 'worker stopped unexpectedly', { queue: this.queue, reason: err instanceof Error ? err.name : 'error' });
    });
  }

  /** True while the worker takes jobs (readiness). */
  isRunning(): boolean {
    return this.worker !== undefined && this.worker.isRunning() && !this.worker.closing;
  }

  /** Stops taking new jobs and waits for the active ones (`force`: without waiting). */
  async close(force = false): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await worker.close(force);
    await this.running;
  }

  private async process(job: Job, token?: string): Promise<unknown> {
    const id = job.id ?? 'unknown';
    const parsed = this.options.schema.safeParse(job.data);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.code}`);
      this.options.logger.emit('warn', 'invalid job refused, not retried', { queue: this.queue, jobId: id, jobName: job.name, issues });
      await this.options.onInvalid?.({ id, name: job.name, issues });
      throw new UnrecoverableError('invalid job payload');
    }
    const data = parsed.data as z.output<S>;
    const hostedJob: HostedJob<z.output<S>> = {
      id,
      name: job.name,
      data,
      attempt: Math.max(job.attemptsMade + 1, job.attemptsStarted, 1),
      maxAttempts: Math.max(1, job.opts.attempts ?? 1),
    };
    const control: JobControl = token ? { moveToDelayed: (timestamp) => job.moveToDelayed(timestamp, token) } : {};
    const requestId = (data as { requestId?: unknown } | null)?.requestId;
    return requestContext.runAs(requestId, () => this.options.handle(hostedJob, control));
  }
}
