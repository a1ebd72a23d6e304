import { MfaPattern } from '@twostep/contracts';
import { MfaServiceHarness, newUser } from './support/mfa-service.harness';

describe('recovery codes (real TCP transport, Postgres, Redis)', () => {
  let h: MfaServiceHarness;

  beforeAll(async () => {
    h = await MfaServiceHarness.start('recovery');
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  async function useCode(userId: string, sessionId: string, otp: string): Promise<string> {
    const { id } = await h.call(MfaPattern.ChallengeCreate, { userId, sessionId, factor: 'recoverycode' });
    return h.outcome(MfaPattern.ChallengeVerify, { userId, sessionId, challengeId: id, otp });
  }

  it('creates 10 distinct 64-bit codes once; 409 while unused codes exist; reads them back', async () => {
    const { userId } = newUser();
    expect((await h.fail(MfaPattern.RecoveryCodesGet, { userId })).type).toBe('user_recovery_codes_not_found');
    const { recoveryCodes } = await h.call(MfaPattern.RecoveryCodesCreate, { userId });
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const c of recoveryCodes) expect(c).toMatch(/^[0-9a-f]{16}$/);
    expect((await h.fail(MfaPattern.RecoveryCodesCreate, { userId })).type).toBe('user_recovery_codes_already_exists');
    expect(await h.call(MfaPattern.RecoveryCodesGet, { userId })).toEqual({ recoveryCodes });
    expect(await h.call(MfaPattern.FactorsGet, { userId })).toEqual({ totp: false, recoveryCode: true });
  });

  it("records the session that created (or regenerated) the set: a code it uses reports enrolledBySession, another session's does not", async () => {
    const { userId, session } = newUser();
    const creator = session();
    const { recoveryCodes } = await h.call(MfaPattern.RecoveryCodesCreate, { userId, sessionId: creator });
    const verify = async (sessionId: string, otp: string) => {
      const { id } = await h.call(MfaPattern.ChallengeCreate, { userId, sessionId, factor: 'recoveryCode' });
      return h.call(MfaPattern.ChallengeVerify, { userId, sessionId, challengeId: id, otp });
    };
    expect(await verify(creator, recoveryCodes[0])).toMatchObject({ factor: 'recoveryCode', enrolledBySession: true });
    expect(await verify(session(), recoveryCodes[1])).toMatchObject({ factor: 'recoveryCode', enrolledBySession: false });
    const regenerator = session();
    const fresh = (await h.call(MfaPattern.RecoveryCodesRegenerate, { userId, sessionId: regenerator })).recoveryCodes;
    expect(await verify(creator, fresh[0])).toMatchObject({ enrolledBySession: false });
    expect(await verify(regenerator, fresh[1])).toMatchObject({ enrolledBySession: true });
  });

  it('accepts a code once, reports how many are left, and never accepts it again on any challenge or session', async () => {
    const { userId, session } = newUser();
    const { recoveryCodes } = await h.call(MfaPattern.RecoveryCodesCreate, { userId });
    const s = session();
    const { id } = await h.call(MfaPattern.ChallengeCreate, { userId, sessionId: s, factor: 'recoveryCode' });
    expect(await h.call(MfaPattern.ChallengeVerify, { userId, sessionId: s, challengeId: id, otp: recoveryCodes[3] })).toEqual({
      factor: 'recoveryCode',
      recoveryCodesLeft: 9,
      enrolledBySession: false,
    });
    expect(await useCode(userId, s, recoveryCodes[3])).toBe('user_invalid_token');
    expect(await useCode(userId, session(), recoveryCodes[3])).toBe('user_invalid_token');
    const left = (await h.call(MfaPattern.RecoveryCodesGet, { userId })).recoveryCodes;
    expect(left).toHaveLength(9);
    expect(left).not.toContain(recoveryCodes[3]);
  });

  it('accepts codes as typed: surrounding spaces, upper case, dashes and inner spaces', async () => {
    const { userId } = newUser();
    const { recoveryCodes } = await h.call(MfaPattern.RecoveryCodesCreate, { userId });
    const c = recoveryCodes[0];
    const typed = ` ${c.slice(0, 4).toUpperCase()}-${c.slice(4, 8)} ${c.slice(8, 12)}-${c.slice(12).toUpperCase()} `;
    expect(await useCode(userId, 's', typed)).toBe('ok');
    expect(await useCode(userId, 's', c)).toBe('user_invalid_token');
  });

  it('consumes one recovery code exactly once among 20 concurrent requests', async () => {
    const { userId } = newUser();
    const { recoveryCodes } = await h.call(MfaPattern.RecoveryCodesCreate, { userId });
    const challenges: Array<{ sessionId: string; challengeId: string }> = [];
    for (let i = 0; i < 20; i++) {
      const sessionId = `s${i}`;
      challenges.push({
        sessionId,
        challengeId: (await h.call(MfaPattern.ChallengeCreate, { userId, sessionId, factor: 'recoveryCode' })).id,
      });
    }
    const outcomes = await h.race(challenges.map((c) => [MfaPattern.ChallengeVerify, { userId, ...c, otp: recoveryCodes[0] }]));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    // the others lost the race (401) or, past 10 attempts counted at once, met the lockout (429)
    expect(outcomes.filter((o) => o !== 'ok' && o !== 'user_invalid_token' && o !== 'general_rate_limit_exceeded')).toEqual([]);
    const rows = await h.sql<{ n: number }>(
      'SELECT count(*)::int AS n FROM mfa.recovery_codes WHERE user_id = $1 AND used_at IS NOT NULL',
      [userId],
    );
    expect(rows[0].n).toBe(1);
  });

  it('regenerates a new set that voids every old code; 404 when there are none', async () => {
    const { userId } = newUser();
    expect((await h.fail(MfaPattern.RecoveryCodesRegenerate, { userId })).type).toBe('user_recovery_codes_not_found');
    const old = (await h.call(MfaPattern.RecoveryCodesCreate, { userId })).recoveryCodes;
    const fresh = (await h.call(MfaPattern.RecoveryCodesRegenerate, { userId })).recoveryCodes;
    expect(fresh).toHaveLength(10);
    expect(fresh.filter((c) => old.includes(c))).toEqual([]);
    expect(await h.call(MfaPattern.RecoveryCodesGet, { userId })).toEqual({ recoveryCodes: fresh });
    expect(await useCode(userId, 's', old[0])).toBe('user_invalid_token');
    expect(await useCode(userId, 's', fresh[0])).toBe('ok');
  });

  it('allows a new set once every code was used, and not before', async () => {
    const { userId } = newUser();
    const codes = (await h.call(MfaPattern.RecoveryCodesCreate, { userId })).recoveryCodes;
    for (const [i, c] of codes.entries()) {
      expect((await h.fail(MfaPattern.RecoveryCodesCreate, { userId })).type).toBe('user_recovery_codes_already_exists');
      expect(await useCode(userId, `s${i}`, c)).toBe('ok');
    }
    expect((await h.fail(MfaPattern.RecoveryCodesGet, { userId })).type).toBe('user_recovery_codes_not_found');
    expect((await h.fail(MfaPattern.RecoveryCodesRegenerate, { userId })).type).toBe('user_recovery_codes_not_found');
    expect((await h.call(MfaPattern.FactorsGet, { userId })).recoveryCode).toBe(false);
    expect((await h.call(MfaPattern.RecoveryCodesCreate, { userId })).recoveryCodes).toHaveLength(10);
  });

  it('creates only one set when two creations race', async () => {
    const { userId } = newUser();
    const outcomes = await h.race([
      [MfaPattern.RecoveryCodesCreate, { userId }],
      [MfaPattern.RecoveryCodesCreate, { userId }],
    ]);
    expect(outcomes.sort()).toEqual(['ok', 'user_recovery_codes_already_exists']);
    expect((await h.sql<{ n: number }>('SELECT count(*)::int AS n FROM mfa.recovery_codes WHERE user_id = $1', [userId]))[0].n).toBe(10);
  });

  it('keeps the codes only encrypted and hashed in Postgres', async () => {
    const { userId } = newUser();
    const { recoveryCodes } = await h.call(MfaPattern.RecoveryCodesCreate, { userId });
    const rows = await h.sql<{ code_hash: string; code_encrypted: string }>(
      'SELECT code_hash, code_encrypted FROM mfa.recovery_codes WHERE user_id = $1',
      [userId],
    );
    expect(rows).toHaveLength(10);
    for (const r of rows) {
      expect(r.code_hash).toMatch(/^[^.]+\.[0-9a-f]{64}$/);
      expect(r.code_encrypted).toMatch(/^v1\./);
    }
    const dump = JSON.stringify(await h.sql('SELECT * FROM mfa.recovery_codes'));
    for (const c of recoveryCodes) expect(dump).not.toContain(c);
    const logs = h.logs.join('\n');
    for (const c of recoveryCodes) expect(logs).not.toContain(c);
  });
});
