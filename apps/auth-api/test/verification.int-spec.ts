import { Queue } from 'bullmq';
import {
  InvalidJobError,
  JobId,
  OtpDeliveryJob,
  OtpDeliveryJobName,
  OtpDeliverySecret,
  QueueName,
  SecurityEvent,
  SharedRedisKey,
  sealContext,
} from '@twostep/contracts';
import { open, parseKeyring } from '@twostep/crypto';
import { bullPrefix } from '@twostep/messaging';
import { SecurityNoticesService } from '../src/security-notices/security-notices.service';
import { VerificationTokensRepository } from '../src/verification/verification-tokens.repository';
import { VerificationService } from '../src/verification/verification.service';
import { admin, asUser, AuthApiHarness, call, signUpAndIn, startAuthApi } from './harness';

interface Token {
  $id: string;
  userId: string;
  secret: string;
  expire: string;
}

describe('email and phone verification (real Postgres and Redis; this test plays the notifier)', () => {
  let h: AuthApiHarness;
  let queue: Queue<OtpDeliveryJob>;
  let queueConnection: ReturnType<AuthApiHarness['redis']['duplicate']>;

  beforeAll(async () => {
    h = await startAuthApi({ label: 'verify', env: { CORS_ORIGINS: 'https://app.example.test' } });
    queueConnection = h.redis.duplicate();
    queue = new Queue<OtpDeliveryJob>(QueueName.OtpDelivery, {
      connection: queueConnection,
      prefix: bullPrefix(h.config.REDIS_KEY_PREFIX),
    });
  }, 30_000);

  afterAll(async () => {
    await queue?.close();
    queueConnection?.disconnect();
    await h?.close();
  });

  /** The queued job of a token, and its sealed part opened the way the notifier opens it. */
  async function delivered(tokenId: string): Promise<{ job: OtpDeliveryJob; secret: OtpDeliverySecret; raw: string }> {
    const job = await queue.getJob(JobId.verification(tokenId));
    if (!job) throw new Error('no job queued');
    const raw = JSON.stringify(await h.redis.hgetall(`${bullPrefix(h.config.REDIS_KEY_PREFIX)}:${QueueName.OtpDelivery}:${job.id}`));
    const secret = open<OtpDeliverySecret>(
      job.data.sealed,
      parseKeyring(h.config.QUEUE_ENCRYPTION_KEY),
      sealContext(QueueName.OtpDelivery, job.data.name),
    );
    return { job: job.data, secret, raw };
  }

  const setHeartbeat = (value: unknown) =>
    h.redis.set(SharedRedisKey.notifierChannels(h.config.REDIS_KEY_PREFIX), JSON.stringify(value), 'EX', 30);
  const clearHeartbeat = () => h.redis.del(SharedRedisKey.notifierChannels(h.config.REDIS_KEY_PREFIX));

  async function withPhone(number: string) {
    const u = await signUpAndIn(h);
    expect((await asUser(h, u.credential, 'PATCH', '/account/phone', { phone: number, password: u.password })).status).toBe(200);
    return u;
  }

  it('puts the request id into the queued job so the notifier logs under the same reqId', async () => {
    const u = await signUpAndIn(h);
    const res = await call<Token>(`${h.endpoint}/account/verifications/email`, {
      method: 'POST',
      headers: h.headers({ 'x-appwrite-session': u.credential, 'x-request-id': 'verify-req.77' }),
      json: { url: 'https://app.example.test/verify' },
    });
    expect(res.status).toBe(201);
    expect((await delivered(res.body.$id)).job.requestId).toBe('verify-req.77');
    const generated = await asUser<Token>(h, u.credential, 'POST', '/account/verifications/email', {
      url: 'https://app.example.test/verify',
    });
    expect((await delivered(generated.body.$id)).job.requestId).toBe(generated.headers.get('x-request-id'));
  });

  it('sends the email link sealed, with userId, secret and expire appended to the given URL, and verifies once', async () => {
    const u = await signUpAndIn(h);
    const res = await asUser<Token>(h, u.credential, 'POST', '/account/verifications/email', {
      url: 'https://app.example.test/verify?lang=en#top',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ userId: u.userId, secret: '', phrase: '' });
    const { job, secret, raw } = await delivered(res.body.$id);
    expect(job).toMatchObject({
      name: OtpDeliveryJobName.EmailVerificationLink,
      channel: 'email',
      referenceId: res.body.$id,
      userId: u.userId,
      projectName: 'Twostep Test',
    });
    expect(secret.destination).toBe(u.email);
    const link = new URL(secret.url!);
    expect(link.origin + link.pathname).toBe('https://app.example.test/verify');
    expect(link.searchParams.get('lang')).toBe('en');
    expect(link.searchParams.get('userId')).toBe(u.userId);
    const linkSecret = link.searchParams.get('secret')!;
    expect(linkSecret).toMatch(/^[0-9a-f]{64}$/);
    // Redis holds ciphertext only
    expect(raw).not.toContain(u.email);
    expect(raw).not.toContain(linkSecret);
    expect(new Date(job.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(h.config.EMAIL_VERIFICATION_TTL_SECONDS * 1000);

    const confirm = await call<Token>(`${h.endpoint}/account/verifications/email`, {
      method: 'PUT',
      headers: h.headers(),
      json: { userId: u.userId, secret: linkSecret },
    });
    expect(confirm.status).toBe(200);
    expect(confirm.body.secret).toBe('');
    expect((await asUser<{ emailVerification: boolean }>(h, u.credential, 'GET', '/account')).body.emailVerification).toBe(true);
    expect(await h.redis.get(SharedRedisKey.closedReference(h.config.REDIS_KEY_PREFIX, res.body.$id))).toBe('1');

    const again = await call(`${h.endpoint}/account/verification`, {
      method: 'PUT',
      headers: h.headers(),
      json: { userId: u.userId, secret: linkSecret },
    });
    expect(again.status).toBe(401);
    expect(again.body).toMatchObject({ type: 'user_invalid_token' });
  });

  it('refuses verification links to other hosts than the configured ones, and non-http schemes', async () => {
    const u = await signUpAndIn(h);
    for (const url of ['https://evil.test/verify', 'javascript:alert(1)', 'ftp://app.example.test/x']) {
      const res = await asUser(h, u.credential, 'POST', '/account/verification', { url });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ type: 'general_argument_invalid', message: 'Invalid `url` param: Value must be a valid URL' });
    }
    expect((await asUser(h, u.credential, 'POST', '/account/verification', {})).body).toMatchObject({
      message: 'Param "url" is not optional.',
    });
  });

  it('supersedes the previous link: only the newest one verifies, and the old delivery is closed', async () => {
    const u = await signUpAndIn(h);
    const first = await asUser<Token>(h, u.credential, 'POST', '/account/verification', { url: 'https://app.example.test/v' });
    const second = await asUser<Token>(h, u.credential, 'POST', '/account/verification', { url: 'https://app.example.test/v' });
    const oldSecret = new URL((await delivered(first.body.$id)).secret.url!).searchParams.get('secret');
    expect(await h.redis.get(SharedRedisKey.closedReference(h.config.REDIS_KEY_PREFIX, first.body.$id))).toBe('1');
    expect(
      (
        await call(`${h.endpoint}/account/verification`, {
          method: 'PUT',
          headers: h.headers(),
          json: { userId: u.userId, secret: oldSecret },
        })
      ).status,
    ).toBe(401);
    const newSecret = new URL((await delivered(second.body.$id)).secret.url!).searchParams.get('secret');
    expect(
      (
        await call(`${h.endpoint}/account/verification`, {
          method: 'PUT',
          headers: h.headers(),
          json: { userId: u.userId, secret: newSecret },
        })
      ).status,
    ).toBe(200);
  });

  it('refuses an email link after it expired', async () => {
    const u = await signUpAndIn(h);
    const res = await asUser<Token>(h, u.credential, 'POST', '/account/verification', { url: 'https://app.example.test/v' });
    const secret = new URL((await delivered(res.body.$id)).secret.url!).searchParams.get('secret');
    h.clock.advance(h.config.EMAIL_VERIFICATION_TTL_SECONDS + 1);
    try {
      expect(
        (await call(`${h.endpoint}/account/verification`, { method: 'PUT', headers: h.headers(), json: { userId: u.userId, secret } }))
          .status,
      ).toBe(401);
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it('does not verify a new email address with a link sent to the previous one', async () => {
    const u = await signUpAndIn(h);
    const res = await asUser<Token>(h, u.credential, 'POST', '/account/verification', { url: 'https://app.example.test/v' });
    const secret = new URL((await delivered(res.body.$id)).secret.url!).searchParams.get('secret');
    // an admin change does not go through the password check, and the old token must still not count
    await h.pg.query(`UPDATE users SET email = $2 WHERE id = $1`, [u.userId, `changed-${u.email}`]);
    expect(
      (await call(`${h.endpoint}/account/verification`, { method: 'PUT', headers: h.headers(), json: { userId: u.userId, secret } }))
        .status,
    ).toBe(401);
    expect((await admin<{ emailVerification: boolean }>(h, 'GET', `/users/${u.userId}`)).body.emailVerification).toBe(false);
  });

  it('sends a 6-digit SMS code sealed, verifies it once and marks the phone verified', async () => {
    const u = await withPhone('+14155552671');
    const res = await asUser<Token>(h, u.credential, 'POST', '/account/verifications/phone', {});
    expect(res.status).toBe(201);
    const { job, secret, raw } = await delivered(res.body.$id);
    expect(job).toMatchObject({ name: OtpDeliveryJobName.PhoneVerificationCode, channel: 'sms' });
    expect(secret.destination).toBe('+14155552671');
    expect(secret.code).toMatch(/^\d{6}$/);
    expect(raw).not.toContain('+14155552671');
    expect(raw).not.toContain(`"${secret.code}"`);
    expect(new Date(job.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(600_000);
    const row = (await h.pg.query('SELECT secret_hash FROM verification_tokens WHERE id = $1', [res.body.$id])).rows[0];
    expect(row.secret_hash).not.toContain(secret.code);

    const ok = await call(`${h.endpoint}/account/verifications/phone`, {
      method: 'PUT',
      headers: h.headers(),
      json: { userId: u.userId, secret: secret.code },
    });
    expect(ok.status).toBe(200);
    expect((await admin<{ phoneVerification: boolean }>(h, 'GET', `/users/${u.userId}`)).body.phoneVerification).toBe(true);
    expect(
      (
        await call(`${h.endpoint}/account/verifications/phone`, {
          method: 'PUT',
          headers: h.headers(),
          json: { userId: u.userId, secret: secret.code },
        })
      ).status,
    ).toBe(401);
  });

  it('burns a phone code after PHONE_VERIFICATION_MAX_ATTEMPTS wrong guesses, even for the right code', async () => {
    const u = await withPhone('+14155552672');
    const res = await asUser<Token>(h, u.credential, 'POST', '/account/verification/phone', {});
    const { secret } = await delivered(res.body.$id);
    const wrong = secret.code === '000000' ? '111111' : '000000';
    for (let i = 0; i < h.config.PHONE_VERIFICATION_MAX_ATTEMPTS; i++) {
      expect(
        (
          await call(`${h.endpoint}/account/verification/phone`, {
            method: 'PUT',
            headers: h.headers(),
            json: { userId: u.userId, secret: wrong },
          })
        ).status,
      ).toBe(401);
    }
    const late = await call(`${h.endpoint}/account/verification/phone`, {
      method: 'PUT',
      headers: h.headers(),
      json: { userId: u.userId, secret: secret.code },
    });
    expect(late.status).toBe(401);
    expect(late.body).toMatchObject({ type: 'user_invalid_token' });
  });

  it('counts concurrent guesses atomically: 20 at once evaluate at most the attempt limit, and one right code wins once', async () => {
    const u = await withPhone('+14155552673');
    const res = await asUser<Token>(h, u.credential, 'POST', '/account/verification/phone', {});
    const { secret } = await delivered(res.body.$id);
    await h.redis.del(...(await h.redis.keys(`${h.config.REDIS_KEY_PREFIX}:rl:*`)));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.app
          .getHttpAdapter()
          .getInstance()
          .inject({
            method: 'PUT',
            url: '/v1/account/verification/phone',
            headers: h.headers(),
            payload: { userId: u.userId, secret: i < 10 ? secret.code : '999999' },
          }),
      ),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200).length).toBe(1);
    const row = (await h.pg.query('SELECT attempts, state FROM verification_tokens WHERE id = $1', [res.body.$id])).rows[0];
    expect(row.attempts).toBeLessThanOrEqual(h.config.PHONE_VERIFICATION_MAX_ATTEMPTS);
    expect(row.state).toBe('consumed');
  });

  it('refuses a phone code after 10 minutes', async () => {
    const u = await withPhone('+14155552674');
    const res = await asUser<Token>(h, u.credential, 'POST', '/account/verification/phone', {});
    const { secret } = await delivered(res.body.$id);
    h.clock.advance(h.config.PHONE_VERIFICATION_TTL_SECONDS + 1);
    try {
      expect(
        (
          await call(`${h.endpoint}/account/verification/phone`, {
            method: 'PUT',
            headers: h.headers(),
            json: { userId: u.userId, secret: secret.code },
          })
        ).status,
      ).toBe(401);
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it('answers 400 user_phone_not_found without a phone, and 503 when the notifiers report the channel off', async () => {
    const u = await signUpAndIn(h);
    expect((await asUser(h, u.credential, 'POST', '/account/verification/phone', {})).body).toMatchObject({
      type: 'user_phone_not_found',
      code: 400,
    });
    const p = await withPhone('+14155552675');
    await setHeartbeat({ email: false, sms: false, at: new Date().toISOString() });
    try {
      const sms = await asUser(h, p.credential, 'POST', '/account/verification/phone', {});
      expect(sms.status).toBe(503);
      expect(sms.body).toMatchObject({ type: 'general_phone_disabled' });
      const mail = await asUser(h, p.credential, 'POST', '/account/verification', { url: 'https://app.example.test/v' });
      expect(mail.body).toMatchObject({ type: 'general_smtp_disabled', code: 503 });
      await setHeartbeat({ email: true, sms: true, at: new Date().toISOString() });
      expect((await asUser(h, p.credential, 'POST', '/account/verification/phone', {})).status).toBe(201);
    } finally {
      await clearHeartbeat();
    }
    // no heartbeat at all: queued anyway (a notifier may start later)
    expect((await asUser(h, p.credential, 'POST', '/account/verification', { url: 'https://app.example.test/v' })).status).toBe(201);
  });

  it('closes a pending phone code when the number changes', async () => {
    const u = await withPhone('+14155552676');
    const res = await asUser<Token>(h, u.credential, 'POST', '/account/verification/phone', {});
    const { secret } = await delivered(res.body.$id);
    expect((await asUser(h, u.credential, 'PATCH', '/account/phone', { phone: '+14155552677', password: u.password })).status).toBe(200);
    expect(await h.redis.get(SharedRedisKey.closedReference(h.config.REDIS_KEY_PREFIX, res.body.$id))).toBe('1');
    expect(
      (
        await call(`${h.endpoint}/account/verification/phone`, {
          method: 'PUT',
          headers: h.headers(),
          json: { userId: u.userId, secret: secret.code },
        })
      ).status,
    ).toBe(401);
  });

  it('refuses a malformed job before it reaches Redis: nothing queued, no token stored, the open one not superseded', async () => {
    const u = await withPhone('+14155552678');
    const open = await asUser<Token>(h, u.credential, 'POST', '/account/verification/phone', {});
    expect(open.status).toBe(201);
    const verification = h.app.get(VerificationService);
    const tokens = h.app.get(VerificationTokensRepository);
    const issue = (secret: OtpDeliverySecret, locale: string) => {
      const token = verification.newToken(u.userId, 'phone', 'x', '+14155552678', 600);
      return { token, sent: verification.issue(token, OtpDeliveryJobName.PhoneVerificationCode, 'sms', secret, { locale }) };
    };
    // sealed content the notifier would refuse (a code that is not six digits), then an envelope it would refuse (locale)
    for (const { token, sent } of [
      issue({ destination: '+14155552678', code: '12345a' }, 'en'),
      issue({ destination: '+14155552678', code: '123456' }, 'en US!'),
    ]) {
      await expect(sent).rejects.toBeInstanceOf(InvalidJobError);
      expect(await queue.getJob(JobId.verification(token.id))).toBeUndefined();
    }
    expect((await tokens.findOpen(u.userId, 'phone', h.clock.now()))?.id).toBe(open.body.$id);

    // a security notice with an unknown event: refused, logged, not queued (the request it follows does not fail)
    const notices = new Queue(QueueName.SecurityNotices, { connection: queueConnection, prefix: bullPrefix(h.config.REDIS_KEY_PREFIX) });
    try {
      const before = await notices.getJobCounts();
      const sent = await h.app
        .get(SecurityNoticesService)
        .notify({ id: u.userId, email: 'someone@example.test', name: 'n' }, 'bogus' as SecurityEvent);
      expect(sent).toBe(false);
      expect(await notices.getJobCounts()).toEqual(before);
      expect(h.logs.some((l) => l.includes('security notice could not be queued') && l.includes('invalid security-notices job'))).toBe(
        true,
      );
    } finally {
      await notices.close();
    }
  });
});
