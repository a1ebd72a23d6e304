import { QueueName } from '@twostep/contracts';
import { freePort, testInfra, uniqueTestPrefix } from '@twostep/testing';
import { bullPrefix, defaultQueuePolicy, QueueProducer, QueueUnavailableError } from './queues';
import { closeRedis, createRedis, waitForRedis } from './redis';

describe('QueueProducer', () => {
  it('adds a job once per id (idempotent enqueue) with the queue policy applied', async () => {
    const prefix = bullPrefix(uniqueTestPrefix('producer'));
    const redis = createRedis(testInfra().redisUrl, 'producer', 'test');
    await waitForRedis(redis);
    const producer = new QueueProducer<{ n: number }>(
      QueueName.OtpDelivery,
      redis,
      prefix,
      defaultQueuePolicy(QueueName.OtpDelivery, { challengeTtlSeconds: 300 }),
    );
    try {
      await producer.add('mfa-challenge-code', { n: 1 }, 'challenge-abc');
      await producer.add('mfa-challenge-code', { n: 2 }, 'challenge-abc');
      const jobs = await producer.queue.getJobs(['waiting']);
      expect(jobs).toHaveLength(1);
      expect(jobs[0].data).toEqual({ n: 1 });
      expect(jobs[0].opts).toMatchObject({ attempts: 6, removeOnComplete: true, removeOnFail: { age: 300 } });
      expect(jobs[0].opts.backoff).toMatchObject({ type: 'exponential', jitter: 0.5 });
      await producer.queue.obliterate({ force: true });
    } finally {
      await producer.close();
      await closeRedis(redis);
    }
  });

  it('fails fast with QueueUnavailableError when Redis does not answer', async () => {
    const port = await freePort(); // nothing listens here
    const redis = createRedis(`redis://127.0.0.1:${port}`, 'producer', 'test');
    const producer = new QueueProducer<{ n: number }>(QueueName.OtpDelivery, redis, 'x', defaultQueuePolicy(QueueName.OtpDelivery), 1000);
    const t0 = Date.now();
    await expect(producer.add('mfa-challenge-code', { n: 1 }, 'challenge-1')).rejects.toBeInstanceOf(QueueUnavailableError);
    expect(Date.now() - t0).toBeLessThan(2500);
    redis.disconnect();
    await producer.close().catch(() => undefined);
  });

  it('keeps failed jobs only as long as a code could be valid', () => {
    expect(defaultQueuePolicy(QueueName.OtpDelivery, { challengeTtlSeconds: 600 }).keepFailedSeconds).toBe(600);
    expect(defaultQueuePolicy(QueueName.OtpDelivery, { challengeTtlSeconds: 120 }).keepFailedSeconds).toBe(120);
  });
});
