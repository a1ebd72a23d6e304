import { Client } from 'pg';
import { MfaPattern, SharedRedisKey } from '@twostep/contracts';
import { freePort, waitFor } from '@twostep/testing';
import { InFlightRequests } from '../src/core/in-flight.interceptor';
import { MfaServiceHarness, newUser } from './support/mfa-service.harness';

const delivery = { destination: 'carol@example.com', locale: 'en', projectName: 'Twostep Test' };

describe('health, metrics and user purge', () => {
  let h: MfaServiceHarness;

  beforeAll(async () => {
    h = await MfaServiceHarness.start('lifecycle');
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('reports ready with Postgres, Redis and the delivery-results worker up', async () => {
    const url = `http://127.0.0.1:${h.healthPort}/health/ready`;
    await waitFor(async () => (await fetch(url)).status === 200, 10_000, 50, 'readiness');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', checks: { postgres: 'up', redis: 'up', 'delivery-results-worker': 'up' } });
  });

  it('exports challenge metrics by factor', async () => {
    const { userId } = newUser();
    const view = await h.call(MfaPattern.ChallengeCreate, { userId, sessionId: 's', factor: 'email', delivery });
    await h.call(MfaPattern.ChallengeVerify, { userId, sessionId: 's', challengeId: view.id, otp: await h.codeOf(view.id) });
    const metrics = await (await fetch(`http://127.0.0.1:${h.healthPort}/metrics`)).text();
    expect(metrics).toMatch(/mfa_challenges_created_total\{factor="email"[^}]*\} 1/);
    expect(metrics).toMatch(/mfa_challenges_verified_total\{factor="email"[^}]*\} 1/);
    expect(metrics).toContain('service="mfa-service"');
  });

  it('purges every factor secret, challenge, code and budget of a user, and closes the pending delivery', async () => {
    const { userId } = newUser();
    const other = newUser();
    await h.call(MfaPattern.TotpCreate, { userId, accountName: 'carol@example.com', issuer: 'Twostep Test' });
    await h.call(MfaPattern.RecoveryCodesCreate, { userId });
    await h.call(MfaPattern.RecoveryCodesCreate, { userId: other.userId });
    const pending = await h.call(MfaPattern.ChallengeCreate, { userId, sessionId: 's', factor: 'email', delivery });
    await h.outcome(MfaPattern.ChallengeVerify, { userId, sessionId: 's', challengeId: pending.id, otp: '000000' });

    expect(await h.call(MfaPattern.UserPurge, { userId })).toEqual({ purged: true });
    for (const table of ['totp_authenticators', 'challenges', 'recovery_codes', 'failure_budgets']) {
      expect(await h.sql(`SELECT 1 FROM mfa.${table} WHERE user_id = $1`, [userId])).toHaveLength(0);
    }
    expect(await h.redis.get(SharedRedisKey.closedReference(h.prefix, pending.id))).toBe('purged');
    expect((await h.fail(MfaPattern.RecoveryCodesGet, { userId })).type).toBe('user_recovery_codes_not_found');
    expect((await h.fail(MfaPattern.ChallengeGet, { userId, challengeId: pending.id })).type).toBe('user_invalid_token');
    // other users keep theirs; purging twice is fine
    expect((await h.call(MfaPattern.RecoveryCodesGet, { userId: other.userId })).recoveryCodes).toHaveLength(10);
    expect(await h.call(MfaPattern.UserPurge, { userId })).toEqual({ purged: true });
  });
});

describe('graceful shutdown', () => {
  let h: MfaServiceHarness;

  beforeAll(async () => {
    h = await MfaServiceHarness.start('shutdown');
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('finishes an RPC in flight, refuses new ones with 503 and then closes', async () => {
    const { userId } = newUser();
    const view = await h.call(MfaPattern.ChallengeCreate, { userId, sessionId: 's', factor: 'email', delivery });
    const code = await h.codeOf(view.id);
    // hold the challenge row so the verification waits inside the service
    const blocker = new Client({ connectionString: h.db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM mfa.challenges WHERE id = $1 FOR UPDATE', [view.id]);
      const inFlight = h.outcome(MfaPattern.ChallengeVerify, { userId, sessionId: 's', challengeId: view.id, otp: code });
      const requests = h.service.app.get(InFlightRequests);
      await waitFor(() => requests.inFlight === 1, 5000, 10, 'the verification to be in flight');

      const stopped = h.service.stop();
      await waitFor(() => requests.isDraining, 5000, 10, 'draining');
      const ready = await fetch(`http://127.0.0.1:${h.healthPort}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await h.outcome(MfaPattern.Ping, { nonce: 'late' })).toBe('general_service_unavailable');

      await blocker.query('COMMIT');
      expect(await inFlight).toBe('ok');
      await stopped;
      expect(requests.inFlight).toBe(0);
    } finally {
      await blocker.end();
    }
  }, 30_000);
});

describe('when Redis is unreachable', () => {
  let h: MfaServiceHarness;

  beforeAll(async () => {
    const closedPort = await freePort();
    h = await MfaServiceHarness.start('noredis', { env: { REDIS_URL: `redis://127.0.0.1:${closedPort}` } });
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  }, 30_000);

  it('answers general_service_unavailable quickly and closes the challenge as delivery_failed', async () => {
    const { userId } = newUser();
    const t0 = Date.now();
    const error = await h.fail(MfaPattern.ChallengeCreate, { userId, sessionId: 's', factor: 'email', delivery });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(error.type).toBe('general_service_unavailable');
    const rows = await h.sql<{ id: string; state: string; delivery_status: string; delivery_reason: string }>(
      'SELECT id, state, delivery_status, delivery_reason FROM mfa.challenges WHERE user_id = $1',
      [userId],
    );
    expect(rows).toEqual([
      { id: expect.any(String), state: 'delivery_failed', delivery_status: 'failed', delivery_reason: 'queue_unavailable' },
    ]);
    const state = await h.call(MfaPattern.ChallengeGet, { userId, challengeId: rows[0].id });
    expect(state).toMatchObject({
      status: 'delivery_failed',
      attemptsLeft: 0,
      delivery: { channel: 'email', status: 'failed', reason: 'queue_unavailable' },
    });
    // no code can complete it
    for (const otp of ['000000', '123456'])
      expect(await h.outcome(MfaPattern.ChallengeVerify, { userId, sessionId: 's', challengeId: rows[0].id, otp })).toBe(
        'user_invalid_token',
      );
  });

  it('still serves what does not need Redis, and reports not ready', async () => {
    const { userId } = newUser();
    expect((await h.call(MfaPattern.ChallengeCreate, { userId, sessionId: 's', factor: 'totp' })).userId).toBe(userId);
    const res = await fetch(`http://127.0.0.1:${h.healthPort}/health/ready`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { checks: Record<string, string> };
    expect(body.checks).toMatchObject({ postgres: 'up', redis: 'down', 'delivery-results-worker': 'down' });
    expect((await h.call(MfaPattern.Ping, { nonce: 'x' })).ready).toBe(false);
  });
});
