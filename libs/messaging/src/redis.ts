import Redis, { RedisOptions } from 'ioredis';

/**
 * How a Redis connection behaves depends on who holds it:
 *  - `producer` / `client`: fail fast (no offline queue, one retry, short timeouts) so that a request
 *    gets a 503 in about a second instead of hanging while Redis is down;
 *  - `worker`: BullMQ workers block on Redis and must retry forever (`maxRetriesPerRequest: null`).
 * Every connection reconnects by itself with capped exponential backoff.
 */
export type RedisRole = 'producer' | 'client' | 'worker';

export function redisOptions(role: RedisRole, connectionName: string): RedisOptions {
  const common: RedisOptions = {
    connectionName,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2000),
    lazyConnect: false,
  };
  if (role === 'worker') return { ...common, maxRetriesPerRequest: null, enableReadyCheck: true };
  return { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1500 };
}

export function createRedis(url: string, role: RedisRole, connectionName: string, onError?: (err: Error) => void): Redis {
  const redis = new Redis(url, redisOptions(role, connectionName));
  // An 'error' listener is mandatory: without one ioredis crashes the process on a lost connection.
  redis.on('error', (err) => onError?.(err));
  return redis;
}

/** Resolves when the connection is ready (or rejects after `timeoutMs`). */
export async function waitForRedis(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

export async function closeRedis(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
