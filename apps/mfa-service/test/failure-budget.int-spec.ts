import { MfaPattern } from '@twostep/contracts';
import { MfaServiceHarness, newUser } from './support/mfa-service.harness';
import { oracleCodes } from './support/totp-oracle';

const delivery = { destination: 'bob@example.com', locale: 'en', projectName: 'Twostep Test' };

describe('failure budget per account and factor (real TCP transport, Postgres, Redis)', () => {
  let h: MfaServiceHarness;

  beforeAll(async () => {
    h = await MfaServiceHarness.start('budget');
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  const create = (userId: string, sessionId: string) =>
    h.call(MfaPattern.ChallengeCreate, { userId, sessionId, factor: 'email', delivery });
  const wrong = (code: string) => String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');
  const budget = async (userId: string, factor: string) =>
    (
      await h.sql<{ failures: number; locked_until: Date | null }>(
        'SELECT failures, locked_until FROM mfa.failure_budgets WHERE user_id = $1 AND factor = $2',
        [userId, factor],
      )
    )[0];

  /** `n` wrong codes spread over fresh challenges from fresh sessions (at most 4 per challenge, so none is exhausted). */
  async function failEmail(userId: string, n: number): Promise<string[]> {
    const outcomes: string[] = [];
    for (let done = 0; done < n;) {
      const sessionId = `s-${done}`;
      const view = await create(userId, sessionId);
      const code = await h.codeOf(view.id);
      for (let i = 0; i < 4 && done < n; i++, done++) {
        outcomes.push(await h.outcome(MfaPattern.ChallengeVerify, { userId, sessionId, challengeId: view.id, otp: wrong(code) }));
      }
    }
    return outcomes;
  }

  it('locks the factor after 10 failures across challenges and sessions, refuses even the right code, and a success after the lock resets it', async () => {
    const { userId } = newUser();
    const start = h.clock.now().getTime();
    try {
      expect(await failEmail(userId, 10)).toEqual(new Array(10).fill('user_invalid_token'));
      expect((await budget(userId, 'email')).failures).toBe(10);

      // a new challenge from a new session does not reset the count, and the right code is refused while locked
      const fresh = await create(userId, 'new-session');
      const code = await h.codeOf(fresh.id);
      const locked = await h.fail(MfaPattern.ChallengeVerify, { userId, sessionId: 'new-session', challengeId: fresh.id, otp: code });
      expect(locked.type).toBe('general_rate_limit_exceeded');
      expect(locked.retryAfterSeconds).toBe(30);
      h.clock.advance(12_000);
      expect(
        (await h.fail(MfaPattern.ChallengeVerify, { userId, sessionId: 'new-session', challengeId: fresh.id, otp: code }))
          .retryAfterSeconds,
      ).toBe(18);
      // refusals while locked took nothing from the challenge
      expect((await h.call(MfaPattern.ChallengeGet, { userId, challengeId: fresh.id })).attemptsLeft).toBe(5);

      h.clock.advance(19_000);
      expect(await h.call(MfaPattern.ChallengeVerify, { userId, sessionId: 'new-session', challengeId: fresh.id, otp: code })).toEqual({
        factor: 'email',
        enrolledBySession: false,
      });
      expect(await budget(userId, 'email')).toEqual({ failures: 0, locked_until: null });
      // counting starts again from zero: 9 failures do not lock
      expect(await failEmail(userId, 9)).toEqual(new Array(9).fill('user_invalid_token'));
    } finally {
      h.clock.set(start);
    }
  });

  it('shares one account budget across factors: switching factors gives no fresh budget, and any success resets it', async () => {
    const { userId } = newUser();
    const start = h.clock.now().getTime();
    try {
      // 9 email and 9 recovery-code failures: each factor stays under its limit of 10 ...
      expect(await failEmail(userId, 9)).toEqual(new Array(9).fill('user_invalid_token'));
      const outcomes: string[] = [];
      for (const [i, tries] of [4, 4, 1].entries()) {
        const view = await h.call(MfaPattern.ChallengeCreate, { userId, sessionId: `rc-${i}`, factor: 'recoveryCode' });
        for (let j = 0; j < tries; j++)
          outcomes.push(
            await h.outcome(MfaPattern.ChallengeVerify, { userId, sessionId: `rc-${i}`, challengeId: view.id, otp: 'ffffffffffffffff' }),
          );
      }
      expect(outcomes).toEqual(new Array(9).fill('user_invalid_token'));
      // ... but a third factor gets no fresh budget: the account's 20th failure locks every factor
      const phone = await h.call(MfaPattern.ChallengeCreate, {
        userId,
        sessionId: 'ph',
        factor: 'phone',
        delivery: { ...delivery, destination: '+14155550100' },
      });
      const phoneCode = await h.codeOf(phone.id);
      const phoneOutcomes: string[] = [];
      for (let j = 0; j < 3; j++)
        phoneOutcomes.push(
          await h.outcome(MfaPattern.ChallengeVerify, { userId, sessionId: 'ph', challengeId: phone.id, otp: wrong(phoneCode) }),
        );
      expect(phoneOutcomes).toEqual(['user_invalid_token', 'user_invalid_token', 'general_rate_limit_exceeded']);
      expect((await budget(userId, 'account')).failures).toBe(20);
      expect((await budget(userId, 'recoveryCode')).failures).toBe(9);
      expect((await budget(userId, 'phone')).failures).toBe(2);

      // the account lock holds every factor, the right email code included
      const fresh = await create(userId, 'after');
      const code = await h.codeOf(fresh.id);
      expect((await h.fail(MfaPattern.ChallengeVerify, { userId, sessionId: 'after', challengeId: fresh.id, otp: code })).type).toBe(
        'general_rate_limit_exceeded',
      );
      h.clock.advance(31_000);
      expect(await h.call(MfaPattern.ChallengeVerify, { userId, sessionId: 'after', challengeId: fresh.id, otp: code })).toEqual({
        factor: 'email',
        enrolledBySession: false,
      });
      expect(await budget(userId, 'account')).toEqual({ failures: 0, locked_until: null });
    } finally {
      h.clock.set(start);
    }
  });

  it('makes every further lockout twice as long (30 s, then 60 s)', async () => {
    const { userId } = newUser();
    const start = h.clock.now().getTime();
    try {
      await failEmail(userId, 10);
      h.clock.advance(31_000);
      const outcomes = await failEmail(userId, 10);
      expect(outcomes).toEqual(new Array(10).fill('user_invalid_token'));
      const view = await create(userId, 'x');
      const error = await h.fail(MfaPattern.ChallengeVerify, {
        userId,
        sessionId: 'x',
        challengeId: view.id,
        otp: await h.codeOf(view.id),
      });
      expect(error).toMatchObject({ type: 'general_rate_limit_exceeded', retryAfterSeconds: 60 });
    } finally {
      h.clock.set(start);
    }
  });

  /** A user with a verified TOTP authenticator (enrolled a few steps back) and `n` open totp challenges. */
  async function totpUserWithChallenges(
    n: number,
  ): Promise<{ userId: string; challenges: Array<{ sessionId: string; challengeId: string }>; right: string }> {
    const { userId } = newUser();
    const { secret } = await h.call(MfaPattern.TotpCreate, { userId, accountName: 'bob@example.com', issuer: 'Twostep Test' });
    const [enrollCode, right] = oracleCodes([
      { secret, epoch: h.clock.epochSeconds - 120 },
      { secret, epoch: h.clock.epochSeconds },
    ]);
    h.clock.advance(-120_000);
    await h.call(MfaPattern.TotpVerify, { userId, otp: enrollCode });
    h.clock.advance(120_000);
    const challenges = [];
    for (let c = 0; c < n; c++) {
      const sessionId = `par-${c}`;
      challenges.push({ sessionId, challengeId: (await h.call(MfaPattern.ChallengeCreate, { userId, sessionId, factor: 'totp' })).id });
    }
    return { userId, challenges, right };
  }

  it('counts every one of many concurrent wrong guesses and evaluates no more than 10', async () => {
    const { userId, challenges, right } = await totpUserWithChallenges(4);
    const guesses = challenges.flatMap((c) =>
      Array.from({ length: 5 }, (_, i) => ({ ...c, otp: String((Number(right) + 1 + i) % 1_000_000).padStart(6, '0') })),
    );
    const outcomes = await h.race(guesses.map((g) => [MfaPattern.ChallengeVerify, { userId, ...g }]));
    expect(outcomes.filter((o) => o === 'user_invalid_token')).toHaveLength(10);
    expect(outcomes.filter((o) => o === 'general_rate_limit_exceeded')).toHaveLength(10);
    const row = await budget(userId, 'totp');
    expect(row.failures).toBe(10);
    expect(row.locked_until!.getTime()).toBe(h.clock.now().getTime() + 30_000);
  });

  it('loses no failure when fewer concurrent wrong guesses than the limit arrive', async () => {
    const { userId, challenges, right } = await totpUserWithChallenges(2);
    const guesses = challenges.flatMap((c) => Array.from({ length: 4 }, () => ({ ...c, otp: wrong(right) })));
    const outcomes = await h.race(guesses.map((g) => [MfaPattern.ChallengeVerify, { userId, ...g }]));
    expect(outcomes).toEqual(new Array(8).fill('user_invalid_token'));
    expect(await budget(userId, 'totp')).toEqual({ failures: 8, locked_until: null });
  });

  it('counts failed TOTP enrollment verifications against the totp factor', async () => {
    const { userId } = newUser();
    const { secret } = await h.call(MfaPattern.TotpCreate, { userId, accountName: 'bob@example.com', issuer: 'Twostep Test' });
    const right = oracleCodes([{ secret, epoch: h.clock.epochSeconds }])[0];
    for (let i = 0; i < 10; i++) expect(await h.outcome(MfaPattern.TotpVerify, { userId, otp: wrong(right) })).toBe('user_invalid_token');
    expect(await h.fail(MfaPattern.TotpVerify, { userId, otp: right })).toMatchObject({
      type: 'general_rate_limit_exceeded',
      retryAfterSeconds: 30,
    });
    // the email factor of the same account is not affected
    const view = await create(userId, 'e');
    expect(
      await h.call(MfaPattern.ChallengeVerify, { userId, sessionId: 'e', challengeId: view.id, otp: await h.codeOf(view.id) }),
    ).toEqual({ factor: 'email', enrolledBySession: false });
  });

  /**
   * `n` wrong email codes as in {@link failEmail}, waiting out every timed lockout (the test clock moves
   * past MFA_LOCKOUT_MAX_SECONDS after each run of 10); returns each refusal's type and signal.
   */
  async function failEmailPastLockouts(userId: string, n: number): Promise<Array<{ type: string; signal?: string }>> {
    const outcomes: Array<{ type: string; signal?: string }> = [];
    for (let done = 0; done < n;) {
      // a run of up to 10 over fresh challenges (at most 4 wrong codes each), then past every lockout
      for (let inRun = 0; inRun < 10 && done < n;) {
        const sessionId = `hard-${done}`;
        const view = await create(userId, sessionId);
        const code = await h.codeOf(view.id);
        for (let i = 0; i < 4 && inRun < 10 && done < n; i++, inRun++, done++) {
          const error = await h.fail(MfaPattern.ChallengeVerify, { userId, sessionId, challengeId: view.id, otp: wrong(code) });
          outcomes.push(error.signal ? { type: error.type, signal: error.signal } : { type: error.type });
        }
      }
      h.clock.advance((h.config.MFA_LOCKOUT_MAX_SECONDS + 1) * 1000);
    }
    return outcomes;
  }

  /** A user with a verified TOTP authenticator, enrolled two minutes back on the test clock. */
  async function totpUser(): Promise<{ userId: string; secret: string }> {
    const { userId } = newUser();
    const { secret } = await h.call(MfaPattern.TotpCreate, { userId, accountName: 'bob@example.com', issuer: 'Twostep Test' });
    const [enrollCode] = oracleCodes([{ secret, epoch: h.clock.epochSeconds - 120 }]);
    h.clock.advance(-120_000);
    await h.call(MfaPattern.TotpVerify, { userId, otp: enrollCode });
    h.clock.advance(120_000);
    return { userId, secret };
  }

  it('after MFA_FAILURE_HARD_LIMIT consecutive failures a factor stays locked however long one waits; the account holder is signalled once, at the first lockout', async () => {
    expect(h.config.MFA_FAILURE_HARD_LIMIT).toBe(100);
    const { userId, secret } = await totpUser();
    const start = h.clock.now().getTime();
    try {
      const outcomes = await failEmailPastLockouts(userId, 100);
      expect(outcomes.every((o) => o.type === 'user_invalid_token')).toBe(true);
      // one signal for the whole run: at the 10th failure (the first lockout), not at the 20th, 30th, ...
      expect(outcomes.flatMap((o, i) => (o.signal ? [[i + 1, o.signal]] : []))).toEqual([[10, 'factor-locked']]);
      expect(await budget(userId, 'email')).toMatchObject({ failures: 100 });

      // a week later the right code is still refused, with no Retry-After (waiting does not help)
      h.clock.advance(7 * 86_400_000);
      const view = await create(userId, 'week-later');
      const code = await h.codeOf(view.id);
      const locked = await h.fail(MfaPattern.ChallengeVerify, { userId, sessionId: 'week-later', challengeId: view.id, otp: code });
      expect(locked.type).toBe('general_rate_limit_exceeded');
      expect(locked.retryAfterSeconds).toBeUndefined();
      expect(
        (
          await h.sql<{ failures: number }>('SELECT failures FROM mfa.failure_budgets WHERE user_id = $1 AND factor = $2', [
            userId,
            'email',
          ])
        )[0].failures,
      ).toBe(100);

      // the user recovers with another factor: a TOTP challenge clears the hard lock
      const totp = await h.call(MfaPattern.ChallengeCreate, { userId, sessionId: 'week-later', factor: 'totp' });
      const [right] = oracleCodes([{ secret, epoch: h.clock.epochSeconds }]);
      expect(await h.call(MfaPattern.ChallengeVerify, { userId, sessionId: 'week-later', challengeId: totp.id, otp: right })).toMatchObject(
        { factor: 'totp' },
      );
      expect(await h.call(MfaPattern.ChallengeVerify, { userId, sessionId: 'week-later', challengeId: view.id, otp: code })).toMatchObject({
        factor: 'email',
      });
      // a new run signals again at its first lockout
      const again = await failEmailPastLockouts(userId, 10);
      expect(again[9]).toEqual({ type: 'user_invalid_token', signal: 'factor-locked' });
    } finally {
      h.clock.set(start);
    }
  }, 120_000);

  it("an administrator's unlock (LockoutsClear) ends a hard lock and every timed one", async () => {
    const { userId } = newUser();
    const start = h.clock.now().getTime();
    try {
      await failEmailPastLockouts(userId, 100);
      const view = await create(userId, 'admin');
      const code = await h.codeOf(view.id);
      expect((await h.fail(MfaPattern.ChallengeVerify, { userId, sessionId: 'admin', challengeId: view.id, otp: code })).type).toBe(
        'general_rate_limit_exceeded',
      );
      expect(await h.call(MfaPattern.LockoutsClear, { userId })).toEqual({ cleared: 2 });
      expect(await h.call(MfaPattern.ChallengeVerify, { userId, sessionId: 'admin', challengeId: view.id, otp: code })).toMatchObject({
        factor: 'email',
      });
      expect(await h.call(MfaPattern.LockoutsClear, { userId })).toEqual({ cleared: 0 });
    } finally {
      h.clock.set(start);
    }
  }, 120_000);

  it('times every handled RPC by pattern and outcome; a wrong code is refused, not a service error', async () => {
    const metrics = await h.metrics();
    expect(metrics).toMatch(/mfa_rpc_duration_seconds_count\{[^}]*pattern="mfa\.v1\.[a-z.]+",outcome="ok"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/mfa_rpc_duration_seconds_count\{[^}]*pattern="mfa\.v1\.challenge\.verify",outcome="refused"[^}]*\} [1-9]/);
    expect(metrics).not.toMatch(/mfa_rpc_duration_seconds_count\{[^}]*outcome="error"/);
  });

  it('counts lockouts in the metrics', async () => {
    const metrics = await h.metrics();
    expect(metrics).toMatch(/mfa_lockouts_total\{factor="email",kind="timed"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/mfa_verification_failures_total\{factor="email",reason="locked"[^}]*\} [1-9]/);
  });
});
