import { Client } from 'pg';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';

/**
 * Where the tests find Postgres and Redis. `scripts/test.js` sets these after finding or starting the
 * servers; running jest directly falls back to the local defaults.
 */
export function testInfra(): { adminDatabaseUrl: string; redisUrl: string } {
  return {
    adminDatabaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}

/**
 * The id of this test run (set by scripts/test.js or Jest's globalSetup, scripts/lib/test-run.js): it is in
 * every Redis prefix and database name the tests make, and the run deletes what carries it at its end.
 */
function runTag(): string {
  const id = process.env.TEST_RUN_ID;
  return id && /^[0-9a-f]{8}$/.test(id) ? id : 'norun';
}

/** A unique, short, Redis-safe prefix for one test file, so parallel suites never see each other's keys. */
export function uniqueTestPrefix(label: string): string {
  return `t-${runTag()}-${label.replace(/[^A-Za-z0-9]/g, '').slice(0, 12)}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under `prefix:` (SCAN + UNLINK); a test's own clean-up at its end. */
export async function deleteTestKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates an empty database for one test file; `drop()` removes it (and any connections to it). */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const { adminDatabaseUrl } = testInfra();
  const name = `twostep_${runTag()}_${label
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new Client({ connectionString: adminDatabaseUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A fresh 32-byte key in the format the services accept. */
export function testKey(): string {
  return randomBytes(32).toString('base64');
}
