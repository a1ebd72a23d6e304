import { MfaPattern } from '@twostep/contracts';
import { waitFor } from '@twostep/testing';
import { MfaServiceHarness, newUser, Pattern } from './support/mfa-service.harness';

/** Values a hostile or buggy caller might put in any field. */
const HOSTILE: unknown[] = [
  '',
  '../sms',
  '%2e%2e%2f',
  'a#b',
  'x'.repeat(10_240),
  "' OR 1=1--",
  '"; DROP TABLE mfa.challenges; --',
  '😀😀😀',
  '__proto__',
  null,
  123456,
  0,
  true,
  [],
  ['123456'],
  {},
  { $gt: '' },
  { $ne: null },
];

const BAD_OTPS: unknown[] = [
  '',
  '1',
  '0',
  '12345',
  '1234567',
  ' 123456',
  '123456 ',
  '12345a',
  '١٢٣٤٥٦',
  '１２３４５６',
  123456,
  null,
  [],
  {},
  { $gt: '' },
  'x'.repeat(10_240),
];

const CLIENT_ERRORS = new Set(['general_argument_invalid', 'user_invalid_token']);

describe('malformed RPC payloads never cause a server error (real TCP transport)', () => {
  let h: MfaServiceHarness;

  beforeAll(async () => {
    h = await MfaServiceHarness.start('malformed');
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  async function expectClientError(pattern: Pattern, payload: unknown, okToo = false): Promise<void> {
    const outcome = await h.outcome(pattern, payload);
    if (!CLIENT_ERRORS.has(outcome) && !(okToo && outcome === 'ok'))
      throw new Error(`${pattern} ${JSON.stringify(payload)?.slice(0, 200)} answered ${outcome}`);
  }

  it('answers every pattern with a malformed or missing payload with 400/401, never 5xx', async () => {
    // Ping and Heartbeat take no input
    const patterns = Object.values(MfaPattern).filter((p) => p !== MfaPattern.Ping && p !== MfaPattern.Heartbeat);
    for (const pattern of patterns) {
      // (null: see the test below)
      for (const payload of ['text', 42, true, [], [1, 2], {}, { userId: null }]) await expectClientError(pattern, payload);
    }
  });

  it('refuses hostile user, session and challenge ids in every field', async () => {
    const { userId } = newUser();
    const view = await h.call(MfaPattern.ChallengeCreate, { userId, sessionId: 's', factor: 'totp' });
    for (const bad of HOSTILE) {
      await expectClientError(MfaPattern.FactorsGet, { userId: bad });
      await expectClientError(MfaPattern.TotpCreate, { userId: bad, accountName: 'a@b.c', issuer: 'X' });
      await expectClientError(MfaPattern.TotpVerify, { userId: bad, otp: '123456' });
      await expectClientError(MfaPattern.TotpDelete, { userId: bad });
      await expectClientError(MfaPattern.RecoveryCodesCreate, { userId: bad });
      await expectClientError(MfaPattern.UserPurge, { userId: bad });
      await expectClientError(MfaPattern.ChallengeCreate, { userId, sessionId: bad, factor: 'totp' });
      await expectClientError(MfaPattern.ChallengeCreate, { userId, sessionId: 's', factor: bad });
      await expectClientError(MfaPattern.ChallengeVerify, { userId, sessionId: 's', challengeId: bad, otp: '123456' });
      await expectClientError(MfaPattern.ChallengeVerify, { userId, sessionId: bad, challengeId: view.id, otp: '123456' });
      await expectClientError(MfaPattern.ChallengeGet, { userId, challengeId: bad });
      // label parts are free text (URI-encoded into the otpauth URI): odd but short strings are fine
      await expectClientError(MfaPattern.TotpCreate, { userId, accountName: bad, issuer: 'X' }, true);
      await expectClientError(MfaPattern.TotpCreate, { userId, accountName: 'a@b.c', issuer: bad }, true);
    }
    for (const bad of ['', 'x'.repeat(10_240), 'a:b', 'a\r\nb', null, 5, {}, []]) {
      expect((await h.fail(MfaPattern.TotpCreate, { userId, accountName: bad, issuer: 'X' })).type).toBe('general_argument_invalid');
      expect((await h.fail(MfaPattern.TotpCreate, { userId, accountName: 'a@b.c', issuer: bad })).type).toBe('general_argument_invalid');
    }
    // none of that verified anything for the user
    expect(await h.call(MfaPattern.FactorsGet, { userId })).toEqual({ totp: false, recoveryCode: false });
  });

  it('refuses malformed codes on every factor without ever succeeding', async () => {
    const { userId } = newUser();
    await h.call(MfaPattern.RecoveryCodesCreate, { userId });
    await h.call(MfaPattern.TotpCreate, { userId, accountName: 'a@b.c', issuer: 'X' });
    for (const factor of ['totp', 'email', 'phone', 'recoveryCode']) {
      const delivery = { destination: factor === 'phone' ? '+14155550100' : 'a@b.co', locale: 'en', projectName: 'X' };
      const view = await h.call(MfaPattern.ChallengeCreate, { userId, sessionId: 's', factor, delivery });
      for (const otp of BAD_OTPS)
        await expectClientError(MfaPattern.ChallengeVerify, { userId, sessionId: 's', challengeId: view.id, otp });
      // malformed codes were not evaluated: the challenge still has all its attempts
      expect((await h.call(MfaPattern.ChallengeGet, { userId, challengeId: view.id })).attemptsLeft).toBe(5);
    }
    for (const otp of BAD_OTPS) await expectClientError(MfaPattern.TotpVerify, { userId, otp });
  });

  it('refuses unknown factors and email/phone challenges without a valid delivery block', async () => {
    const { userId } = newUser();
    for (const factor of ['sms', 'password', 'custom', '__proto__', 1, null]) {
      expect((await h.fail(MfaPattern.ChallengeCreate, { userId, sessionId: 's', factor })).type).toBe('general_argument_invalid');
    }
    const good = { destination: 'a@b.co', locale: 'en', projectName: 'X' };
    for (const delivery of [
      undefined,
      null,
      'a@b.co',
      { ...good, destination: 'victim@x.test\r\nBcc: evil@y.test' },
      { ...good, locale: '../../etc' },
      { ...good, projectName: 5 },
    ]) {
      expect((await h.fail(MfaPattern.ChallengeCreate, { userId, sessionId: 's', factor: 'email', delivery })).type).toBe(
        'general_argument_invalid',
      );
    }
    expect(
      (
        await h.fail(MfaPattern.ChallengeCreate, {
          userId,
          sessionId: 's',
          factor: 'phone',
          delivery: { ...good, destination: '+1 (555) 010-abcd' },
        })
      ).type,
    ).toBe('general_argument_invalid');
    // nothing was queued for any of them
    expect(await h.sql('SELECT 1 FROM mfa.challenges WHERE user_id = $1', [userId])).toHaveLength(0);
  });

  it('ignores unexpected fields and leaves Object.prototype alone', async () => {
    const { userId } = newUser();
    const payload = JSON.parse(
      `{"userId":"${userId}","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"verified":true,"mfa":true}`,
    );
    expect(await h.call(MfaPattern.FactorsGet, payload)).toEqual({ totp: false, recoveryCode: false });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers a null payload from an authenticated caller with general_argument_invalid', async () => {
    const answer = (pattern: string): Promise<{ response?: unknown; err?: unknown }> =>
      h.client.send(pattern, null).then(
        (response) => ({ response }),
        (err: unknown) => ({ err }),
      );
    expect((await answer(MfaPattern.FactorsGet)).err).toMatchObject({ kind: 'app-error', type: 'general_argument_invalid' });
    expect((await answer(MfaPattern.ChallengeVerify)).err).toMatchObject({ kind: 'app-error', type: 'general_argument_invalid' });
    expect((await answer(MfaPattern.Ping)).response).toMatchObject({ nonce: '' });
  });

  it('answers Ping with readiness and the service clock', async () => {
    await waitFor(async () => (await h.call(MfaPattern.Ping, { nonce: 'n0' })).ready, 10_000, 50, 'ready');
    const res = await h.call(MfaPattern.Ping, { nonce: 'n1' });
    expect(res).toEqual({ nonce: 'n1', ready: true, now: h.clock.now().toISOString() });
  });
});
