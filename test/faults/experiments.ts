import { Client } from 'pg';
import { SmtpSink, waitFor } from '@twostep/testing';
import { Cluster, MULTI_ENDPOINT_RPC, OwnRedis, Replica, Service } from './cluster';
import { call, Load, LoadReport, pause } from './load';

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
    ['challenges completed', String(r.report.completed)],
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
    await waitFor(() => ctx.load.requests.slice(before).some((q) => q.route === 'complete' && q.status < 300), 60_000, 50, 'a completed challenge after the fault');
  } catch (error) {
    const health = await Promise.all(ctx.cluster.replicas.map(async (r) => `${r.service}#${r.index}: ${await fetch(ctx.cluster.healthUrl(r)).then((res) => res.text(), (e: Error) => e.message)}`));
    const last = ctx.load.requests.slice(-8).map((q) => `${q.route} ${q.status} ${q.ms}ms`);
    const logs = ctx.cluster.replicas.flatMap((r) => r.logs.filter((l) => !l.startsWith('{')).slice(0, 40).map((l) => `${r.service}#${r.index} ${l.slice(0, 300)}`));
    throw new Error(`${(error as Error).message}\nhealth:\n${health.join('\n')}\nlast requests: ${last.join(', ')}\nlogs:\n${logs.join('\n')}`);
  }
  return Date.now() - since;
}

/** (2) SIGKILL a notifier while the SMTP server holds its message: another takes the job over. */
export async function notifierKilledMidSend(ctx: ExperimentContext): Promise<ExperimentResult & { redeliveryMs: number }> {
  const [a, b] = ctx.cluster.of('notifier');
  await ctx.cluster.stopReplica(b, 'SIGTERM'); // only `a` takes the next job
  ctx.smtp.setDelay(60_000);
  ctx.load.start();
  await waitFor(async () => (await ctx.smtp.connectionCount()) > 0 && ctx.load.requests.some((q) => q.route === 'challenge' && q.status === 201), 30_000, 50, 'a message held by the SMTP server');
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
  return { name: '2 notifier SIGKILL mid-send', report, recoveryMs, redeliveryMs, notes: `held message delivered ${redeliveryMs} ms after the kill` };
}

/** (3) a rolling restart of every service, one replica at a time, SIGTERM, under load through HAProxy. */
export async function rollingRestart(ctx: ExperimentContext): Promise<ExperimentResult> {
  const order: Service[] = ['auth-api', 'notifier', ...(MULTI_ENDPOINT_RPC ? (['mfa-service'] as Service[]) : [])];
  ctx.load.start();
  await pause(1500);
  const t0 = Date.now();
  for (const service of order) {
    for (const r of ctx.cluster.of(service)) await restart(ctx.cluster, r);
  }
  const recoveryMs = Date.now() - t0;
  await pause(1500);
  const report = await ctx.load.stop();
  return { name: `3 rolling restart (${order.join(', ')})`, report, recoveryMs, notes: MULTI_ENDPOINT_RPC ? undefined : 'mfa-service left out: auth-api has one RPC endpoint on this branch' };
}

async function restart(cluster: Cluster, r: Replica): Promise<void> {
  const code = await cluster.stopReplica(r, 'SIGTERM');
  if (code !== 0) throw new Error(`${r.service}#${r.index} exited ${code} on SIGTERM`);
  await cluster.startReplica(r);
  await pause(1000); // HAProxy: rise 2 checks, 250 ms apart
}

/** (5) terminate every Postgres backend of the test database every 150 ms for 10 s, under load. */
export async function postgresBackendsTerminated(ctx: ExperimentContext, adminUrl: string): Promise<ExperimentResult & { terminated: number }> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  const dbName = new URL(ctx.cluster.db.url).pathname.slice(1);
  ctx.load.start();
  await pause(1000);
  let terminated = 0;
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const res = await admin.query('SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()) t', [dbName]);
    terminated += (res.rows[0] as { n: number }).n;
    await pause(150);
  }
  const stoppedAt = Date.now();
  await admin.end();
  const recoveryMs = await timeToRecover(ctx, stoppedAt);
  await pause(1000);
  const report = await ctx.load.stop();
  return { name: '5 Postgres backends terminated every 150 ms for 10 s', report, recoveryMs, terminated, notes: `${terminated} backends terminated` };
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
export async function sharedAcrossReplicas(ctx: ExperimentContext): Promise<ExperimentResult & { wrongCodesBy: Record<string, number>; lockedAfter: number; rightCodeAfterLock: number }> {
  ctx.load.start();
  await pause(4000);
  const report = await ctx.load.stop();
  // one user, one email challenge, wrong codes until the factor locks
  const { cluster, smtp } = ctx;
  const email = `budget${Date.now()}@example.test`;
  const password = 'correct horse battery staple';
  const created = await call(cluster, 'POST', '/users', { key: true, json: { userId: 'unique()', email, password, name: 'Budget' } });
  await call(cluster, 'PATCH', `/users/${(created.body as { $id: string }).$id}/verification`, { key: true, json: { emailVerification: true } });
  const signIn = await call(cluster, 'POST', '/account/sessions/email', { json: { email, password } });
  const session = (JSON.parse(signIn.headers.get('x-fallback-cookies') ?? '{}') as Record<string, string>)[`a_session_${cluster.projectId}`];
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
  const mail = await smtp.waitFor((m) => m.envelopeTo.includes(email) && m.receivedAt.getTime() >= last!.after, 30_000);
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
