import { MfaPattern } from '@twostep/contracts';
import { MfaServiceHarness, newUser } from './support/mfa-service.harness';
import { oracleCodes } from './support/totp-oracle';

const STEP = 30;

describe('TOTP authenticators and TOTP challenges (real TCP transport, Postgres, Redis)', () => {
  let h: MfaServiceHarness;

  beforeAll(async () => {
    h = await MfaServiceHarness.start('totp');
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  /** The code an authenticator app shows `steps` steps from the test clock (computed by the independent oracle). */
  const codeAt = (secret: string, steps = 0) => oracleCodes([{ secret, epoch: h.clock.epochSeconds + steps * STEP }])[0];

  async function enroll(userId: string): Promise<string> {
    const { secret } = await h.call(MfaPattern.TotpCreate, { userId, accountName: 'alice@example.com', issuer: 'Twostep Test' });
    return secret;
  }

  /** An enrolled, verified authenticator; enrollment happens 10 steps in the past, so the present steps are unused. */
  async function verifiedUser(): Promise<{ userId: string; session: () => string; secret: string }> {
    const u = newUser();
    h.clock.advance(-10 * STEP * 1000);
    const secret = await enroll(u.userId);
    await h.call(MfaPattern.TotpVerify, { userId: u.userId, otp: codeAt(secret) });
    h.clock.advance(10 * STEP * 1000);
    return { ...u, secret };
  }

  async function totpChallenge(userId: string, sessionId: string): Promise<string> {
    return (await h.call(MfaPattern.ChallengeCreate, { userId, sessionId, factor: 'totp' })).id;
  }

  it('creates an unverified authenticator: 160-bit secret, otpauth URI with the issuer in label and parameter', async () => {
    const { userId } = newUser();
    const res = await h.call(MfaPattern.TotpCreate, { userId, accountName: 'alice@example.com', issuer: 'Twostep Test' });
    expect(res.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(res.uri).toBe(
      `otpauth://totp/Twostep%20Test:alice%40example.com?secret=${res.secret}&issuer=Twostep%20Test&algorithm=SHA1&digits=6&period=30`,
    );
    expect(await h.call(MfaPattern.FactorsGet, { userId })).toEqual({ totp: false, recoveryCode: false });
  });

  it('verifies enrollment with the current code, after which the totp factor counts', async () => {
    const { userId } = newUser();
    const secret = await enroll(userId);
    expect(await h.call(MfaPattern.TotpVerify, { userId, otp: codeAt(secret) })).toEqual({ verified: true });
    expect(await h.call(MfaPattern.FactorsGet, { userId })).toEqual({ totp: true, recoveryCode: false });
  });

  it('refuses a wrong enrollment code with user_invalid_token and leaves the authenticator unverified', async () => {
    const { userId } = newUser();
    const secret = await enroll(userId);
    const wrong = codeAt(secret, 5);
    expect((await h.fail(MfaPattern.TotpVerify, { userId, otp: wrong })).type).toBe('user_invalid_token');
    expect((await h.fail(MfaPattern.TotpVerify, { userId, otp: '12345' })).type).toBe('user_invalid_token');
    expect((await h.call(MfaPattern.FactorsGet, { userId })).totp).toBe(false);
  });

  it('answers 404 to TotpVerify without an authenticator and 409 once it is verified', async () => {
    const { userId } = newUser();
    expect((await h.fail(MfaPattern.TotpVerify, { userId, otp: '123456' })).type).toBe('user_authenticator_not_found');
    const secret = await enroll(userId);
    await h.call(MfaPattern.TotpVerify, { userId, otp: codeAt(secret) });
    expect((await h.fail(MfaPattern.TotpVerify, { userId, otp: codeAt(secret, 1) })).type).toBe('user_authenticator_already_verified');
  });

  it('refuses TotpCreate with 409 and no secret or URI when a verified authenticator exists', async () => {
    const { userId } = await verifiedUser();
    const error = await h.fail(MfaPattern.TotpCreate, { userId, accountName: 'alice@example.com', issuer: 'Twostep Test' });
    expect(error.type).toBe('user_authenticator_already_verified');
    expect(JSON.stringify(error)).not.toMatch(/otpauth|secret=/);
    expect(Object.keys(error).sort()).toEqual(['kind', 'message', 'type']);
  });

  it('replaces an unverified authenticator on a second create: the first secret stops working', async () => {
    const { userId } = newUser();
    const first = await enroll(userId);
    const second = await enroll(userId);
    expect(second).not.toBe(first);
    expect((await h.fail(MfaPattern.TotpVerify, { userId, otp: codeAt(first) })).type).toBe('user_invalid_token');
    expect(await h.call(MfaPattern.TotpVerify, { userId, otp: codeAt(second) })).toEqual({ verified: true });
  });

  it.each([
    ['T-1', -1],
    ['T', 0],
    ['T+1', 1],
  ])('accepts the code of step %s on a totp challenge', async (_name, delta) => {
    const u = await verifiedUser();
    const id = await totpChallenge(u.userId, 'session1');
    expect(
      await h.call(MfaPattern.ChallengeVerify, { userId: u.userId, sessionId: 'session1', challengeId: id, otp: codeAt(u.secret, delta) }),
    ).toEqual({ factor: 'totp', enrolledBySession: false });
  });

  it.each([
    ['T-2', -2],
    ['T+2', 2],
  ])('rejects the code of step %s', async (_name, delta) => {
    const u = await verifiedUser();
    const id = await totpChallenge(u.userId, 'session1');
    expect(
      (await h.fail(MfaPattern.ChallengeVerify, { userId: u.userId, sessionId: 'session1', challengeId: id, otp: codeAt(u.secret, delta) }))
        .type,
    ).toBe('user_invalid_token');
  });

  it('rejects a step that was already accepted: the same code on a new challenge, T-1 after T, and T again one step later', async () => {
    const u = await verifiedUser();
    const s = u.session();
    const verify = async (steps: number) =>
      h.outcome(MfaPattern.ChallengeVerify, {
        userId: u.userId,
        sessionId: s,
        challengeId: await totpChallenge(u.userId, s),
        otp: codeAt(u.secret, steps),
      });
    expect(await verify(0)).toBe('ok');
    expect(await verify(0)).toBe('user_invalid_token');
    expect(await verify(-1)).toBe('user_invalid_token');
    h.clock.advance(STEP * 1000);
    // T is now T-1: inside the window, but already used
    expect(await verify(-1)).toBe('user_invalid_token');
    expect(await verify(0)).toBe('ok');
    h.clock.advance(-STEP * 1000);
  });

  it('does not accept the enrollment code again on a challenge', async () => {
    const { userId, session } = newUser();
    const secret = await enroll(userId);
    const code = codeAt(secret);
    await h.call(MfaPattern.TotpVerify, { userId, otp: code });
    const s = session();
    expect(
      (await h.fail(MfaPattern.ChallengeVerify, { userId, sessionId: s, challengeId: await totpChallenge(userId, s), otp: code })).type,
    ).toBe('user_invalid_token');
  });

  it('flags a replayed step for auth-api to notify the holder, and a plain wrong code not', async () => {
    const u = await verifiedUser();
    const s = u.session();
    expect(
      await h.outcome(MfaPattern.ChallengeVerify, {
        userId: u.userId,
        sessionId: s,
        challengeId: await totpChallenge(u.userId, s),
        otp: codeAt(u.secret, 0),
      }),
    ).toBe('ok');
    const replay = await h.fail(MfaPattern.ChallengeVerify, {
      userId: u.userId,
      sessionId: s,
      challengeId: await totpChallenge(u.userId, s),
      otp: codeAt(u.secret, 0),
    });
    expect(replay).toMatchObject({ type: 'user_invalid_token', signal: 'totp-replay' });
    const wrong = await h.fail(MfaPattern.ChallengeVerify, {
      userId: u.userId,
      sessionId: s,
      challengeId: await totpChallenge(u.userId, s),
      otp: codeAt(u.secret, 7),
    });
    expect(wrong.type).toBe('user_invalid_token');
    expect(wrong.signal).toBeUndefined();
  });

  it('accepts one valid code sent concurrently from two sessions exactly once', async () => {
    const u = await verifiedUser();
    const s1 = u.session();
    const s2 = u.session();
    const [c1, c2] = [await totpChallenge(u.userId, s1), await totpChallenge(u.userId, s2)];
    const code = codeAt(u.secret);
    const outcomes = await h.race([
      [MfaPattern.ChallengeVerify, { userId: u.userId, sessionId: s1, challengeId: c1, otp: code }],
      [MfaPattern.ChallengeVerify, { userId: u.userId, sessionId: s2, challengeId: c2, otp: code }],
    ]);
    expect(outcomes.sort()).toEqual(['ok', 'user_invalid_token']);
  });

  it('never completes a totp challenge with an unverified authenticator', async () => {
    const { userId } = newUser();
    const secret = await enroll(userId);
    const id = await totpChallenge(userId, 'sess');
    expect((await h.fail(MfaPattern.ChallengeVerify, { userId, sessionId: 'sess', challengeId: id, otp: codeAt(secret) })).type).toBe(
      'user_invalid_token',
    );
  });

  it('binds a totp challenge to its user and session', async () => {
    const a = await verifiedUser();
    const b = await verifiedUser();
    const s = a.session();
    const id = await totpChallenge(a.userId, s);
    expect(
      (await h.fail(MfaPattern.ChallengeVerify, { userId: b.userId, sessionId: s, challengeId: id, otp: codeAt(b.secret) })).type,
    ).toBe('user_invalid_token');
    expect(
      (await h.fail(MfaPattern.ChallengeVerify, { userId: a.userId, sessionId: a.session(), challengeId: id, otp: codeAt(a.secret) })).type,
    ).toBe('user_invalid_token');
    expect(await h.call(MfaPattern.ChallengeVerify, { userId: a.userId, sessionId: s, challengeId: id, otp: codeAt(a.secret) })).toEqual({
      factor: 'totp',
      enrolledBySession: false,
    });
  });

  it("records the session that verified the authenticator: a TOTP challenge it completes reports enrolledBySession, any other session's does not", async () => {
    const u = newUser();
    const enroller = u.session();
    h.clock.advance(-10 * STEP * 1000);
    const secret = await enroll(u.userId);
    await h.call(MfaPattern.TotpVerify, { userId: u.userId, otp: codeAt(secret), sessionId: enroller });
    h.clock.advance(10 * STEP * 1000);
    const own = await totpChallenge(u.userId, enroller);
    expect(
      await h.call(MfaPattern.ChallengeVerify, { userId: u.userId, sessionId: enroller, challengeId: own, otp: codeAt(secret) }),
    ).toEqual({ factor: 'totp', enrolledBySession: true });
    const other = u.session();
    const theirs = await totpChallenge(u.userId, other);
    expect(
      await h.call(MfaPattern.ChallengeVerify, { userId: u.userId, sessionId: other, challengeId: theirs, otp: codeAt(secret, 1) }),
    ).toEqual({ factor: 'totp', enrolledBySession: false });
  });

  it('deletes the authenticator (404 when there is none) and the factor with it', async () => {
    const u = await verifiedUser();
    expect(await h.call(MfaPattern.TotpDelete, { userId: u.userId })).toEqual({ deleted: true });
    expect((await h.call(MfaPattern.FactorsGet, { userId: u.userId })).totp).toBe(false);
    expect((await h.fail(MfaPattern.TotpDelete, { userId: u.userId })).type).toBe('user_authenticator_not_found');
    const s = u.session();
    expect(
      (
        await h.fail(MfaPattern.ChallengeVerify, {
          userId: u.userId,
          sessionId: s,
          challengeId: await totpChallenge(u.userId, s),
          otp: codeAt(u.secret),
        })
      ).type,
    ).toBe('user_invalid_token');
  });

  it('stores the TOTP secret only as AES-GCM ciphertext with a key id', async () => {
    const { userId } = newUser();
    const secret = await enroll(userId);
    const rows = await h.sql<{ secret_encrypted: string }>('SELECT secret_encrypted FROM mfa.totp_authenticators WHERE user_id = $1', [
      userId,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0].secret_encrypted).toMatch(/^v1\.[^.]+\.[^.]+\.[^.]+\.[^.]+$/);
    const everything = JSON.stringify(await h.sql('SELECT * FROM mfa.totp_authenticators'));
    expect(everything).not.toContain(secret);
    expect(everything.toLowerCase()).not.toContain(secret.toLowerCase());
  });

  it('never logs a TOTP secret, URI or code', async () => {
    const { userId } = newUser();
    const secret = await enroll(userId);
    const code = codeAt(secret);
    await h.call(MfaPattern.TotpVerify, { userId, otp: code });
    const logs = h.logs.join('\n');
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain('otpauth');
    expect(logs).not.toMatch(new RegExp(`(?<![0-9A-Za-z])${code}(?![0-9A-Za-z])`));
  });
});
