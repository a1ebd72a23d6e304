import { Queue } from 'bullmq';
import { DeliveryResultJob, deliveryResultJobSchema, QueueName } from '@twostep/contracts';
import { JsonLogger, requestContext } from '@twostep/observability';
import { testInfra, uniqueTestPrefix, waitFor } from '@twostep/testing';
import { bullPrefix } from './queues';
import type Redis from 'ioredis';
import { closeRedis, createRedis, waitForRedis } from './redis';
import { HostedJob, WorkerHost } from './worker-host';

describe('WorkerHost (real Redis and BullMQ)', () => {
  it('hands valid jobs to the handler parsed, under their request id, and fails an invalid job once, permanently, logged without content', async () => {
    const prefix = bullPrefix(uniqueTestPrefix('worker-host'));
    const { redisUrl } = testInfra();
    const producerRedis = createRedis(redisUrl, 'producer', 'test');
    await waitForRedis(producerRedis);
    const queue = new Queue(QueueName.DeliveryResults, { connection: producerRedis, prefix });
    const lines: string[] = [];
    const logger = new JsonLogger('test', 'debug', { write: (line: string) => void lines.push(line) });
    const seen: Array<{ job: HostedJob<DeliveryResultJob>; reqId?: string }> = [];
    const invalid: string[] = [];
    let workerRedis: Redis | undefined;
    const host = new WorkerHost({
      queue: QueueName.DeliveryResults,
      schema: deliveryResultJobSchema,
      connection: () => (workerRedis = createRedis(redisUrl, 'worker', 'test')),
      prefix,
      service: 'test',
      concurrency: 1,
      logger,
      handle: async (job) => {
        seen.push({ job, reqId: requestContext.jobField().requestId });
      },
      onInvalid: (job) => void invalid.push(job.id),
    });
    const valid = {
      name: 'delivery-outcome',
      deliveryName: 'mfa-challenge-code',
      referenceId: 'abc123',
      channel: 'email',
      status: 'sent',
      attempts: 1,
      at: new Date().toISOString(),
      requestId: 'req-1',
      extra: 'dropped by the schema',
    };
    try {
      host.start();
      await queue.add('delivery-outcome', valid, { jobId: 'ok-1', attempts: 3 });
      // a secret-looking value in a malformed field must not reach the log
      await queue.add('delivery-outcome', { ...valid, status: 'SECRET-123456' }, { jobId: 'bad-1', attempts: 3, backoff: 10 });
      await queue.add('delivery-outcome', 'not an object', { jobId: 'bad-2', attempts: 3, backoff: 10 });
      await waitFor(async () => (await queue.getJobCounts('failed')).failed === 2 && seen.length === 1, 10_000, 50, 'jobs processed');

      expect(seen[0].job).toMatchObject({ id: 'ok-1', name: 'delivery-outcome', attempt: 1, maxAttempts: 3 });
      expect(seen[0].job.data).not.toHaveProperty('extra');
      expect(seen[0].reqId).toBe('req-1');
      for (const id of ['bad-1', 'bad-2']) {
        const job = await queue.getJob(id);
        expect(job?.attemptsMade).toBe(1); // not retried
        expect(job?.failedReason).toBe('invalid job payload');
      }
      expect(invalid.sort()).toEqual(['bad-1', 'bad-2']);
      const refused = lines.filter((l) => l.includes('invalid job refused'));
      expect(refused).toHaveLength(2);
      expect(refused.join('\n')).toContain('status: invalid_value');
      expect(lines.join('\n')).not.toContain('SECRET-123456');
      expect(host.isRunning()).toBe(true);
    } finally {
      await host.close();
      expect(host.isRunning()).toBe(false);
      await queue.obliterate({ force: true });
      await queue.close();
      await closeRedis(producerRedis);
      if (workerRedis) await closeRedis(workerRedis);
    }
  });
});
