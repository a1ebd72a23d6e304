import { Client } from 'pg';
import { SmtpSink, waitFor } from '@twostep/testing';
import { Cluster, MULTI_ENDPOINT_RPC, OwnRedis, Replica, Service } from './cluster';
import { call, isCodeMail, Load, LoadReport, pause, sessionOf } from './load';

/** What every experiment returns: the load's record plus how long the system took to serve again. */
export interface ExperimentResult {
  name: string;
  report: LoadReport;
  recoveryMs: number;
  notes?: string;
}

export interface ExperimentContext {
  cluster: Cluster;
  smtp: SmtpSink;
  load: Load;
}

/** One line per experiment: the figures the README and docs/deployment.md quote. */
export function table(r: ExperimentResult): string {
  const byStatus = new Map<number, number>();
  for (const q of r.report.requests) byStatus.set(q.status, (byStatus.get(q.status) ?? 0) + 1);
  const errors = [...byStatus.entries()].filter(([s]) => s === 0 || s >= 500).map(([s, n]) => `${s || 'no answer'}: ${n}`);
  const longest = Math.max(0, ...r.report.requests.map((q) => q.ms));
  const rows = [
    ['experiment', r.name],
    ['requests', String(r.report.requests.length)],
    ['errors by status', errors.length ? errors.join(', ') : 'none'],
    ['longest request', `${longest} ms`],
    ['challenges completed (email / TOTP)', `${r.report.completed} / ${r.report.totpCompleted}`],
    ['messages sent/received/duplicated', `${r.report.challengesSent}/${r.report.codesReceived}/${r.report.duplicates}`],
    ['lost codes', String(r.report.lostCodes)],
    ['recovery time', `${r.recoveryMs} ms`],
    ...(r.notes ? [['notes', r.notes]] : []),
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `| ${k.padEnd(w)} | ${v}`).join('\n');
}

/** Time from `since` until a full flow (sign-in, challenge, code, completion) succeeds again. */
async function timeToRecover(ctx: ExperimentContext, since: number): Promise<number> {
  const before = ctx.load.requests.length;
  try {
    await waitFor(
      () => ctx.load.requests.slice(before).some((q) => q.route === 'complete' && q.status < 300),
      60_000,
      50,
      'a completed challenge after the fault',
    );
  } catch (error) {
    const health = await Promise.all(
      ctx.cluster.replicas.map(
        async (r) =>
          `${r.service}#${r.index}: ${await fetch(ctx.cluster.healthUrl(r)).then(
            (res) => res.text(),
            (e: Error) => e.message,
          )}`,
      ),
    );
    const last = ctx.load.requests.slice(-8).map((q) => `${q.route} ${q.status} ${q.ms}ms`);
    const logs = ctx.cluster.replicas.flatMap((r) =>
      r.logs
        .filter((l) => !l.startsWith('{'))
        .slice(0, 40)
        .map((l) => `${r.service}#${r.index} ${l.slice(0, 300)}`),
    );
    throw new Error(
      `${(error as Error).message}\nhealth:\n${health.join('\n')}\nlast requests: ${last.join(', ')}\nlogs:\n${logs.join('\n')}`,
    );
  }
  return Date.now() - since;
}

/** (2) SIGKILL a notifier while the SMTP server holds its message: another takes the job over. */
export async function notifierKilledMidSend(ctx: ExperimentContext): Promise<ExperimentResult & { redeliveryMs: number }> {
  const [a, b] = ctx.cluster.of('notifier');
  await ctx.cluster.stopReplica(b, 'SIGTERM'); // only `a` takes the next job
  ctx.smtp.setDelay(60_000);
  ctx.load.start();
  await waitFor(
    async () => (await ctx.smtp.connectionCount()) > 0 && ctx.load.requests.some((q) => q.route === 'challenge' && q.status === 201),
    30_000,
    50,
    'a message held by the SMTP server',
  );
  await pause(300);
  await ctx.cluster.startReplica(b);
  const killedAt = Date.now();
  await ctx.cluster.stopReplica(a, 'SIGKILL');
  ctx.smtp.setDelay(0);
  await ctx.smtp.waitFor((m) => m.receivedAt.getTime() >= killedAt, 60_000);
  const redeliveryMs = Date.now() - killedAt;
  const recoveryMs = await timeToRecover(ctx, killedAt);
  await ctx.cluster.startReplica(a);
  await pause(2000);
  const report = await ctx.load.stop();
  return {
    name: '2 notifier SIGKILL mid-send',
    report,
    recoveryMs,
    redeliveryMs,
    notes: `held message delivered ${redeliveryMs} ms after the kill`,
  };
}

/** (3) a rolling restart of every service, one replica at a time, SIGTERM, under load through HAProxy. */
export async function rollingRestart(ctx: ExperimentContext): Promise<ExperimentResult> {
  const order: Service[] = ['auth-api', 'notifier', ...(MULTI_ENDPOINT_RPC ? (['mfa-service'] as Service[]) : [])];
  ctx.load.start();
  await pause(1500);
  const t0 = Date.now();
  const timeline: string[] = [];
  for (const service of order) {
    for (const r of ctx.cluster.of(service)) {
      const from = Date.now();
      await restart(ctx.cluster, r);
      timeline.push(`${r.service}#${r.index} ${from}-${Date.now()}`);
    }
  }
  const recoveryMs = Date.now() - t0;
  await pause(1500);
  const report = await ctx.load.stop();
  return {
    name: `3 rolling restart (${order.join(', ')})`,
    report,
    recoveryMs,
    notes: `restarts (epoch ms): ${timeline.join(', ')}${MULTI_ENDPOINT_RPC ? '' : '; mfa-service left out: auth-api has one RPC endpoint on this branch'}`,
  };
}

async function restart(cluster: Cluster, r: Replica): Promise<void> {
  const code = await cluster.stopReplica(r, 'SIGTERM');
  if (code !== 0) throw new Error(`${r.service}#${r.index} exited ${code} on SIGTERM`);
  await cluster.startReplica(r);
  await pause(1000); // HAProxy: rise 2 checks, 250 ms apart
}

/** (5) terminate every Postgres backend of the test database every 150 ms for 10 s, under load. */
export async function postgresBackendsTerminated(
  ctx: ExperimentContext,
  adminUrl: string,
): Promise<ExperimentResult & { terminated: number }> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  const dbName = new URL(ctx.cluster.db.url).pathname.slice(1);
  ctx.load.start();
  await pause(1000);
  let terminated = 0;
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const res = await admin.query(
      'SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()) t',
      [dbName],
    );
    terminated += (res.rows[0] as { n: number }).n;
    await pause(150);
  }
  const stoppedAt = Date.now();
  await admin.end();
  const recoveryMs = await timeToRecover(ctx, stoppedAt);
  await pause(1000);
  const report = await ctx.load.stop();
  return {
    name: '5 Postgres backends terminated every 150 ms for 10 s',
    report,
    recoveryMs,
    terminated,
    notes: `${terminated} backends terminated`,
  };
}

/** (4) restart Redis (AOF on) under load: 503s while it is down, queued jobs delivered after, no service restarted. */
export async function redisRestarted(ctx: ExperimentContext, redis: OwnRedis, downMs = 2000): Promise<ExperimentResult> {
  ctx.load.start();
  await pause(1500);
  await redis.stop();
  await pause(downMs);
  await redis.run();
  const upAt = Date.now();
  const recoveryMs = await timeToRecover(ctx, upAt);
  await pause(1500);
  const report = await ctx.load.stop();
  return { name: `4 Redis restarted (AOF), down ${downMs} ms`, report, recoveryMs };
}

/**
 * (6) two auth-apis and two notifiers: every code delivered exactly once, and wrong codes spread over both
 * auth-api replicas (HAProxy round robin) still add up to one failure budget that locks the factor.
 */
export async function sharedAcrossReplicas(
  ctx: ExperimentContext,
): Promise<ExperimentResult & { wrongCodesBy: Record<string, number>; lockedAfter: number; rightCodeAfterLock: number }> {
  ctx.load.start();
  await pause(4000);
  const report = await ctx.load.stop();
  // one user, one email challenge, wrong codes until the factor locks
  const { cluster, smtp } = ctx;
  const email = `budget${Date.now()}@example.test`;
  const password = 'correct horse battery staple';
  const created = await call(cluster, 'POST', '/users', { key: true, json: { userId: 'unique()', email, password, name: 'Budget' } });
  await call(cluster, 'PATCH', `/users/${(created.body as { $id: string }).$id}/verification`, {
    key: true,
    json: { emailVerification: true },
  });
  const signIn = await call(cluster, 'POST', '/account/sessions/email', { json: { email, password } });
  const session = sessionOf(cluster, signIn.headers);
  // one wrong code per fresh challenge (a challenge may burn after a few tries; the factor's budget counts on)
  const wrongCodesBy: Record<string, number> = {};
  let lockedAfter = 0;
  let last: { id: string; after: number } | undefined;
  for (let i = 1; i <= 30 && !lockedAfter; i++) {
    const after = Date.now();
    const challenge = await call(cluster, 'POST', '/account/mfa/challenges', { session, json: { factor: 'email' } });
    if (challenge.status === 429) {
      lockedAfter = i;
      break;
    }
    last = { id: (challenge.body as { $id: string }).$id, after };
    // round robin alternates per request: one more request every other round sends the codes to both replicas
    if (i % 2 === 0) await call(cluster, 'GET', '/account', { session });
    const res = await call(cluster, 'PUT', '/account/mfa/challenges', { session, json: { challengeId: last.id, otp: '000000' } });
    const server = res.headers.get('x-served-by') ?? 'unknown';
    if (res.status === 429) lockedAfter = i;
    else wrongCodesBy[server] = (wrongCodesBy[server] ?? 0) + 1;
  }
  // the right code of the last challenge is refused too while the factor is locked
  // security notices (the lockout's) go to the same address: the code is in the "Verification Code" email
  const mail = await smtp.waitFor((m) => m.envelopeTo.includes(email) && m.receivedAt.getTime() >= last!.after && isCodeMail(m), 30_000);
  const code = /\b(\d{6})\b/.exec(mail.text)![1];
  const right = await call(cluster, 'PUT', '/account/mfa/challenges', { session, json: { challengeId: last!.id, otp: code } });
  return {
    name: '6 two auth-apis, two notifiers: exactly once, one failure budget',
    report,
    recoveryMs: 0,
    wrongCodesBy,
    lockedAfter,
    rightCodeAfterLock: right.status,
    notes: `wrong codes by replica ${JSON.stringify(wrongCodesBy)}, locked at attempt ${lockedAfter}`,
  };
}

/** RPC requests an mfa-service replica handed to a handler (its /metrics), heartbeats left out. */
export async function handledBy(cluster: Cluster, r: Replica): Promise<number> {
  return metricSum(
    `http://127.0.0.1:${r.healthPort}/metrics`,
    'mfa_rpc_requests_total',
    (labels) => !labels.includes('pattern="mfa.v1.heartbeat"'),
  );
}

/** auth-api's RPC calls to one mfa-service endpoint that failed in transport (timeout, connection lost), summed over the auth-api replicas. */
export async function transportFailuresTo(cluster: Cluster, mfa: Replica): Promise<number> {
  const endpoint = `endpoint="127.0.0.1:${mfa.port}"`;
  let sum = 0;
  for (const api of cluster.of('auth-api')) {
    sum += await metricSum(
      `http://127.0.0.1:${api.healthPort}/metrics`,
      'mfa_rpc_client_calls_total',
      (l) => l.includes(endpoint) && (l.includes('outcome="timeout"') || l.includes('outcome="connection_lost"')),
    );
  }
  return sum;
}

async function metricSum(url: string, name: string, keep: (labels: string) => boolean): Promise<number> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labels = line.slice(name.length, line.lastIndexOf(' '));
    if (keep(labels)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Requests that failed (no answer or 5xx). */
const failed = (report: LoadReport) => report.requests.filter((q) => q.status === 0 || q.status >= 500);

/**
 * (1) SIGKILL one mfa-service replica under load: auth-api stops using it, the other takes the calls, the
 * only errors are fast 503s of calls in flight to the dead one; once restarted it takes calls again.
 */
export async function mfaReplicaKilled(
  ctx: ExperimentContext,
): Promise<ExperimentResult & { moveMs: number; failuresAfterMs: number; survivorServedAfterKill: number; restartedServed: number }> {
  const { cluster } = ctx;
  const [survivor, victim] = cluster.of('mfa-service');
  ctx.load.start();
  await pause(2000);
  const survivorAtKill = await handledBy(cluster, survivor);
  const killedAt = Date.now();
  await cluster.stopReplica(victim, 'SIGKILL');
  // the first success known served by the survivor: its counter moves past its value at the kill
  await waitFor(async () => (await handledBy(cluster, survivor)) > survivorAtKill, 10_000, 20, 'the surviving replica to serve');
  const firstServedAt = Date.now();
  await pause(3000);
  const survivorServedAfterKill = (await handledBy(cluster, survivor)) - survivorAtKill;
  // automatic recovery: the replica restarts and auth-api sends it calls again, without being told
  await cluster.startReplica(victim);
  const restartedAt = Date.now();
  await waitFor(async () => (await handledBy(cluster, victim)) > 0, 30_000, 50, 'the restarted replica to take calls');
  const recoveryMs = Date.now() - restartedAt;
  await pause(1500);
  const restartedServed = await handledBy(cluster, victim);
  const report = await ctx.load.stop();
  const lastFailure = Math.max(killedAt, ...failed(report).map((q) => q.at + q.ms));
  const failuresAfterMs = lastFailure - killedAt;
  const moveMs = Math.max(firstServedAt - killedAt, failuresAfterMs);
  return {
    name: '1 mfa-service replica SIGKILLed, restarted',
    report,
    recoveryMs,
    moveMs,
    failuresAfterMs,
    survivorServedAfterKill,
    restartedServed,
    notes: `calls moved ${moveMs} ms after the kill (last failure ${failuresAfterMs} ms after it); survivor served ${survivorServedAfterKill} calls in the next 3 s; restarted replica took ${restartedServed} calls; recovery = restart to its first call`,
  };
}

/** (7) mfa-service calls spread across the two replicas under the steady load (each replica's /metrics). */
export async function mfaSpread(ctx: ExperimentContext, durationMs = 8000): Promise<ExperimentResult & { counts: number[] }> {
  const { cluster } = ctx;
  const mfa = cluster.of('mfa-service');
  ctx.load.start();
  await pause(1000);
  const before = await Promise.all(mfa.map((r) => handledBy(cluster, r)));
  await pause(durationMs);
  const counts = (await Promise.all(mfa.map((r) => handledBy(cluster, r)))).map((n, i) => n - before[i]);
  const report = await ctx.load.stop();
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  const deviation = Math.max(...counts.map((c) => Math.abs(c - mean) / mean));
  return {
    name: `7 mfa-service calls spread over ${mfa.length} replicas (${durationMs} ms)`,
    report,
    recoveryMs: 0,
    counts,
    notes: `calls per replica ${counts.join(' / ')}, largest deviation from the mean ${(deviation * 100).toFixed(1)} %`,
  };
}

/**
 * (8) one mfa-service replica paused (SIGSTOP) for `pausedMs`, then SIGCONT: the calls sent to it time out
 * at the RPC deadline and fail alone (503), the calls in flight to the other replica complete, no request
 * hangs past the deadline, and the paused replica takes calls again after SIGCONT.
 */
export async function mfaReplicaPaused(
  ctx: ExperimentContext,
  pausedMs: number,
): Promise<
  ExperimentResult & {
    failuresToPaused: number;
    failuresToOther: number;
    otherServedDuringPause: number;
    resumedServed: number;
    stoppedAt: number;
    resumedAt: number;
  }
> {
  const { cluster } = ctx;
  const [other, paused] = cluster.of('mfa-service');
  ctx.load.start();
  await pause(2000);
  const before = {
    paused: await transportFailuresTo(cluster, paused),
    other: await transportFailuresTo(cluster, other),
    otherServed: await handledBy(cluster, other),
  };
  paused.child!.kill('SIGSTOP');
  const stoppedAt = Date.now();
  await pause(pausedMs);
  const otherServedDuringPause = (await handledBy(cluster, other)) - before.otherServed;
  paused.child!.kill('SIGCONT');
  const resumedAt = Date.now();
  const atResume = await handledBy(cluster, paused); // its /metrics answers only once resumed
  await waitFor(async () => (await handledBy(cluster, paused)) > atResume, 30_000, 50, 'the resumed replica to take calls');
  const recoveryMs = Date.now() - resumedAt;
  await pause(1500);
  const resumedServed = (await handledBy(cluster, paused)) - atResume;
  const report = await ctx.load.stop();
  const failuresToPaused = (await transportFailuresTo(cluster, paused)) - before.paused;
  const failuresToOther = (await transportFailuresTo(cluster, other)) - before.other;
  return {
    name: `8 mfa-service replica paused (SIGSTOP) ${pausedMs} ms, then SIGCONT`,
    report,
    recoveryMs,
    failuresToPaused,
    failuresToOther,
    otherServedDuringPause,
    resumedServed,
    stoppedAt,
    resumedAt,
    notes: `RPC failures (timeout/connection lost) to the paused replica ${failuresToPaused}, to the other ${failuresToOther}; other replica served ${otherServedDuringPause} calls during the pause; resumed replica took ${resumedServed} calls; recovery = SIGCONT to its first call`,
  };
}

/**
 * (6, rate limits) two auth-api replicas with rate limits ON (the load's replicas run without, or their
 * users would hit them), called directly and alternately by one client: a limited MFA route answers 429
 * once the two replicas together have taken the configured limit, so the counter is shared in Redis.
 */
export async function rateLimitShared(
  ctx: ExperimentContext,
  limit: number,
): Promise<{
  acceptedBefore429: number;
  acceptedBy: Record<string, number>;
  firstRefusalAt: number;
  retryAfter: string | null;
  line: string;
}> {
  const { cluster } = ctx;
  const replicas = await cluster.startDetachedAuthApis(2, { RATE_LIMIT_ENABLED: 'true' });
  try {
    const base = (i: number) => `http://127.0.0.1:${replicas[i % 2].port}/v1`;
    const email = `limit${Date.now()}@example.test`;
    const password = 'correct horse battery staple';
    const created = await call(cluster, 'POST', '/users', { key: true, json: { userId: 'unique()', email, password, name: 'Limit' } });
    await call(cluster, 'PATCH', `/users/${(created.body as { $id: string }).$id}/verification`, {
      key: true,
      json: { emailVerification: true },
    });
    const signIn = await call(cluster, 'POST', '/account/sessions/email', { base: base(0), json: { email, password } });
    const session = sessionOf(cluster, signIn.headers);
    const acceptedBy: Record<string, number> = {};
    let acceptedBefore429 = 0;
    let firstRefusalAt = 0;
    let retryAfter: string | null = null;
    for (let i = 0; i < 3 * limit && !firstRefusalAt; i++) {
      const res = await call(cluster, 'POST', '/account/mfa/challenges', { base: base(i), session, json: { factor: 'email' } });
      if (res.status === 429) {
        firstRefusalAt = i + 1;
        retryAfter = res.headers.get('retry-after');
      } else if (res.status === 201) {
        acceptedBefore429++;
        const name = `api${replicas[i % 2].index}`;
        acceptedBy[name] = (acceptedBy[name] ?? 0) + 1;
      } else throw new Error(`challenge through ${base(i)}: ${res.status}`);
    }
    const line = `| rate limit shared (POST /account/mfa/challenges, limit ${limit}) | accepted ${acceptedBefore429} (${Object.entries(
      acceptedBy,
    )
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')}), first 429 at request ${firstRefusalAt}, Retry-After ${retryAfter}`;
    return { acceptedBefore429, acceptedBy, firstRefusalAt, retryAfter, line };
  } finally {
    for (const r of replicas) await cluster.stopReplica(r, 'SIGTERM');
  }
}
