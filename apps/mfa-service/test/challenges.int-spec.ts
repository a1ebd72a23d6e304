import { JobId, MfaPattern, OtpDeliveryJobName, QueueName, SharedRedisKey } from '@twostep/contracts';
import { waitFor } from '@twostep/testing';
import { MfaServiceHarness, newUser } from './support/mfa-service.harness';
import { oracleCodes } from './support/totp-oracle';

const delivery = {
  destination: 'alice@example.com',
  userName: 'Alice Liddell',
  locale: 'en-GB',
  projectName: 'Twostep Test',
  requester: { clientName: 'Chrome', osName: 'macOS', deviceName: 'desktop' },
};

describe('email and phone challenges (real TCP transport, Postgres, Redis)', () => {
  let h: MfaServiceHarness;

  beforeAll(async () => {
    h = await MfaServiceHarness.start('challenges');
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  const emailChallenge = (userId: string, sessionId: string) =>
    h.call(MfaPattern.ChallengeCreate, { userId, sessionId, factor: 'email', delivery });
  const verify = (userId: string, sessionId: string, challengeId: string, otp: unknown) =>
    h.outcome(MfaPattern.ChallengeVerify, { userId, sessionId, challengeId, otp });
  /** A 6-digit code that is not `code`. */
  const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  it('sends the code through a sealed otp-delivery job with the idempotent id challenge-<id>', async () => {
    const { userId } = newUser();
    const view = await emailChallenge(userId, 'sess-a');
    const job = await h.deliveryJob(view.id);
    expect(job?.id).toBe(JobId.challengeCode(view.id));
    expect(job?.id).not.toContain(':');
    expect(job?.name).toBe(OtpDeliveryJobName.MfaChallengeCode);
    const { sealed, ...clear } = job!.data;
    expect(clear).toEqual({
      name: 'mfa-challenge-code',
      channel: 'email',
      referenceId: view.id,
      userId,
      locale: 'en-GB',
      projectName: 'Twostep Test',
      expiresAt: view.expire,
      requestedAt: view.createdAt,
      requester: delivery.requester,
    });
    expect(Object.keys(sealed).sort()).toEqual(['ct', 'iv', 'kid', 'tag', 'v']);
    const secret = await h.deliveredSecret(view.id);
    expect(secret).toEqual({ destination: 'alice@example.com', code: expect.stringMatching(/^[0-9]{6}$/), userName: 'Alice Liddell' });

    // what Redis holds for the job: no clear code, address or name
    const raw = JSON.stringify(await h.redis.hgetall(`${h.prefix}:bull:otp-delivery:${job!.id}`));
    expect(raw).toContain(view.id);
    expect(raw).not.toContain(secret.code!);
    expect(raw).not.toContain('alice@example.com');
    expect(raw).not.toContain('Alice Liddell');
  });

  it('delivers phone codes on the sms channel with the number sealed', async () => {
    const { userId } = newUser();
    const view = await h.call(MfaPattern.ChallengeCreate, {
      userId,
      sessionId: 'sess-p',
      factor: 'PHONE',
      delivery: { ...delivery, destination: '+14155550100' },
    });
    const job = await h.deliveryJob(view.id);
    expect(job?.data.channel).toBe('sms');
    expect(JSON.stringify(job?.data)).not.toContain('14155550100');
    expect((await h.deliveredSecret(view.id)).destination).toBe('+14155550100');
    expect(await verify(userId, 'sess-p', view.id, await h.codeOf(view.id))).toBe('ok');
  });

  it('expires within the configured 600 s: expire - createdAt = 600 s, by the service clock', async () => {
    const { userId } = newUser();
    const view = await emailChallenge(userId, 's');
    expect(view.createdAt).toBe(h.clock.now().toISOString());
    expect(Date.parse(view.expire) - Date.parse(view.createdAt)).toBe(600_000);
    expect(view).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{20}$/),
      createdAt: expect.any(String),
      userId,
      expire: expect.any(String),
    });
  });

  it('completes a challenge once: the same code and challenge are refused afterwards', async () => {
    const { userId } = newUser();
    const view = await emailChallenge(userId, 's1');
    const code = await h.codeOf(view.id);
    expect(await h.call(MfaPattern.ChallengeVerify, { userId, sessionId: 's1', challengeId: view.id, otp: code })).toEqual({
      factor: 'email',
      enrolledBySession: false,
    });
    expect(await verify(userId, 's1', view.id, code)).toBe('user_invalid_token');
    const state = await h.call(MfaPattern.ChallengeGet, { userId, challengeId: view.id });
    expect(state.status).toBe('consumed');
    expect(state.attemptsLeft).toBe(0);
    // the notifier is told to drop anything still queued for it, for the rest of its lifetime
    const key = SharedRedisKey.closedReference(h.prefix, view.id);
    expect(await h.redis.get(key)).toBe('consumed');
    const ttl = await h.redis.ttl(key);
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
  });

  it('accepts the code 1 s before expiry and refuses a code 1 s after expiry', async () => {
    const a = newUser();
    const b = newUser();
    const start = h.clock.now().getTime();
    const c1 = await emailChallenge(a.userId, 's');
    const c2 = await emailChallenge(b.userId, 's');
    try {
      h.clock.set(Date.parse(c1.expire) - 1000);
      expect(await verify(a.userId, 's', c1.id, await h.codeOf(c1.id))).toBe('ok');
      h.clock.set(Date.parse(c2.expire) + 1000);
      expect(await verify(b.userId, 's', c2.id, await h.codeOf(c2.id))).toBe('user_invalid_token');
      expect((await h.call(MfaPattern.ChallengeGet, { userId: b.userId, challengeId: c2.id })).status).toBe('expired');
    } finally {
      h.clock.set(start);
    }
  });

  it('invalidates the older code when a newer challenge is created for the same user and factor', async () => {
    const { userId } = newUser();
    const c1 = await emailChallenge(userId, 's1');
    const phone = await h.call(MfaPattern.ChallengeCreate, {
      userId,
      sessionId: 's1',
      factor: 'phone',
      delivery: { ...delivery, destination: '+14155550100' },
    });
    const c2 = await emailChallenge(userId, 's2');
    const code1 = await h.codeOf(c1.id);
    expect(await verify(userId, 's1', c1.id, code1)).toBe('user_invalid_token');
    expect((await h.call(MfaPattern.ChallengeGet, { userId, challengeId: c1.id })).status).toBe('expired');
    expect(await h.redis.get(SharedRedisKey.closedReference(h.prefix, c1.id))).toBe('superseded');
    expect(await verify(userId, 's2', c2.id, await h.codeOf(c2.id))).toBe('ok');
    // another factor's challenge is not affected
    expect(await verify(userId, 's1', phone.id, await h.codeOf(phone.id))).toBe('ok');
  });

  it('accepts one valid email code exactly once among 20 concurrent verifications', async () => {
    const { userId } = newUser();
    const view = await emailChallenge(userId, 's');
    const code = await h.codeOf(view.id);
    const outcomes = await h.race(
      Array.from({ length: 20 }, () => [MfaPattern.ChallengeVerify, { userId, sessionId: 's', challengeId: view.id, otp: code }]),
    );
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'ok').every((o) => o === 'user_invalid_token')).toBe(true);
  });

  it('binds a challenge to its user, its session and its factor', async () => {
    const owner = newUser();
    const other = newUser();
    const view = await emailChallenge(owner.userId, 'owner-session');
    const code = await h.codeOf(view.id);
    // a TOTP code and a recovery code of the owner do not complete an email challenge
    const { secret } = await h.call(MfaPattern.TotpCreate, {
      userId: owner.userId,
      accountName: 'alice@example.com',
      issuer: 'Twostep Test',
    });
    const [enrollCode, totpCode] = oracleCodes([
      { secret, epoch: h.clock.epochSeconds - 60 },
      { secret, epoch: h.clock.epochSeconds },
    ]);
    h.clock.advance(-60_000);
    await h.call(MfaPattern.TotpVerify, { userId: owner.userId, otp: enrollCode });
    h.clock.advance(60_000);
    const { recoveryCodes } = await h.call(MfaPattern.RecoveryCodesCreate, { userId: owner.userId });

    expect(await verify(other.userId, 'owner-session', view.id, code)).toBe('user_invalid_token');
    expect(await verify(owner.userId, 'another-session', view.id, code)).toBe('user_invalid_token');
    expect(totpCode).not.toBe(code);
    expect(await verify(owner.userId, 'owner-session', view.id, totpCode)).toBe('user_invalid_token');
    expect(await verify(owner.userId, 'owner-session', view.id, recoveryCodes[0])).toBe('user_invalid_token');
    // a session id or another token used as the challenge id
    expect(await verify(owner.userId, 'owner-session', 'owner-session', code)).toBe('user_invalid_token');
    expect(await verify(owner.userId, 'owner-session', recoveryCodes[1], code)).toBe('user_invalid_token');

    expect(await verify(owner.userId, 'owner-session', view.id, code)).toBe('ok');
    // nothing was spent by the refused attempts
    const rc = await h.call(MfaPattern.ChallengeCreate, { userId: owner.userId, sessionId: 'owner-session', factor: 'recoverycode' });
    expect(
      await h.call(MfaPattern.ChallengeVerify, {
        userId: owner.userId,
        sessionId: 'owner-session',
        challengeId: rc.id,
        otp: recoveryCodes[0],
      }),
    ).toEqual({
      factor: 'recoveryCode',
      recoveryCodesLeft: 9,
      enrolledBySession: false,
    });
    const tc = await h.call(MfaPattern.ChallengeCreate, { userId: owner.userId, sessionId: 'owner-session', factor: 'totp' });
    expect(await verify(owner.userId, 'owner-session', tc.id, totpCode)).toBe('ok');
  });

  it('exhausts a challenge after 5 wrong codes: the right code is refused afterwards', async () => {
    const { userId } = newUser();
    const view = await emailChallenge(userId, 's');
    const code = await h.codeOf(view.id);
    for (let i = 0; i < 4; i++) expect(await verify(userId, 's', view.id, wrong(code))).toBe('user_invalid_token');
    expect((await h.call(MfaPattern.ChallengeGet, { userId, challengeId: view.id })).attemptsLeft).toBe(1);
    expect(await verify(userId, 's', view.id, wrong(code))).toBe('user_invalid_token');
    expect(await verify(userId, 's', view.id, code)).toBe('user_invalid_token');
    const state = await h.call(MfaPattern.ChallengeGet, { userId, challengeId: view.id });
    expect(state).toMatchObject({ status: 'exhausted', attemptsLeft: 0 });
    expect(await h.redis.get(SharedRedisKey.closedReference(h.prefix, view.id))).toBe('exhausted');
  });

  it('does not count malformed codes against the challenge', async () => {
    const { userId } = newUser();
    const view = await emailChallenge(userId, 's');
    for (const bad of [' 123456', '12345', '1234567', '12345a', '١٢٣٤٥٦', '１２３４５６'])
      expect(await verify(userId, 's', view.id, bad)).toBe('user_invalid_token');
    expect((await h.call(MfaPattern.ChallengeGet, { userId, challengeId: view.id })).attemptsLeft).toBe(5);
  });

  it('describes a challenge to its owner only, with no code or hash', async () => {
    const { userId } = newUser();
    const view = await emailChallenge(userId, 's');
    const state = await h.call(MfaPattern.ChallengeGet, { userId, challengeId: view.id });
    expect(state).toEqual({
      ...view,
      factor: 'email',
      status: 'pending',
      attemptsLeft: 5,
      delivery: { channel: 'email', status: 'queued', updatedAt: view.createdAt },
    });
    const code = await h.codeOf(view.id);
    expect(JSON.stringify(state)).not.toContain(code);
    expect((await h.fail(MfaPattern.ChallengeGet, { userId: newUser().userId, challengeId: view.id })).type).toBe('user_invalid_token');
    expect((await h.fail(MfaPattern.ChallengeGet, { userId, challengeId: 'ffffffffffffffffffff' })).type).toBe('user_invalid_token');
    expect((await h.fail(MfaPattern.ChallengeGet, { userId, challengeId: '../sms' })).type).toBe('user_invalid_token');
  });

  it('processes a delivery result under the request id it carries, so its log lines share that reqId', async () => {
    const { userId } = newUser();
    const sent = await emailChallenge(userId, 's');
    const at = new Date(Date.parse(sent.createdAt) + 2000).toISOString();
    await h.reportDelivery({
      deliveryName: OtpDeliveryJobName.MfaChallengeCode,
      referenceId: sent.id,
      status: 'sent',
      at,
      requestId: 'result-req.9',
    });
    const processed = () =>
      h.logs
        .map((l) => JSON.parse(l) as { msg?: string; challengeId?: string; reqId?: string })
        .filter((l) => l.msg === 'delivery result processed' && l.challengeId === sent.id);
    await waitFor(() => processed().length > 0, 10_000, 50, 'delivery result log line');
    expect(processed()[0].reqId).toBe('result-req.9');
  });

  it('records delivery results from the notifier on the challenge, idempotently, and only its own', async () => {
    const { userId } = newUser();
    const sent = await emailChallenge(userId, 's');
    const at = new Date(Date.parse(sent.createdAt) + 2000).toISOString();
    await h.reportDelivery({ deliveryName: OtpDeliveryJobName.MfaChallengeCode, referenceId: sent.id, status: 'sent', at });
    await waitFor(
      async () => (await h.call(MfaPattern.ChallengeGet, { userId, challengeId: sent.id })).status === 'delivered',
      10_000,
      50,
      'delivered status',
    );
    // the same report again, and an older failure, change nothing
    await h.reportDelivery({ deliveryName: OtpDeliveryJobName.MfaChallengeCode, referenceId: sent.id, status: 'sent', at });
    await h.reportDelivery({
      deliveryName: OtpDeliveryJobName.MfaChallengeCode,
      referenceId: sent.id,
      status: 'failed',
      reason: 'transient',
      at: sent.createdAt,
    });
    // a report about another kind of message is not ours
    await h.reportDelivery({
      deliveryName: OtpDeliveryJobName.EmailVerificationLink,
      referenceId: sent.id,
      status: 'dropped',
      at: new Date(Date.parse(at) + 60_000).toISOString(),
    });

    const failedOne = newUser();
    const failed = await h.call(MfaPattern.ChallengeCreate, {
      userId: failedOne.userId,
      sessionId: 's',
      factor: 'phone',
      delivery: { ...delivery, destination: '+14155550100' },
    });
    const failedAt = new Date(Date.parse(failed.createdAt) + 5000).toISOString();
    await h.reportDelivery({
      deliveryName: OtpDeliveryJobName.MfaChallengeCode,
      referenceId: failed.id,
      channel: 'sms',
      status: 'failed',
      reason: 'invalid_destination',
      at: failedAt,
    });
    await waitFor(
      async () =>
        (await h.call(MfaPattern.ChallengeGet, { userId: failedOne.userId, challengeId: failed.id })).status === 'delivery_failed',
      10_000,
      50,
      'failed status',
    );
    expect((await h.call(MfaPattern.ChallengeGet, { userId: failedOne.userId, challengeId: failed.id })).delivery).toEqual({
      channel: 'sms',
      status: 'failed',
      reason: 'invalid_destination',
      updatedAt: failedAt,
    });
    // once every report above is processed, the first challenge still says sent
    await waitFor(
      async () => {
        const counts = await h.queue(QueueName.DeliveryResults).getJobCounts('wait', 'active', 'delayed');
        return counts.wait + counts.active + counts.delayed === 0;
      },
      10_000,
      50,
      'results drained',
    );
    expect((await h.call(MfaPattern.ChallengeGet, { userId, challengeId: sent.id })).delivery).toEqual({
      channel: 'email',
      status: 'sent',
      updatedAt: at,
    });
  });

  it('keeps no clear code, address or name in Postgres, only a keyed hash', async () => {
    const { userId } = newUser();
    const view = await emailChallenge(userId, 's');
    const code = await h.codeOf(view.id);
    const rows = await h.sql<Record<string, unknown>>('SELECT * FROM mfa.challenges WHERE id = $1', [view.id]);
    expect(rows[0].code_hash).toMatch(/^[^.]+\.[0-9a-f]{64}$/);
    const dump = JSON.stringify(await h.sql('SELECT * FROM mfa.challenges'));
    expect(dump).not.toMatch(new RegExp(`(?<![0-9a-f])${code}(?![0-9a-f])`));
    expect(dump).not.toContain('alice@example.com');
    expect(dump).not.toContain('Alice Liddell');
  });

  it('never logs a code, an address or a phone number', async () => {
    const { userId } = newUser();
    const view = await emailChallenge(userId, 's');
    const code = await h.codeOf(view.id);
    await verify(userId, 's', view.id, wrong(code));
    await verify(userId, 's', view.id, code);
    const logs = h.logs.join('\n');
    expect(logs).not.toMatch(new RegExp(`(?<![0-9A-Za-z])${code}(?![0-9A-Za-z])`));
    expect(logs).not.toContain('alice@example.com');
    expect(logs).not.toContain('14155550100');
    expect(logs).toContain('mfa challenge verified');
  });

  it('deletes challenges that expired more than a day ago when the user creates a new one', async () => {
    const { userId } = newUser();
    const old = await emailChallenge(userId, 's');
    const start = h.clock.now().getTime();
    try {
      h.clock.advance(25 * 3600 * 1000);
      await h.call(MfaPattern.ChallengeCreate, { userId, sessionId: 's', factor: 'totp' });
      expect(await h.sql('SELECT id FROM mfa.challenges WHERE id = $1', [old.id])).toHaveLength(0);
    } finally {
      h.clock.set(start);
    }
  });
});
