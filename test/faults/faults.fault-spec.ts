import { SmtpSink, testInfra } from '@twostep/testing';
import { Cluster, OwnRedis, RPC_DEADLINE_MS } from './cluster';
import {
  ExperimentContext,
  ExperimentResult,
  mfaReplicaKilled,
  mfaReplicaPaused,
  mfaSpread,
  notifierKilledMidSend,
  postgresBackendsTerminated,
  rateLimitShared,
  redisRestarted,
  rollingRestart,
  sharedAcrossReplicas,
  table,
} from './experiments';
import { Load, TotpUser } from './load';

/**
 * `npm run test:faults`: the built services as separate processes on loopback, two replicas of each, real
 * Postgres and Redis, HAProxy in front of auth-api, and a steady mixed load of sign-ins, TOTP
 * challenges and email challenges (codes read from the loopback SMTP sink) while a fault is injected. Each experiment is a function in
 * experiments.ts; this file runs them in turn on one cluster and holds each to the same rules.
 */
/** email workers (sign-in, email challenge, code from the SMTP sink, completion) */
const LOAD_WORKERS = 4;
/** TOTP workers (sign-in, TOTP challenge, RFC 6238 code); a user's TOTP step counts once, so they rotate over TOTP_USERS */
const TOTP_WORKERS = 2;
const TOTP_USERS = 24;
/** POST /account/mfa/challenges: @RateLimit({ limit: 10, key: ['userId'] }) in account-mfa-challenges.controller.ts */
const MFA_CHALLENGE_LIMIT = 10;

/** The rules every experiment is held to; `allowed503` is false where not even a 503 may happen. */
function expectResilient(r: ExperimentResult, opts: { allowed503: boolean }) {
  process.stdout.write(`\n${table(r)}\n`);
  const failures = r.report.requests.filter((q) => q.status === 0 || q.status >= 500);
  // errors only as 503 (never a 500, never a dropped connection), and fast
  expect(failures.filter((q) => q.status !== 503)).toEqual([]);
  if (!opts.allowed503) expect(failures).toEqual([]);
  expect(failures.filter((q) => q.ms > RPC_DEADLINE_MS * 2)).toEqual([]);
  // no code lost, at most one duplicate of any code
  expect(r.report.lostCodes).toBe(0);
  expect(r.report.maxPerCode).toBeLessThanOrEqual(2);
  // the load made progress, and the system served again by itself
  expect(r.report.completed).toBeGreaterThan(0);
  expect(r.report.totpCompleted).toBeGreaterThan(0);
  // a TOTP code for a fresh step is right: a refusal would be a lost or replayed step
  expect(r.report.totpRefused).toBe(0);
  expect(r.recoveryMs).toBeGreaterThanOrEqual(0);
}

describe('fault experiments (replicas, HAProxy, real Postgres/Redis)', () => {
  let cluster: Cluster;
  let smtp: SmtpSink;
  let redis: OwnRedis;
  let load: Load | undefined;
  let totpUsers: TotpUser[];
  const ctx = async (): Promise<ExperimentContext> => {
    smtp.clear();
    smtp.setDelay(0);
    load = await Load.prepare(cluster, smtp, LOAD_WORKERS, 30_000, { users: totpUsers, workers: TOTP_WORKERS });
    return { cluster, smtp, load };
  };

  afterEach(async () => {
    // a failed experiment leaves its load running; stop it and bring every replica back for the next one
    smtp.setDelay(0);
    await load?.stop();
    for (const r of cluster.of('mfa-service')) if (r.child?.exitCode === null && r.child.signalCode === null) r.child.kill('SIGCONT'); // (8) failed mid-pause
    for (const r of cluster.replicas)
      if (r.child?.exitCode !== null || r.child?.signalCode !== null) await cluster.startReplica(r).catch(() => undefined);
  }, 120_000);

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    // a Redis of the suite's own (AOF on), so experiment 4 can restart it; the shared one is never touched
    redis = await OwnRedis.start();
    cluster = await Cluster.start({
      label: 'faults',
      redisUrl: redis.url,
      env: { SMTP_URL: smtp.url, SMTP_FROM: 'Twostep Faults <no-reply@twostep.test>' },
    });
    totpUsers = await Load.prepareTotpUsers(cluster, TOTP_USERS);
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
    await smtp?.stop();
    await redis?.destroy();
  });

  it('(7) mfa-service calls spread across the two replicas within ±25 % under steady load', async () => {
    const r = await mfaSpread(await ctx());
    expectResilient(r, { allowed503: false });
    const mean = (r.counts[0] + r.counts[1]) / 2;
    expect(mean).toBeGreaterThan(20);
    for (const c of r.counts) expect(Math.abs(c - mean)).toBeLessThanOrEqual(0.25 * mean);
  }, 120_000);

  it('(1) one mfa-service replica SIGKILLed under load: calls move to the other within 1 s, only fast 503s meanwhile, the restarted replica takes calls again', async () => {
    const r = await mfaReplicaKilled(await ctx());
    expectResilient(r, { allowed503: true });
    expect(r.moveMs).toBeLessThanOrEqual(1000);
    // only the calls in flight to the dead replica may fail: at most one per load client
    expect(r.report.requests.filter((q) => q.status === 503).length).toBeLessThanOrEqual(LOAD_WORKERS + TOTP_WORKERS);
    expect(r.survivorServedAfterKill).toBeGreaterThan(0);
    expect(r.restartedServed).toBeGreaterThan(0);
  }, 180_000);

  it('(8) one mfa-service replica paused (SIGSTOP) under load: only the calls sent to it fail, none hangs past the RPC deadline, the other keeps serving, it is used again after SIGCONT', async () => {
    const r = await mfaReplicaPaused(await ctx(), RPC_DEADLINE_MS + 2000);
    expectResilient(r, { allowed503: true });
    const failures = r.report.requests.filter((q) => q.status === 0 || q.status >= 500);
    // every failed request is one whose RPC went to the paused replica; none went to the running one
    expect(r.failuresToOther).toBe(0);
    expect(failures.length).toBeLessThanOrEqual(r.failuresToPaused);
    for (const q of failures) expect(q.at).toBeLessThan(r.resumedAt);
    // no request outlasted the RPC deadline by more than a small margin
    expect(Math.max(...r.report.requests.map((q) => q.ms))).toBeLessThanOrEqual(RPC_DEADLINE_MS + 1000);
    expect(r.otherServedDuringPause).toBeGreaterThan(0);
    expect(r.resumedServed).toBeGreaterThan(0);
  }, 180_000);

  it('(5) Postgres backends terminated every 150 ms for 10 s: only fast 503s, never a 500, recovery without a restart', async () => {
    const r = await postgresBackendsTerminated(await ctx(), testInfra().adminDatabaseUrl);
    expectResilient(r, { allowed503: true });
    expect(r.terminated).toBeGreaterThan(0);
    for (const replica of cluster.replicas)
      expect({ replica: `${replica.service}#${replica.index}`, exit: replica.child?.exitCode }).toEqual({
        replica: `${replica.service}#${replica.index}`,
        exit: null,
      });
  }, 180_000);

  it('(3) a rolling restart, SIGTERM one replica at a time through HAProxy: zero failed requests', async () => {
    const r = await rollingRestart(await ctx());
    expectResilient(r, { allowed503: false });
  }, 300_000);

  it('(2) a notifier SIGKILLed while the SMTP server holds its message: delivered within 15 s, at most once more', async () => {
    const r = await notifierKilledMidSend(await ctx());
    expectResilient(r, { allowed503: false });
    expect(r.redeliveryMs).toBeLessThanOrEqual(15_000);
  }, 180_000);

  it('(4) Redis restarted (AOF on) under load: only fast 503s while it is down, queued codes delivered after, no service restarted', async () => {
    const r = await redisRestarted(await ctx(), redis);
    expectResilient(r, { allowed503: true });
    for (const replica of cluster.replicas)
      expect({ replica: `${replica.service}#${replica.index}`, exit: replica.child?.exitCode }).toEqual({
        replica: `${replica.service}#${replica.index}`,
        exit: null,
      });
  }, 180_000);

  it('(6) two auth-apis and two notifiers: each code delivered exactly once; wrong codes over both replicas lock the factor', async () => {
    const r = await sharedAcrossReplicas(await ctx());
    expectResilient(r, { allowed503: false });
    expect(r.report.duplicates).toBe(0);
    expect(r.report.codesReceived).toBe(r.report.challengesSent);
    expect(Object.keys(r.wrongCodesBy).sort()).toEqual(['api0', 'api1']);
    expect(r.lockedAfter).toBeGreaterThan(1);
    expect(r.rightCodeAfterLock).toBe(429);
  }, 180_000);

  it('(6) rate limits on, two auth-apis called alternately: the limit is shared, the first 429 comes after exactly the configured number of requests', async () => {
    const r = await rateLimitShared(await ctx(), MFA_CHALLENGE_LIMIT);
    process.stdout.write(`\n${r.line}\n`);
    expect(r.acceptedBefore429).toBe(MFA_CHALLENGE_LIMIT);
    expect(r.firstRefusalAt).toBe(MFA_CHALLENGE_LIMIT + 1);
    expect(Object.keys(r.acceptedBy).sort()).toEqual(['api100', 'api101']);
    expect(Number(r.retryAfter)).toBeGreaterThan(0);
  }, 120_000);
});
