import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { runMigrations, Sql } from '@twostep/persistence';
import { createTestDatabase, TestDatabase } from '@twostep/testing';
import { mfaDataSourceOptions } from '../index';
import { ChallengeRepository, NewChallenge } from './challenge.repository';
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

  describe('ChallengeRepository.complete with a TOTP step', () => {
    it('refuses a step equal to the last accepted step and leaves the challenge open', async () => {
      const { userId, authenticatorId } = await verifiedAuthenticator(1000);
      const challengeId = await openChallenge(userId, 'totp');
      const r = await challenges.complete({
        id: challengeId,
        userId,
        factor: 'totp',
        now: at(1),
        spend: { kind: 'totpStep', authenticatorId, step: 1000 },
      });
      expect(r.consumed).toBe(false);
      expect(await state(challengeId)).toBe('open');
      expect((await totp.find(userId))?.lastStep).toBe(1000);
    });

    it('refuses a step below the last accepted step', async () => {
      const { userId, authenticatorId } = await verifiedAuthenticator(1000);
      const challengeId = await openChallenge(userId, 'totp');
      const r = await challenges.complete({
        id: challengeId,
        userId,
        factor: 'totp',
        now: at(1),
        spend: { kind: 'totpStep', authenticatorId, step: 999 },
      });
      expect(r.consumed).toBe(false);
      expect(await state(challengeId)).toBe('open');
      expect((await totp.find(userId))?.lastStep).toBe(1000);
    });

    it('accepts a newer step once: the same step on a second challenge is refused', async () => {
      const { userId, authenticatorId } = await verifiedAuthenticator(1000);
      const first = await openChallenge(userId, 'totp');
      const second = await openChallenge(userId, 'totp');
      const spend = { kind: 'totpStep' as const, authenticatorId, step: 1001 };
      expect((await challenges.complete({ id: first, userId, factor: 'totp', now: at(1), spend })).consumed).toBe(true);
      expect(await state(first)).toBe('consumed');
      expect((await totp.find(userId))?.lastStep).toBe(1001);
      expect((await challenges.complete({ id: second, userId, factor: 'totp', now: at(2), spend })).consumed).toBe(false);
      expect(await state(second)).toBe('open');
    });
  });

  describe('ChallengeRepository.reserveAttempt', () => {
    it('returns null on a challenge that has used all its attempts', async () => {
      const challengeId = await openChallenge(`u-${id()}`, 'email');
      const taken: Array<number | null> = [];
      for (let i = 0; i < MAX_ATTEMPTS; i++) taken.push(await challenges.reserveAttempt(challengeId, at(1), MAX_ATTEMPTS));
      expect(taken).toEqual([1, 2, 3, 4, 5]);
      expect(await challenges.reserveAttempt(challengeId, at(2), MAX_ATTEMPTS)).toBeNull();
      expect((await challenges.find(challengeId))?.attempts).toBe(MAX_ATTEMPTS);
    });

    it('grants exactly the limit among many concurrent attempts on one challenge', async () => {
      const challengeId = await openChallenge(`u-${id()}`, 'email');
      const results = await Promise.all(
        Array.from({ length: 4 * MAX_ATTEMPTS }, () => challenges.reserveAttempt(challengeId, at(1), MAX_ATTEMPTS)),
      );
      const granted = results.filter((r): r is number => r !== null).sort((a, b) => a - b);
      expect(granted).toEqual([1, 2, 3, 4, 5]);
      expect((await challenges.find(challengeId))?.attempts).toBe(MAX_ATTEMPTS);
    });

    it('returns null on an expired challenge', async () => {
      const challengeId = await openChallenge(`u-${id()}`, 'email', 60_000);
      expect(await challenges.reserveAttempt(challengeId, at(60_000), MAX_ATTEMPTS)).toBeNull();
      expect((await challenges.find(challengeId))?.attempts).toBe(0);
    });
  });

  describe('ChallengeRepository.complete with a recovery code', () => {
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
      expect(await challenges.complete({ id: first, userId, factor: 'recoveryCode', now: at(1), spend })).toEqual({
        consumed: true,
        recoveryCodesLeft: 2,
      });
      const second = await openChallenge(userId, 'recoveryCode');
      expect(await challenges.complete({ id: second, userId, factor: 'recoveryCode', now: at(2), spend })).toEqual({ consumed: false });
      expect(await state(second)).toBe('open');
      expect(await recoveryCodes.countUnused(userId)).toBe(2);
    });

    it("refuses another user's code", async () => {
      const owner = await userWithCodes();
      const other = await userWithCodes();
      const challengeId = await openChallenge(other.userId, 'recoveryCode');
      const r = await challenges.complete({
        id: challengeId,
        userId: other.userId,
        factor: 'recoveryCode',
        now: at(1),
        spend: { kind: 'recoveryCode', codeId: owner.codeIds[0] },
      });
      expect(r.consumed).toBe(false);
      expect(await recoveryCodes.countUnused(owner.userId)).toBe(3);
    });
  });

  describe('ChallengeRepository.complete on an expired challenge', () => {
    it('does not consume an open challenge once its expiry has passed', async () => {
      const userId = `u-${id()}`;
      const challengeId = await openChallenge(userId, 'email', 60_000);
      expect((await challenges.complete({ id: challengeId, userId, factor: 'email', now: at(60_001) })).consumed).toBe(false);
      expect(await state(challengeId)).toBe('open');
    });

    it('treats the expiry instant itself as expired', async () => {
      const userId = `u-${id()}`;
      const challengeId = await openChallenge(userId, 'email', 60_000);
      expect((await challenges.complete({ id: challengeId, userId, factor: 'email', now: at(60_000) })).consumed).toBe(false);
      expect((await challenges.complete({ id: challengeId, userId, factor: 'email', now: at(59_999) })).consumed).toBe(true);
    });

    it('does not consume an expired TOTP challenge even with a fresh step', async () => {
      const { userId, authenticatorId } = await verifiedAuthenticator(1000);
      const challengeId = await openChallenge(userId, 'totp', 60_000);
      const r = await challenges.complete({
        id: challengeId,
        userId,
        factor: 'totp',
        now: at(120_000),
        spend: { kind: 'totpStep', authenticatorId, step: 1001 },
      });
      expect(r.consumed).toBe(false);
      expect(await state(challengeId)).toBe('open');
    });
  });

  describe('ChallengeRepository.complete on a closed challenge', () => {
    it('consumes a challenge only once', async () => {
      const userId = `u-${id()}`;
      const challengeId = await openChallenge(userId, 'email');
      const results = await Promise.all(
        Array.from({ length: 10 }, () => challenges.complete({ id: challengeId, userId, factor: 'email', now: at(1) })),
      );
      expect(results.filter((r) => r.consumed)).toHaveLength(1);
      expect((await challenges.complete({ id: challengeId, userId, factor: 'email', now: at(2) })).consumed).toBe(false);
    });
  });
});
