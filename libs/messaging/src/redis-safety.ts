import type Redis from 'ioredis';
import { ReadinessProblem } from '@twostep/observability';

/** What a service needs to know about the Redis it was given, read with INFO (managed Redis often forbids CONFIG GET). */
export interface RedisSafety {
  /** `maxmemory_policy` from `INFO memory`; undefined when the server does not report it */
  evictionPolicy: string | undefined;
  /** `aof_enabled` from `INFO persistence` */
  appendOnly: boolean;
}

function infoField(info: string, field: string): string | undefined {
  const line = info.split(/\r?\n/).find((l) => l.startsWith(`${field}:`));
  return line?.slice(field.length + 1).trim();
}

export async function inspectRedisSafety(redis: Redis): Promise<RedisSafety> {
  const [memory, persistence] = await Promise.all([redis.info('memory'), redis.info('persistence')]);
  return { evictionPolicy: infoField(memory, 'maxmemory_policy'), appendOnly: infoField(persistence, 'aof_enabled') === '1' };
}

/**
 * The operator-facing reason this Redis is unsafe for queues, locks and rate limits, or undefined when
 * it is safe. Any policy but `noeviction` lets Redis drop queued jobs, job locks or limiter counters
 * under memory pressure, silently.
 */
export function redisSafetyProblem(safety: RedisSafety): string | undefined {
  if (safety.evictionPolicy === 'noeviction') return undefined;
  return `Redis maxmemory-policy is ${safety.evictionPolicy ?? 'unknown'}; twostep needs noeviction (queued jobs, locks and rate-limit counters must never be evicted). Set maxmemory-policy noeviction on the server.`;
}

/**
 * A readiness check: Redis answers and keeps every key (`maxmemory-policy noeviction`). `onProblem`
 * hears each new problem once (for the log), not on every probe.
 */
export function redisReadinessCheck(redis: Redis, onProblem?: (problem: string) => void): () => Promise<void> {
  let last: string | undefined;
  return async () => {
    const problem = redisSafetyProblem(await inspectRedisSafety(redis));
    if (problem && problem !== last) onProblem?.(problem);
    last = problem;
    if (problem) throw new ReadinessProblem(problem);
  };
}

/**
 * Checked once at start: an eviction policy other than noeviction is logged as an error (readiness stays
 * false until it is fixed); in production a Redis without AOF is a warning (a restart loses queued jobs
 * and limiter state). A Redis that cannot be asked yet is left to readiness.
 */
export async function reportRedisSafety(
  redis: Redis,
  production: boolean,
  log: (level: 'error' | 'warn', message: string, fields: Record<string, unknown>) => void,
): Promise<void> {
  let safety: RedisSafety;
  try {
    safety = await inspectRedisSafety(redis);
  } catch {
    return;
  }
  const problem = redisSafetyProblem(safety);
  if (problem) log('error', `${problem} Not ready until it is.`, { evictionPolicy: safety.evictionPolicy ?? 'unknown' });
  if (production && !safety.appendOnly) {
    log(
      'warn',
      'Redis runs without AOF (appendonly no): a Redis restart loses queued deliveries and rate-limit state. Turn on appendonly yes.',
      {},
    );
  }
}
