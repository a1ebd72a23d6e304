import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ModuleMetadata } from '@nestjs/common';
import Redis from 'ioredis';
import { authDataSourceOptions } from '@twostep/auth-data-access';
import { JsonLogger } from '@twostep/observability';
import { runMigrations } from '@twostep/persistence';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test-only helper, never part of the build
import { createTestDatabase, freePort, TestDatabase, testInfra, testKey, uniqueTestPrefix } from '@twostep/testing';
import { Client } from 'pg';
import { createAuthApi } from '../src/app.factory';
import { AuthApiConfig, loadAuthApiConfig } from '../src/config/auth-api.config';
import type { Clock } from '@twostep/platform';

/** A clock the test can move forward (every expiry rule reads the injected clock). */
export class TestClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

export interface AuthApiHarness {
  app: NestFastifyApplication;
  config: AuthApiConfig;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  /** http://127.0.0.1:<port>/v1 */
  endpoint: string;
  clock: TestClock;
  logs: string[];
  db: TestDatabase;
  /** a plain Postgres client on the test database (to inspect or age rows) */
  pg: Client;
  redis: Redis;
  /** headers with the project id (and JSON content type) */
  headers(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

/**
 * The auth-api in-process on a real Postgres database of its own and real Redis (own key prefix),
 * listening on a free port. mfa-service is absent unless MFA_SERVICE_URL points at one, so RPCs fail
 * (the fail-closed path).
 */
/**
 * Resolves once `redis` is ready, or at its next connection error (Redis made unreachable on purpose),
 * at most after 2 s; at once when it is ready, already failing (`reconnecting`) or closed.
 */
function readyOrFailed(redis: Redis): Promise<void> {
  if (!['wait', 'connecting', 'connect'].includes(redis.status)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      redis.off('error', done);
      resolve();
    };
    const timer = setTimeout(done, 2000);
    redis.once('ready', done);
    redis.once('error', done);
  });
}

export async function startAuthApi(opts: {
  label: string;
  env?: Record<string, string>;
  imports?: ModuleMetadata['imports'];
}): Promise<AuthApiHarness> {
  const db = await createTestDatabase(opts.label);
  await runMigrations(authDataSourceOptions(db.url, 2));
  const dataDir = mkdtempSync(join(tmpdir(), `twostep-${opts.label}-`));
  const config = loadAuthApiConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'debug',
    DATA_DIR: dataDir,
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: testInfra().redisUrl,
    REDIS_KEY_PREFIX: uniqueTestPrefix(opts.label),
    APP_PROJECT_ID: 'test-project',
    APP_PROJECT_NAME: 'Twostep Test',
    APP_API_KEY: `key_${testKey().replace(/[^A-Za-z0-9]/g, '')}`,
    QUEUE_ENCRYPTION_KEY: testKey(),
    MFA_RPC_KEY: testKey(),
    JWT_SIGNING_KEY: testKey(),
    MFA_SERVICE_URL: `tcp://127.0.0.1:${await freePort()}`,
    MFA_RPC_TIMEOUT_MS: '500',
    ...opts.env,
  });
  const logs: string[] = [];
  const logger = new JsonLogger('auth-api', 'debug', { write: (line: string) => void logs.push(line) });
  const clock = new TestClock();
  const app = await createAuthApi(config, logger, { clock, imports: opts.imports });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  await pg.query('SET search_path TO auth');
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
  return {
    app,
    config,
    baseUrl,
    endpoint: `${baseUrl}/v1`,
    clock,
    logs,
    db,
    pg,
    redis,
    headers: (extra = {}) => ({ 'x-appwrite-project': config.APP_PROJECT_ID, 'content-type': 'application/json', ...extra }),
    async close() {
      await app.close();
      await pg.end();
      try {
        // a short-lived harness may close before this client is ready: without an offline queue its
        // commands would fail and leave the app's keys (its producers' BullMQ `meta` hashes) behind
        await readyOrFailed(redis);
        const keys = await redis.keys(`${config.REDIS_KEY_PREFIX}:*`);
        if (keys.length) await redis.del(...keys);
      } catch {
        /* Redis was made unreachable on purpose */
      } finally {
        redis.disconnect();
      }
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** fetch + JSON (an empty body is `undefined`). */
export async function call<T = Record<string, unknown>>(
  url: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<JsonResponse<T>> {
  const { json, ...rest } = init;
  const res = await fetch(url, { ...rest, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Creates a user with the API key and signs them in; returns the encoded credential and ids. */
export async function signUpAndIn(
  h: AuthApiHarness,
  opts: { email?: string; password?: string; name?: string } = {},
): Promise<{ userId: string; email: string; password: string; credential: string; sessionId: string }> {
  const email = opts.email ?? `u${randomBytes(6).toString('hex')}@example.test`;
  const password = opts.password ?? 'correct horse battery';
  const created = await call<{ $id: string }>(`${h.endpoint}/users`, {
    method: 'POST',
    headers: h.headers({ 'x-appwrite-key': h.config.APP_API_KEY }),
    json: { userId: 'unique()', email, password, name: opts.name ?? 'Test User' },
  });
  if (created.status !== 201) throw new Error(`user create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const session = await call<{ $id: string; secret: string }>(`${h.endpoint}/account/sessions/email`, {
    method: 'POST',
    headers: h.headers({ 'x-appwrite-key': h.config.APP_API_KEY }),
    json: { email, password },
  });
  if (session.status !== 201) throw new Error(`sign-in failed: ${session.status} ${JSON.stringify(session.body)}`);
  return { userId: created.body.$id, email, password, credential: session.body.secret, sessionId: session.body.$id };
}

/** Admin call with the API key. */
export function admin<T = Record<string, unknown>>(
  h: AuthApiHarness,
  method: string,
  path: string,
  json?: unknown,
): Promise<JsonResponse<T>> {
  return call<T>(`${h.endpoint}${path}`, {
    method,
    headers: h.headers({ 'x-appwrite-key': h.config.APP_API_KEY }),
    ...(json !== undefined ? { json } : {}),
  });
}

/** Call as the signed-in user (X-Appwrite-Session). */
export function asUser<T = Record<string, unknown>>(
  h: AuthApiHarness,
  credential: string,
  method: string,
  path: string,
  json?: unknown,
): Promise<JsonResponse<T>> {
  return call<T>(`${h.endpoint}${path}`, {
    method,
    headers: h.headers({ 'x-appwrite-session': credential }),
    ...(json !== undefined ? { json } : {}),
  });
}
