import { MfaPattern } from '@twostep/contracts';
import { parseKeyring, rpcKeys } from '@twostep/crypto';
import { RpcConnection, RpcTimeoutError } from '@twostep/messaging';
import { JsonLogger } from '@twostep/observability';
import { Registry } from 'prom-client';
import { freePort, TestStack, waitFor } from '@twostep/testing';
import { MfaEndpointPool } from '../../apps/auth-api/src/mfa-client/mfa-endpoint-pool';
import { Api } from './support/http';
import { metricValue } from './support/rpc';

/**
 * Issue 11, "RPC that spreads and fails over" (fault experiments 1, 7 and 8), against the built processes:
 * two mfa-service replicas on 127.0.0.1 and 127.0.0.2 (same port, same database and keys), one auth-api
 * given both endpoints, and a steady load of MFA calls through auth-api's HTTP API (reads that may be
 * retried elsewhere, and challenge creations that may not once sent).
 */
const RPC_DEADLINE_MS = 1500;
const CONCURRENCY = 8;

interface Sample {
  start: number;
  end: number;
  status: number;
  type?: string;
  retryAfter?: string | null;
}

describe('auth-api spreads RPCs over mfa-service replicas and fails over', () => {
  let stack: TestStack;
  let api: Api;
  let rpcPort: number;
  const sessions: string[] = [];
  const endpoint1 = () => `127.0.0.1:${rpcPort}`;
  const endpoint2 = () => `127.0.0.2:${rpcPort}`;
  const handledBy = async (service: 'mfa-service' | 'mfa-service-2') =>
    (await metricValue(stack, service, 'mfa_rpc_requests_total', { pattern: MfaPattern.FactorsGet })) +
    (await metricValue(stack, service, 'mfa_rpc_requests_total', { pattern: MfaPattern.ChallengeCreate }));

  /** CONCURRENCY callers in a loop (factors read, challenge create, alternately) until `stop` resolves. */
  async function steadyLoad(stop: Promise<void>): Promise<Sample[]> {
    const samples: Sample[] = [];
    let stopped = false;
    void stop.then(() => (stopped = true));
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, w) => {
        for (let i = 0; !stopped; i++) {
          const session = sessions[(w + i) % sessions.length];
          const start = Date.now();
          const res =
            i % 2 === 0
              ? await api.as<{ type?: string }>(session, 'GET', '/account/mfa/factors')
              : await api.as<{ type?: string }>(session, 'POST', '/account/mfa/challenges', { factor: 'totp' });
          samples.push({ start, end: Date.now(), status: res.status, type: res.body?.type, retryAfter: res.headers.get('retry-after') });
        }
      }),
    );
    return samples;
  }

  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const ok = (s: Sample) => s.status === 200 || s.status === 201;
  function table(title: string, rows: Array<[string, string | number]>): void {
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`\n${title}\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`);
  }

  beforeAll(async () => {
    rpcPort = await freePort();
    const both = `tcp://127.0.0.1:${rpcPort},tcp://127.0.0.2:${rpcPort}`;
    stack = await TestStack.start({
      label: 'rpcfail',
      services: ['mfa-service', 'auth-api'],
      mfaReplicas: 2,
      serviceEnv: {
        'mfa-service': { MFA_SERVICE_URL: `tcp://127.0.0.1:${rpcPort}`, MFA_LISTEN_HOST: '127.0.0.1' },
        'mfa-service-2': { MFA_SERVICE_URL: `tcp://127.0.0.2:${rpcPort}`, MFA_LISTEN_HOST: '127.0.0.2' },
        'auth-api': { MFA_SERVICE_URL: both, MFA_RPC_TIMEOUT_MS: String(RPC_DEADLINE_MS), RATE_LIMIT_ENABLED: 'false' },
      },
    });
    api = new Api(stack);
    for (let i = 0; i < 4; i++) {
      const u = await api.createUser();
      sessions.push((await api.signIn(u.email, u.password)).session);
    }
    await waitFor(
      async () => (await metricValue(stack, 'auth-api', 'mfa_rpc_client_endpoint_healthy')) === 2,
      10_000,
      50,
      'both endpoints healthy',
    );
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('(7) spreads calls across two replicas within ±25 % under steady load', async () => {
    const before = [await handledBy('mfa-service'), await handledBy('mfa-service-2')];
    const samples = await steadyLoad(sleep(3000));
    const counts = [(await handledBy('mfa-service')) - before[0], (await handledBy('mfa-service-2')) - before[1]];
    const mean = (counts[0] + counts[1]) / 2;
    table('experiment 7: spread over two mfa-service replicas (3 s, 8 callers)', [
      ['HTTP requests', samples.length],
      ['failed', samples.filter((s) => !ok(s)).length],
      [`replica 1 (${endpoint1()})`, counts[0]],
      [`replica 2 (${endpoint2()})`, counts[1]],
      ['deviation from the mean', `${((Math.abs(counts[0] - mean) / mean) * 100).toFixed(1)} %`],
    ]);
    expect(samples.filter((s) => !ok(s))).toEqual([]);
    expect(counts[0] + counts[1]).toBe(samples.length);
    for (const c of counts) expect(Math.abs(c - mean)).toBeLessThanOrEqual(0.25 * mean);
  }, 60_000);

  it('(8) a replica that stops answering (SIGSTOP) fails only the calls sent to it, none hangs past the deadline, and it comes back after SIGCONT', async () => {
    const pid = stack.pid('mfa-service-2')!;
    const errorsOn = async (endpoint: string) =>
      (await metricValue(stack, 'auth-api', 'mfa_rpc_client_calls_total', { endpoint: endpoint, outcome: 'timeout' })) +
      (await metricValue(stack, 'auth-api', 'mfa_rpc_client_calls_total', { endpoint: endpoint, outcome: 'connection_lost' }));
    const before = { e1: await errorsOn(endpoint1()), e2: await errorsOn(endpoint2()), r1: await handledBy('mfa-service') };
    let stoppedAt = 0;
    let resumedAt = 0;
    const samples = await steadyLoad(
      (async () => {
        await sleep(1000);
        process.kill(pid, 'SIGSTOP');
        stoppedAt = Date.now();
        await sleep(RPC_DEADLINE_MS + 1500);
        process.kill(pid, 'SIGCONT');
        resumedAt = Date.now();
        await sleep(1000);
      })(),
    );
    const failed = samples.filter((s) => !ok(s));
    const longest = Math.max(...samples.map((s) => s.end - s.start));
    const after = { e1: await errorsOn(endpoint1()), e2: await errorsOn(endpoint2()), r1: await handledBy('mfa-service') };
    const servedDuringPause = samples.filter((s) => ok(s) && s.start > stoppedAt + 1000 && s.end < resumedAt).length;
    table('experiment 8: one replica paused (SIGSTOP) under load, then SIGCONT', [
      ['HTTP requests', samples.length],
      ['failed (all 503 general_service_unavailable)', failed.length],
      ['failed calls to replica 1 (still running)', after.e1 - before.e1],
      ['timed-out or lost calls to replica 2 (paused)', after.e2 - before.e2],
      ['served while replica 2 was paused', servedDuringPause],
      ['longest request', `${longest} ms (RPC deadline ${RPC_DEADLINE_MS} ms)`],
      ['last failure ended', failed.length ? `${Math.max(...failed.map((s) => s.end)) - stoppedAt} ms after SIGSTOP` : 'n/a'],
    ]);
    // only the calls in flight to the paused replica failed, as 503s, and none of the other replica's
    for (const s of failed)
      expect({ status: s.status, type: s.type, retryAfter: s.retryAfter }).toEqual({
        status: 503,
        type: 'general_service_unavailable',
        retryAfter: '1',
      });
    expect(after.e1 - before.e1).toBe(0);
    expect(failed.length).toBeLessThanOrEqual(after.e2 - before.e2);
    for (const s of failed) expect(s.start).toBeLessThan(resumedAt);
    // the other replica kept serving meanwhile
    expect(servedDuringPause).toBeGreaterThan(0);
    expect(after.r1).toBeGreaterThan(before.r1);
    // no request hung: one that did would last until the test's end, far beyond this bound
    expect(longest).toBeLessThan(2 * RPC_DEADLINE_MS + 3000);
    // the paused replica takes calls again after SIGCONT
    const r2 = await handledBy('mfa-service-2');
    await waitFor(
      async () => (await metricValue(stack, 'auth-api', 'mfa_rpc_client_endpoint_healthy', { endpoint: endpoint2() })) === 1,
      10_000,
      50,
      'replica 2 healthy again',
    );
    await steadyLoad(sleep(500));
    expect(await handledBy('mfa-service-2')).toBeGreaterThan(r2);
  }, 60_000);

  it('(8) a call that times out fails alone: the other calls in flight on the same connection complete', async () => {
    const conn = await RpcConnection.open('127.0.0.1', rpcPort, rpcKeys(parseKeyring(stack.env.MFA_RPC_KEY)), 5000);
    try {
      const others = Array.from({ length: 20 }, (_, i) => conn.call(MfaPattern.FactorsGet, { userId: `inflight-${i}` }, 10_000));
      // a deadline no RPC can meet, in the middle of the others
      const doomed = conn.call(MfaPattern.FactorsGet, { userId: 'doomed' }, 1);
      const more = Array.from({ length: 20 }, (_, i) => conn.call(MfaPattern.FactorsGet, { userId: `inflight-b${i}` }, 10_000));
      await expect(doomed).rejects.toBeInstanceOf(RpcTimeoutError);
      const results = await Promise.allSettled([...others, ...more]);
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(conn.isOpen).toBe(true);
      // and the connection goes on serving
      expect(await conn.call(MfaPattern.FactorsGet, { userId: 'after' }, 5000)).toEqual({ totp: false, recoveryCode: false });
    } finally {
      conn.close();
    }
  });

  it('(dns) a host name that resolves to both replicas spreads over both, and follows the answer as it changes', async () => {
    const registry = new Registry();
    let answer = ['127.0.0.1', '127.0.0.2'];
    const pool = new MfaEndpointPool(
      {
        endpoints: [{ host: 'mfa.headless.test', port: rpcPort }],
        keys: rpcKeys(parseKeyring(stack.env.MFA_RPC_KEY)),
        resolveIntervalMs: 500,
        // what a headless Service's DNS answers: one address per ready pod
        resolver: async (host) => (host === 'mfa.headless.test' ? answer : []),
      },
      new JsonLogger('auth-api', 'fatal', { write: () => undefined }),
      registry,
    );
    try {
      const before = [await handledBy('mfa-service'), await handledBy('mfa-service-2')];
      await pool.start();
      await Promise.all(Array.from({ length: 40 }, (_, i) => pool.call(MfaPattern.FactorsGet, { userId: `dns-${i}` }, 5000)));
      const counts = [(await handledBy('mfa-service')) - before[0], (await handledBy('mfa-service-2')) - before[1]];
      table('resolved host name: calls per address', [
        ['127.0.0.1', counts[0]],
        ['127.0.0.2', counts[1]],
      ]);
      expect(
        pool
          .snapshot()
          .map((e) => e.endpoint)
          .sort(),
      ).toEqual([endpoint1(), endpoint2()]);
      expect(counts[0] + counts[1]).toBe(40);
      expect(counts[0]).toBeGreaterThan(0);
      expect(counts[1]).toBeGreaterThan(0);

      // a replica leaves the headless Service: it is dropped at the next resolution, then comes back
      answer = ['127.0.0.1'];
      await waitFor(async () => pool.snapshot().length === 1, 10_000, 50, 'the pool to drop 127.0.0.2');
      expect(pool.snapshot().map((e) => e.endpoint)).toEqual([endpoint1()]);
      const second = await handledBy('mfa-service-2');
      await Promise.all(Array.from({ length: 10 }, (_, i) => pool.call(MfaPattern.FactorsGet, { userId: `dns-b${i}` }, 5000)));
      expect(await handledBy('mfa-service-2')).toBe(second);
      answer = ['127.0.0.1', '127.0.0.2'];
      await waitFor(
        async () => pool.snapshot().filter((e) => e.state === 'healthy').length === 2,
        10_000,
        50,
        'the pool to add 127.0.0.2 again',
      );
    } finally {
      pool.stop();
    }
  }, 30_000);

  it('(1) SIGKILL of one replica under load: calls move to the other, only calls in flight to it fail, as fast 503s', async () => {
    const timeoutsBefore = await metricValue(stack, 'auth-api', 'mfa_rpc_client_calls_total', { outcome: 'timeout' });
    let killedAt = 0;
    const samples = await steadyLoad(
      (async () => {
        await sleep(1000);
        process.kill(stack.pid('mfa-service-2')!, 'SIGKILL');
        killedAt = Date.now();
        await sleep(2000);
      })(),
    );
    const failed = samples.filter((s) => !ok(s));
    const afterKill = samples.filter((s) => s.start >= killedAt);
    const firstOkAfterKill = Math.min(...afterKill.filter(ok).map((s) => s.end));
    // when auth-api stopped sending to the dead replica (its own log line)
    const unusable = stack.logs['auth-api']
      .filter((l) => l.includes('mfa-service endpoint unusable') && l.includes(endpoint2()))
      .map((l) => Date.parse((JSON.parse(l) as { time: string }).time))
      .filter((t) => t >= killedAt - 50);
    expect(unusable.length).toBeGreaterThan(0);
    const markedAt = unusable[0];
    table('experiment 1: one of two mfa-service replicas SIGKILLed under load', [
      ['HTTP requests', samples.length],
      ['failed (503 general_service_unavailable)', failed.length],
      ['in flight at the kill (at most)', CONCURRENCY],
      ['dead replica no longer used', `${markedAt - killedAt} ms after SIGKILL`],
      ['longest failed request', failed.length ? `${Math.max(...failed.map((s) => s.end - s.start))} ms` : 'n/a'],
      ['first success started after the kill', `${firstOkAfterKill - killedAt} ms after SIGKILL`],
      ['requests started after the kill / failed', `${afterKill.length} / ${afterKill.filter((s) => !ok(s)).length}`],
    ]);
    for (const s of failed) expect({ status: s.status, type: s.type }).toEqual({ status: 503, type: 'general_service_unavailable' });
    // only calls sent to the replica before auth-api saw it die may fail; nothing after
    for (const s of failed) expect(s.start).toBeLessThanOrEqual(markedAt);
    expect(failed.length).toBeLessThanOrEqual(CONCURRENCY);
    // failures are fast: the closed connection failed them at once, no call waited for its deadline
    expect(await metricValue(stack, 'auth-api', 'mfa_rpc_client_calls_total', { outcome: 'timeout' })).toBe(timeoutsBefore);
    expect(afterKill.filter(ok).length).toBeGreaterThan(0);
    expect(await metricValue(stack, 'auth-api', 'mfa_rpc_client_endpoint_healthy', { endpoint: endpoint2() })).toBe(0);
  }, 60_000);
});
