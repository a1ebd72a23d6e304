import { MfaPattern } from '@twostep/contracts';
import { Sql } from '@twostep/persistence';
import { MfaServiceHarness, newUser } from './support/mfa-service.harness';
import { oracleCodes } from './support/totp-oracle';

const STEP = 30;
const delivery = { destination: 'alice@example.com', userName: 'Alice', locale: 'en-GB', projectName: 'Twostep Test' };

/**
 * SQL round trips of the sign-in path (issue 15), counted on the one query helper every repository uses:
 * creating a challenge is one statement; completing one is a read and a conditional write.
 */
describe('SQL statements per challenge operation (real Postgres)', () => {
  let h: MfaServiceHarness;
  let statements: string[] = [];
  let stop: () => void;

  beforeAll(async () => {
    h = await MfaServiceHarness.start('roundtrips');
    stop = h.service.app.get(Sql).onStatement((text) => statements.push(text));
  }, 60_000);
  afterAll(async () => {
    stop?.();
    await h?.stop();
  });

  /** The statements one call sends (its outcome: 'ok' or the error type). */
  async function counted(pattern: keyof typeof MfaPattern, request: unknown): Promise<{ outcome: string; n: number }> {
    statements = [];
    const outcome = await h.outcome(MfaPattern[pattern], request);
    return { outcome, n: statements.length };
  }

  const codeAt = (secret: string, steps = 0) => oracleCodes([{ secret, epoch: h.clock.epochSeconds + steps * STEP }])[0];

  it('TOTP: create 1, right code 2, wrong code 2', async () => {
    const { userId, session } = newUser();
    h.clock.advance(-10 * STEP * 1000);
    const { secret } = await h.call(MfaPattern.TotpCreate, { userId, accountName: 'a@example.com', issuer: 'T' });
    await h.call(MfaPattern.TotpVerify, { userId, otp: codeAt(secret) });
    h.clock.advance(10 * STEP * 1000);
    const sessionId = session();
    statements = [];
    const { id } = await h.call(MfaPattern.ChallengeCreate, { userId, sessionId, factor: 'totp' });
    const create = statements.length;
    const wrong = await counted('ChallengeVerify', { userId, sessionId, challengeId: id, otp: codeAt(secret, 5) });
    const right = await counted('ChallengeVerify', { userId, sessionId, challengeId: id, otp: codeAt(secret) });
    expect({ create, wrong: wrong.n, right: right.n }).toEqual({ create: 1, wrong: 2, right: 2 });
    expect([wrong.outcome, right.outcome]).toEqual(['user_invalid_token', 'ok']);
  });

  it('email: create 1, right code 2, wrong code 2', async () => {
    const { userId, session } = newUser();
    const sessionId = session();
    await h.call(MfaPattern.ChallengeCreate, { userId, sessionId, factor: 'email', delivery });
    statements = [];
    const { id } = await h.call(MfaPattern.ChallengeCreate, { userId, sessionId, factor: 'email', delivery });
    const create = statements.length;
    const code = await h.codeOf(id);
    const wrong = await counted('ChallengeVerify', {
      userId,
      sessionId,
      challengeId: id,
      otp: String((Number(code) + 1) % 1e6).padStart(6, '0'),
    });
    const right = await counted('ChallengeVerify', { userId, sessionId, challengeId: id, otp: code });
    expect({ create, wrong: wrong.n, right: right.n }).toEqual({ create: 1, wrong: 2, right: 2 });
    expect([wrong.outcome, right.outcome]).toEqual(['user_invalid_token', 'ok']);
  });

  it("a user's factors: one statement", async () => {
    expect(await counted('FactorsGet', { userId: newUser().userId })).toEqual({ outcome: 'ok', n: 1 });
  });

  it('a locked factor: refused after the read alone', async () => {
    const { userId, session } = newUser();
    const sessionId = session();
    const { id } = await h.call(MfaPattern.ChallengeCreate, { userId, sessionId, factor: 'email', delivery });
    const code = await h.codeOf(id);
    await h.sql(`INSERT INTO mfa.failure_budgets (user_id, factor, failures, locked_until, updated_at) VALUES ($1, 'email', 10, $2, $3)`, [
      userId,
      new Date(h.clock.now().getTime() + 60_000),
      h.clock.now(),
    ]);
    const locked = await counted('ChallengeVerify', { userId, sessionId, challengeId: id, otp: code });
    expect(locked).toEqual({ outcome: 'general_rate_limit_exceeded', n: 1 });
  });

  it('recovery code: create 1, right code 2, wrong code 2', async () => {
    const { userId, session } = newUser();
    const sessionId = session();
    const { recoveryCodes } = await h.call(MfaPattern.RecoveryCodesCreate, { userId });
    statements = [];
    const { id } = await h.call(MfaPattern.ChallengeCreate, { userId, sessionId, factor: 'recoveryCode' });
    const create = statements.length;
    const wrong = await counted('ChallengeVerify', { userId, sessionId, challengeId: id, otp: '0123456789abcdef' });
    const right = await counted('ChallengeVerify', { userId, sessionId, challengeId: id, otp: recoveryCodes[3] });
    expect({ create, wrong: wrong.n, right: right.n }).toEqual({ create: 1, wrong: 2, right: 2 });
    expect([wrong.outcome, right.outcome]).toEqual(['user_invalid_token', 'ok']);
  });
});
