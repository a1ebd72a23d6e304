import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { runMigrations, Sql } from '@twostep/persistence';
import { createTestDatabase, TestDatabase } from '@twostep/testing';
import { mfaDataSourceOptions } from '../index';
import { AttemptResult, ChallengeRepository, NewChallenge, Spend } from './challenge.repository';
import { FailureBudgetRepository, LockoutPolicy } from './failure-budget.repository';
import { RecoveryCodeRepository } from './recovery-code.repository';
import { TotpAuthenticatorRepository } from './totp-authenticator.repository';

/**
 * The conditional statements that make the MFA rules hold under concurrency, tested through the
 * repository API alone: no service check runs before them, so each test fails on every run when the
 * statement's own guard is removed (not only when a race happens to be lost).
 */
describe('MFA repositories enforce the rules themselves (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let challenges: ChallengeRepository;
  let recoveryCodes: RecoveryCodeRepository;
  let totp: TotpAuthenticatorRepository;
  let budgets: FailureBudgetRepository;
  const MAX_ATTEMPTS = 5;
  const t0 = new Date('2030-01-01T00:00:00.000Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);
  const id = () => randomBytes(8).toString('hex');

  beforeAll(async () => {
    db = await createTestDatabase('mfarepo');
    const options = mfaDataSourceOptions(db.url, 20);
    await runMigrations(options);
    ds = new DataSource(options);
    await ds.initialize();
    const sql = Sql.over(ds);
    challenges = new ChallengeRepository(sql);
    recoveryCodes = new RecoveryCodeRepository(sql);
    totp = new TotpAuthenticatorRepository(sql);
    budgets = new FailureBudgetRepository(sql);
  }, 60_000);

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  async function openChallenge(userId: string, factor: NewChallenge['factor'], expiresInMs = 300_000): Promise<string> {
    const challengeId = id();
    const email = factor === 'email' || factor === 'phone';
    await challenges.insert(
      {
        id: challengeId,
        userId,
        sessionId: 'session-a',
        factor,
        codeHash: email ? `k1.${'0'.repeat(64)}` : null,
        createdAt: t0,
        expiresAt: at(expiresInMs),
        deliveryChannel: factor === 'email' ? 'email' : factor === 'phone' ? 'sms' : null,
      },
      { supersede: false, purgeBefore: at(-86_400_000) },
    );
    return challengeId;
  }

  async function state(challengeId: string): Promise<string | undefined> {
    return (await challenges.find(challengeId))?.state;
  }

  /** A user with a verified authenticator whose last accepted step is `lastStep`. */
  async function verifiedAuthenticator(lastStep: number): Promise<{ userId: string; authenticatorId: string }> {
    const userId = `u-${id()}`;
    const authenticatorId = id();
    expect(await totp.upsertUnverified({ userId, authenticatorId, secretEncrypted: 'v1.sealed', now: t0 })).toBe(true);
    expect(await totp.acceptStep({ userId, authenticatorId, step: lastStep, now: t0, enrollment: true })).toBe(true);
    return { userId, authenticatorId };
  }

  /** Lockouts far away: these tests are about the challenge's own guards. */
  const policy: LockoutPolicy = { threshold: 1000, schedule: [30], accountThreshold: 1000, hardLimit: 1000 };
  function attempt(challengeId: string, userId: string, factor: string, now: Date, right: boolean, spend?: Spend): Promise<AttemptResult> {
    return challenges.attempt({ id: challengeId, userId, factor, now, maxAttempts: MAX_ATTEMPTS, policy, right, spend });
  }

  describe('ChallengeRepository.attempt with a TOTP step', () => {
    it('refuses a step equal to the last accepted step and leaves the challenge open', async () => {
      const { userId, authenticatorId } = await verifiedAuthenticator(1000);
      const challengeId = await openChallenge(userId, 'totp');
      const r = await attempt(challengeId, userId, 'totp', at(1), true, { kind: 'totpStep', authenticatorId, step: 1000 });
      expect(r.kind).toBe('failed');
      expect(await state(challengeId)).toBe('open');
      expect((await totp.find(userId))?.lastStep).toBe(1000);
    });

    it('refuses a step below the last accepted step', async () => {
      const { userId, authenticatorId } = await verifiedAuthenticator(1000);
      const challengeId = await openChallenge(userId, 'totp');
      const r = await attempt(challengeId, userId, 'totp', at(1), true, { kind: 'totpStep', authenticatorId, step: 999 });
      expect(r.kind).toBe('failed');
      expect(await state(challengeId)).toBe('open');
      expect((await totp.find(userId))?.lastStep).toBe(1000);
    });

    it('accepts a newer step once: the same step on a second challenge is refused', async () => {
      const { userId, authenticatorId } = await verifiedAuthenticator(1000);
      const first = await openChallenge(userId, 'totp');
      const second = await openChallenge(userId, 'totp');
      const spend = { kind: 'totpStep' as const, authenticatorId, step: 1001 };
      expect(await attempt(first, userId, 'totp', at(1), true, spend)).toEqual({ kind: 'consumed' });
      expect(await state(first)).toBe('consumed');
      expect((await totp.find(userId))?.lastStep).toBe(1001);
      expect((await attempt(second, userId, 'totp', at(2), true, spend)).kind).toBe('failed');
      expect(await state(second)).toBe('open');
    });
  });

  describe('ChallengeRepository.attempt counts attempts', () => {
    it('counts the limit of wrong attempts, closes the challenge at the last one, and counts no more', async () => {
      const userId = `u-${id()}`;
      const challengeId = await openChallenge(userId, 'email');
      const results: AttemptResult[] = [];
      for (let i = 0; i < MAX_ATTEMPTS; i++) results.push(await attempt(challengeId, userId, 'email', at(1), false));
      expect(results.map((r) => (r.kind === 'failed' ? r.exhausted : r.kind))).toEqual([false, false, false, false, true]);
      expect(await attempt(challengeId, userId, 'email', at(2), true)).toEqual({ kind: 'closed' });
      expect(await challenges.find(challengeId)).toMatchObject({ attempts: MAX_ATTEMPTS, state: 'exhausted' });
    });

    it('counts exactly the limit among many concurrent attempts on one challenge', async () => {
      const userId = `u-${id()}`;
      const challengeId = await openChallenge(userId, 'email');
      const results = await Promise.all(
        Array.from({ length: 4 * MAX_ATTEMPTS }, () => attempt(challengeId, userId, 'email', at(1), false)),
      );
      expect(results.filter((r) => r.kind === 'failed')).toHaveLength(MAX_ATTEMPTS);
      expect(results.filter((r) => r.kind === 'closed')).toHaveLength(3 * MAX_ATTEMPTS);
      expect((await challenges.find(challengeId))?.attempts).toBe(MAX_ATTEMPTS);
    });

    it('refuses a challenge still open whose attempts are all used (a row left by an interrupted attempt)', async () => {
      const userId = `u-${id()}`;
      const challengeId = await openChallenge(userId, 'email');
      await ds.query('UPDATE mfa.challenges SET attempts = $2 WHERE id = $1', [challengeId, MAX_ATTEMPTS]);
      expect(await attempt(challengeId, userId, 'email', at(1), true)).toEqual({ kind: 'closed' });
      expect(await challenges.find(challengeId)).toMatchObject({ attempts: MAX_ATTEMPTS, state: 'open' });
    });

    it('counts nothing on an expired challenge', async () => {
      const userId = `u-${id()}`;
      const challengeId = await openChallenge(userId, 'email', 60_000);
      expect(await attempt(challengeId, userId, 'email', at(60_000), false)).toEqual({ kind: 'closed' });
      expect((await challenges.find(challengeId))?.attempts).toBe(0);
    });

    it("counts nothing on another user's challenge", async () => {
      const challengeId = await openChallenge(`u-${id()}`, 'email');
      expect(await attempt(challengeId, `u-${id()}`, 'email', at(1), true)).toEqual({ kind: 'closed' });
      expect(await challenges.find(challengeId)).toMatchObject({ attempts: 0, state: 'open' });
    });

    it('counts nothing and consumes nothing while the factor is locked, even with a right code', async () => {
      const userId = `u-${id()}`;
      const challengeId = await openChallenge(userId, 'email');
      const lockAtOnce = { ...policy, threshold: 2 };
      expect((await budgets.reserve(userId, 'email', at(0), lockAtOnce))?.lockedUntil).toBeNull();
      expect((await budgets.reserve(userId, 'email', at(0), lockAtOnce))?.lockedUntil).toEqual(at(30_000));
      const r = await challenges.attempt({
        id: challengeId,
        userId,
        factor: 'email',
        now: at(1),
        maxAttempts: MAX_ATTEMPTS,
        policy: lockAtOnce,
        right: true,
      });
      expect(r).toEqual({ kind: 'locked', lock: { until: at(30_000), hard: false } });
      expect(await challenges.find(challengeId)).toMatchObject({ attempts: 0, state: 'open' });
    });
  });

  describe('ChallengeRepository.attempt with a recovery code', () => {
    async function userWithCodes(): Promise<{ userId: string; codeIds: string[] }> {
      const userId = `u-${id()}`;
      const codes = Array.from({ length: 3 }, (_, position) => ({
        id: id(),
        position,
        codeHash: `k1.${randomBytes(32).toString('hex')}`,
        codeEncrypted: 'v1.sealed',
      }));
      expect(await recoveryCodes.replaceAll(userId, codes, t0, 'noneUnused')).toBe(true);
      return { userId, codeIds: codes.map((c) => c.id) };
    }

    it('spends an unused code once and refuses it on every later challenge', async () => {
      const { userId, codeIds } = await userWithCodes();
      const first = await openChallenge(userId, 'recoveryCode');
      const spend = { kind: 'recoveryCode' as const, codeId: codeIds[1] };
      expect(await attempt(first, userId, 'recoveryCode', at(1), true, spend)).toEqual({ kind: 'consumed', recoveryCodesLeft: 2 });
      const second = await openChallenge(userId, 'recoveryCode');
      expect((await attempt(second, userId, 'recoveryCode', at(2), true, spend)).kind).toBe('failed');
      expect(await state(second)).toBe('open');
      expect(await recoveryCodes.countUnused(userId)).toBe(2);
    });

    it("refuses another user's code", async () => {
      const owner = await userWithCodes();
      const other = await userWithCodes();
      const challengeId = await openChallenge(other.userId, 'recoveryCode');
      const r = await attempt(challengeId, other.userId, 'recoveryCode', at(1), true, { kind: 'recoveryCode', codeId: owner.codeIds[0] });
      expect(r.kind).toBe('failed');
      expect(await recoveryCodes.countUnused(owner.userId)).toBe(3);
    });
  });

  describe('ChallengeRepository.attempt on an expired challenge', () => {
    it('does not consume an open challenge once its expiry has passed', async () => {
      const userId = `u-${id()}`;
      const challengeId = await openChallenge(userId, 'email', 60_000);
      expect((await attempt(challengeId, userId, 'email', at(60_001), true)).kind).toBe('closed');
      expect(await state(challengeId)).toBe('open');
    });

    it('treats the expiry instant itself as expired', async () => {
      const userId = `u-${id()}`;
      const challengeId = await openChallenge(userId, 'email', 60_000);
      expect((await attempt(challengeId, userId, 'email', at(60_000), true)).kind).toBe('closed');
      expect((await attempt(challengeId, userId, 'email', at(59_999), true)).kind).toBe('consumed');
    });

    it('does not consume an expired TOTP challenge even with a fresh step', async () => {
      const { userId, authenticatorId } = await verifiedAuthenticator(1000);
      const challengeId = await openChallenge(userId, 'totp', 60_000);
      const r = await attempt(challengeId, userId, 'totp', at(120_000), true, { kind: 'totpStep', authenticatorId, step: 1001 });
      expect(r.kind).toBe('closed');
      expect(await state(challengeId)).toBe('open');
      expect((await totp.find(userId))?.lastStep).toBe(1000);
    });
  });

  describe('ChallengeRepository.attempt on a closed challenge', () => {
    it('consumes a challenge only once', async () => {
      const userId = `u-${id()}`;
      const challengeId = await openChallenge(userId, 'email');
      const results = await Promise.all(Array.from({ length: 10 }, () => attempt(challengeId, userId, 'email', at(1), true)));
      expect(results.filter((r) => r.kind === 'consumed')).toHaveLength(1);
      expect((await attempt(challengeId, userId, 'email', at(2), true)).kind).toBe('closed');
    });
  });

  describe('ChallengeRepository.insert with supersede', () => {
    it('leaves exactly one open email challenge when many are created at once, and reports every one it closed', async () => {
      const userId = `u-${id()}`;
      const ids = Array.from({ length: 8 }, () => id());
      const closed = await Promise.all(
        ids.map((challengeId) =>
          challenges.insert(
            {
              id: challengeId,
              userId,
              sessionId: 'session-a',
              factor: 'email',
              codeHash: `k1.${'0'.repeat(64)}`,
              createdAt: t0,
              expiresAt: at(300_000),
              deliveryChannel: 'email',
            },
            { supersede: true, purgeBefore: at(-86_400_000) },
          ),
        ),
      );
      const states = await Promise.all(ids.map(state));
      expect(states.filter((s) => s === 'open')).toHaveLength(1);
      expect(states.filter((s) => s === 'superseded')).toHaveLength(ids.length - 1);
      expect(
        closed
          .flat()
          .map((c) => c.id)
          .sort(),
      ).toEqual(ids.filter((_, i) => states[i] === 'superseded').sort());
    });
  });
});
