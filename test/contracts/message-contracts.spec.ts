import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { DynamicModule, Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import type { z } from 'zod';
import { MfaPattern, QueueName, queueContracts, rpcContracts } from '@twostep/contracts';
import { hostedQueues } from '@twostep/messaging';
import { JsonLogger } from '@twostep/observability';
import { testKey } from '@twostep/testing';
import { AppModule } from '../../apps/mfa-service/src/app.module';
import { DeliveryResultsProcessor } from '../../apps/mfa-service/src/challenges/delivery-results.processor';
import { loadMfaServiceConfig } from '../../apps/mfa-service/src/config/mfa-service.config';
import { MfaRpcHandler, rpcContractProblems } from '../../apps/mfa-service/src/validation/rpc-contract';
import type { NotifierConfig } from '../../apps/notifier/src/config/notifier.config';
import { NotifierRuntime } from '../../apps/notifier/src/workers/notifier-runtime.service';

/**
 * Issue 13: every RPC pattern and every queue has exactly one schema in `libs/contracts`, and every
 * handler and consumer applies it. Enumerated from what the services register (Nest's metadata for
 * `@MessagePattern`, the worker host's registry for BullMQ consumers), not from a hand-kept list.
 */

const ROOT = join(__dirname, '..', '..');
const logger = new JsonLogger('contracts-test', 'error', { write: () => undefined });

/** Every controller in a Nest module tree. */
function controllersOf(root: Type | DynamicModule): Type[] {
  const seen = new Set<unknown>();
  const found = new Set<Type>();
  const walk = (m: unknown): void => {
    if (!m || seen.has(m)) return;
    seen.add(m);
    const dynamic = typeof m === 'object' ? (m as DynamicModule) : undefined;
    const cls = (dynamic ? dynamic.module : m) as Type;
    const controllers = [...((Reflect.getMetadata('controllers', cls) as Type[]) ?? []), ...(dynamic?.controllers ?? [])];
    controllers.forEach((c) => found.add(c));
    const imports = [...((Reflect.getMetadata('imports', cls) as unknown[]) ?? []), ...(dynamic?.imports ?? [])];
    imports.forEach(walk);
  };
  walk(root);
  return [...found];
}

/** What is wrong between the consumers registered with the worker host and the queue schemas. */
function queueContractProblems(hosted: ReadonlyMap<string, z.ZodType>, contracts: Readonly<Record<string, { job: z.ZodType }>>): string[] {
  const problems: string[] = [];
  for (const [queue, schema] of hosted) {
    if (!contracts[queue]) problems.push(`${queue}: consumer without a schema`);
    else if (contracts[queue].job !== schema) problems.push(`${queue}: consumer does not apply the queue's schema`);
  }
  for (const queue of Object.keys(contracts)) if (!hosted.has(queue)) problems.push(`${queue}: schema without a consumer`);
  return problems;
}

/** `.ts` files under `dir` (no specs, no dist). */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !/\.(int-|e2e-|fault-)?spec\.ts$/.test(name) ? [path] : [];
  });
}

describe('one schema per message (libs/contracts), applied by every handler and consumer', () => {
  const mfaConfig = loadMfaServiceConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'postgres://u:p@127.0.0.1:1/none',
    REDIS_URL: 'redis://127.0.0.1:1',
    MFA_SERVICE_URL: 'tcp://127.0.0.1:1',
    MFA_ENCRYPTION_KEY: testKey(),
    QUEUE_ENCRYPTION_KEY: testKey(),
    MFA_RPC_KEY: testKey(),
  });

  it('has a request and a reply schema for every mfa.v1.* pattern', () => {
    expect(Object.keys(rpcContracts).sort()).toEqual(Object.values(MfaPattern).sort());
  });

  it("declares every mfa-service @MessagePattern handler with its pattern's contract, and every contract has a handler", () => {
    const controllers = controllersOf(AppModule.forRoot(mfaConfig, logger, new Registry()));
    expect(controllers.map((c) => c.name)).toEqual(expect.arrayContaining(['ChallengesController', 'TotpController', 'PingController']));
    expect(rpcContractProblems(controllers, rpcContracts)).toEqual([]);
  });

  it('reports a handler without a schema, a handler whose payload is not parsed, and a schema without a handler', () => {
    class Rogue {
      @MessagePattern('mfa.v1.rogue')
      rogue(): void {}

      @MessagePattern(MfaPattern.Ping)
      bare(): void {}

      @MfaRpcHandler(MfaPattern.FactorsGet)
      fine(): void {}
    }
    const contracts = { [MfaPattern.Ping]: {}, [MfaPattern.FactorsGet]: {}, 'mfa.v1.orphan': {} };
    expect(rpcContractProblems([Rogue], contracts)).toEqual([
      'Rogue.rogue: no schema for mfa.v1.rogue',
      'Rogue.rogue: mfa.v1.rogue is not declared with @MfaRpcHandler (its payload is not parsed)',
      'Rogue.bare: mfa.v1.ping is not declared with @MfaRpcHandler (its payload is not parsed)',
      'mfa.v1.orphan: schema without a handler',
    ]);
  });

  it('runs every BullMQ consumer in the worker host with its queue schema, and every queue has a consumer', () => {
    // constructing the consumers registers them with the worker host; nothing connects before start()
    const redis = new Redis('redis://127.0.0.1:1', { lazyConnect: true });
    const notifierConfig = {
      NODE_ENV: 'test',
      REDIS_KEY_PREFIX: 'contracts',
      WORKER_LOCK_DURATION_MS: 10_000,
      WORKER_STALLED_INTERVAL_MS: 3_000,
      OTP_DELIVERY_CONCURRENCY: 1,
      SECURITY_NOTICES_CONCURRENCY: 1,
    } as unknown as NotifierConfig;
    const none = {} as never;
    new NotifierRuntime(notifierConfig, none, logger, redis, redis, none, none, none, none, none, none);
    new DeliveryResultsProcessor(none, logger, mfaConfig);
    expect([...hostedQueues().keys()].sort()).toEqual(Object.values(QueueName).sort());
    expect(queueContractProblems(hostedQueues(), queueContracts)).toEqual([]);
    redis.disconnect();
  });

  it('reports a consumer without a schema, one applying another schema, and a queue without a consumer', () => {
    const hosted = new Map<string, z.ZodType>([
      [QueueName.OtpDelivery, queueContracts[QueueName.OtpDelivery].job],
      [QueueName.SecurityNotices, queueContracts[QueueName.OtpDelivery].job],
      ['rogue', queueContracts[QueueName.OtpDelivery].job],
    ]);
    expect(queueContractProblems(hosted, queueContracts)).toEqual([
      "security-notices: consumer does not apply the queue's schema",
      'rogue: consumer without a schema',
      'delivery-results: schema without a consumer',
    ]);
  });

  it('has no BullMQ worker outside the worker host (no consumer escapes the enumeration)', () => {
    const offenders = [...sources(join(ROOT, 'apps')), ...sources(join(ROOT, 'libs'))]
      .filter((file) => /\bnew Worker\s*[<(]/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(offenders).toEqual(['libs/messaging/src/worker-host.ts']);
  });
});
