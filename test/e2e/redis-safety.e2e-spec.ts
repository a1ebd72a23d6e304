import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort, ServiceName, TestStack, waitFor } from '@twostep/testing';

const SERVICES: ServiceName[] = ['mfa-service', 'notifier', 'auth-api'];

/**
 * Issue 10, hole 10: BullMQ, the job locks and the rate-limit counters need a Redis that never evicts
 * keys. Each service reads `INFO memory` and stays unready (saying why) on any other policy. The test runs
 * a private redis-server with `allkeys-lru` (the shared test Redis is never reconfigured).
 */
describe('Redis eviction policy checked by every service (own redis-server)', () => {
  let redisProcess: ChildProcess;
  let redis: Redis;
  let stack: TestStack;
  let dir: string;

  beforeAll(async () => {
    const port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'twostep-redis-lru-'));
    redisProcess = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'allkeys-lru',
      ],
      {
        stdio: 'ignore',
      },
    );
    await waitFor(
      async () => {
        const candidate = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
        candidate.on('error', () => undefined);
        try {
          await candidate.connect();
          await candidate.ping();
          redis = candidate;
          return true;
        } catch {
          candidate.disconnect();
          return false;
        }
      },
      10_000,
      100,
      'the private redis-server',
    );
    stack = await TestStack.start({ label: 'redislru', services: [], env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
    for (const s of SERVICES) await stack.startService(s, { waitReady: false });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    redis?.disconnect();
    redisProcess?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses readiness on allkeys-lru in every service, saying why in /health/ready and in the log', async () => {
    for (const s of SERVICES) {
      let last: { status: number; body: { checks?: Record<string, string>; problems?: Record<string, string> } } | undefined;
      await waitFor(
        async () => {
          const res = await fetch(stack.healthUrl(s)).catch(() => undefined);
          if (!res) return false;
          last = { status: res.status, body: (await res.json()) as NonNullable<typeof last>['body'] };
          return last.body.problems?.redis !== undefined;
        },
        20_000,
        100,
        `${s} to report the Redis policy`,
      );
      expect({ s, status: last!.status, redis: last!.body.checks?.redis }).toEqual({ s, status: 503, redis: 'down' });
      expect(last!.body.problems!.redis).toMatch(/maxmemory-policy is allkeys-lru; twostep needs noeviction/);
      expect(stack.logs[s].some((l) => /maxmemory-policy is allkeys-lru/.test(l))).toBe(true);
    }
  }, 90_000);

  it('becomes ready once the policy is noeviction', async () => {
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    for (const s of SERVICES) {
      await waitFor(async () => (await fetch(stack.healthUrl(s))).status === 200, 20_000, 100, `${s} to become ready`);
      const body = (await (await fetch(stack.healthUrl(s))).json()) as { checks: Record<string, string>; problems?: unknown };
      expect(body.checks.redis).toBe('up');
      expect(body.problems).toBeUndefined();
    }
  }, 60_000);
});
