import { redisSafetyProblem, reportRedisSafety } from './redis-safety';
import type Redis from 'ioredis';

/** A stand-in answering INFO sections like a Redis server does (the logic under test is the parsing and the decision). */
function fakeRedis(policy: string, aof: 0 | 1): Redis {
  return {
    info: async (section: string) =>
      section === 'memory'
        ? `# Memory\r\nused_memory:1024\r\nmaxmemory_policy:${policy}\r\n`
        : `# Persistence\r\nloading:0\r\naof_enabled:${aof}\r\n`,
  } as unknown as Redis;
}

describe('Redis safety (maxmemory-policy, AOF)', () => {
  it('accepts only noeviction', () => {
    expect(redisSafetyProblem({ evictionPolicy: 'noeviction', appendOnly: false })).toBeUndefined();
    for (const policy of ['allkeys-lru', 'volatile-lru', 'allkeys-lfu', 'volatile-ttl', 'allkeys-random', undefined]) {
      expect(redisSafetyProblem({ evictionPolicy: policy, appendOnly: true })).toMatch(/twostep needs noeviction/);
    }
  });

  it('logs an error for an evicting Redis, and in production a warning without AOF', async () => {
    const lines: Array<[string, string]> = [];
    const log = (level: 'error' | 'warn', message: string) => void lines.push([level, message]);
    await reportRedisSafety(fakeRedis('allkeys-lru', 1), true, log);
    expect(lines).toEqual([['error', expect.stringMatching(/maxmemory-policy is allkeys-lru/)]]);
    lines.length = 0;
    await reportRedisSafety(fakeRedis('noeviction', 0), true, log);
    expect(lines).toEqual([['warn', expect.stringMatching(/without AOF/)]]);
    lines.length = 0;
    await reportRedisSafety(fakeRedis('noeviction', 0), false, log);
    await reportRedisSafety(fakeRedis('noeviction', 1), true, log);
    expect(lines).toEqual([]);
  });
});
