import { Queue } from 'bullmq';
import { JobId, QueueName, SecurityNoticeJob, SecurityNoticeSecret, sealContext } from '@twostep/contracts';
import { open, parseKeyring } from '@twostep/crypto';
import { bullPrefix } from '@twostep/messaging';
import { admin, asUser, AuthApiHarness, call, signUpAndIn, startAuthApi } from './harness';

interface Account {
  $id: string;
  email: string;
  phone: string;
  name: string;
  emailVerification: boolean;
  phoneVerification: boolean;
  mfa: boolean;
  prefs: Record<string, unknown>;
  passwordUpdate: string;
  targets: Array<{ providerType: string; identifier: string }>;
}

describe('account routes (real Postgres and Redis)', () => {
  let h: AuthApiHarness;
  let notices: Queue<SecurityNoticeJob>;
  let connection: ReturnType<AuthApiHarness['redis']['duplicate']>;

  beforeAll(async () => {
    h = await startAuthApi({ label: 'accounts' });
    connection = h.redis.duplicate();
    notices = new Queue<SecurityNoticeJob>(QueueName.SecurityNotices, { connection, prefix: bullPrefix(h.config.REDIS_KEY_PREFIX) });
  }, 30_000);

  afterAll(async () => {
    await notices?.close();
    connection?.disconnect();
    await h?.close();
  });

  /** The security notices queued for a user, opened as the notifier opens them. */
  async function noticesFor(userId: string): Promise<Array<{ job: SecurityNoticeJob; secret: SecurityNoticeSecret }>> {
    const jobs = await notices.getJobs(['waiting', 'delayed', 'prioritized']);
    return jobs
      .filter((j) => j.data.userId === userId)
      .map((j) => ({
        job: j.data,
        secret: open<SecurityNoticeSecret>(
          j.data.sealed,
          parseKeyring(h.config.QUEUE_ENCRYPTION_KEY),
          sealContext(QueueName.SecurityNotices, j.data.name),
        ),
      }));
  }

  it('signs up with a lower-cased email and an argon2id hash, and refuses a taken id or email with 409', async () => {
    const res = await call<Account>(`${h.endpoint}/account`, {
      method: 'POST',
      headers: h.headers(),
      json: { userId: 'alice-1', email: 'Alice@Example.TEST', password: 'password-alice', name: 'Alice' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      $id: 'alice-1',
      email: 'alice@example.test',
      name: 'Alice',
      emailVerification: false,
      mfa: false,
      prefs: {},
    });
    expect(res.body.targets).toEqual([expect.objectContaining({ providerType: 'email', identifier: 'alice@example.test' })]);
    expect(res.headers.get('set-cookie')).toBeNull();
    const row = (await h.pg.query('SELECT password_hash FROM users WHERE id = $1', ['alice-1'])).rows[0];
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=12288,t=3,p=1\$/);
    for (const json of [
      { userId: 'alice-1', email: 'other@example.test', password: 'password-alice' },
      { userId: 'unique()', email: 'ALICE@example.test', password: 'password-alice' },
    ]) {
      const dup = await call(`${h.endpoint}/account`, { method: 'POST', headers: h.headers(), json });
      expect(dup.status).toBe(409);
      expect(dup.body).toMatchObject({ type: 'user_already_exists' });
    }
  });

  it('ignores unknown body fields on sign-up (no mass assignment)', async () => {
    const res = await call<Account>(`${h.endpoint}/account`, {
      method: 'POST',
      headers: h.headers(),
      json: {
        userId: 'unique()',
        email: 'mass@example.test',
        password: 'password-mass',
        mfa: true,
        emailVerification: true,
        status: false,
        prefs: { admin: true },
        labels: ['admin'],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ mfa: false, emailVerification: false, prefs: {} });
  });

  it('updates the name and the prefs (an object, returned as {} when empty)', async () => {
    const u = await signUpAndIn(h);
    expect((await asUser<Record<string, unknown>>(h, u.credential, 'GET', '/account/prefs')).body).toEqual({});
    expect((await asUser<Account>(h, u.credential, 'PATCH', '/account/name', { name: 'New Name' })).body.name).toBe('New Name');
    const prefs = await asUser<Account>(h, u.credential, 'PATCH', '/account/prefs', { prefs: { theme: 'dark', n: 1 } });
    expect(prefs.body.prefs).toEqual({ theme: 'dark', n: 1 });
    expect((await asUser(h, u.credential, 'GET', '/account/prefs')).body).toEqual({ theme: 'dark', n: 1 });
    expect((await asUser(h, u.credential, 'PATCH', '/account/prefs', { prefs: ['x'] })).body).toMatchObject({
      type: 'general_argument_invalid',
      message: 'Invalid `prefs` param: Value must be a valid object.',
    });
  });

  it('changes the password only with the old one, ends the other sessions, and notifies the user', async () => {
    const u = await signUpAndIn(h);
    const other = await call<{ secret: string }>(`${h.endpoint}/account/sessions/email`, {
      method: 'POST',
      headers: h.headers({ 'x-appwrite-key': h.config.APP_API_KEY }),
      json: { email: u.email, password: u.password },
    });
    expect((await asUser(h, u.credential, 'PATCH', '/account/password', { password: 'brand new password' })).body).toMatchObject({
      type: 'user_invalid_credentials',
      code: 401,
    });
    expect(
      (await asUser(h, u.credential, 'PATCH', '/account/password', { password: 'brand new password', oldPassword: 'wrong password' }))
        .status,
    ).toBe(401);
    const ok = await asUser<Account>(h, u.credential, 'PATCH', '/account/password', {
      password: 'brand new password',
      oldPassword: u.password,
    });
    expect(ok.status).toBe(200);
    expect((await asUser(h, u.credential, 'GET', '/account')).status).toBe(200);
    expect((await asUser(h, other.body.secret, 'GET', '/account')).status).toBe(401);
    expect(
      (
        await call(`${h.endpoint}/account/sessions/email`, {
          method: 'POST',
          headers: h.headers(),
          json: { email: u.email, password: u.password },
        })
      ).status,
    ).toBe(401);
    const sent = await noticesFor(u.userId);
    expect(sent.map((n) => n.job.event)).toContain('password-changed');
    const notice = sent.find((n) => n.job.event === 'password-changed')!;
    expect(notice.secret.email).toBe(u.email);
    expect(JSON.stringify(notice.job)).not.toContain(u.email);
    expect(await notices.getJob(JobId.securityNotice(notice.job.noticeId))).toBeDefined();
  });

  it('changes the email only with the password, unverifies it, tells the old address, and refuses a taken one', async () => {
    const u = await signUpAndIn(h);
    const taken = await signUpAndIn(h);
    await admin(h, 'PATCH', `/users/${u.userId}/verification`, { emailVerification: true });
    expect(
      (await asUser(h, u.credential, 'PATCH', '/account/email', { email: 'new@example.test', password: 'wrong password' })).body,
    ).toMatchObject({ type: 'user_invalid_credentials' });
    expect((await asUser(h, u.credential, 'PATCH', '/account/email', { email: 'new@example.test' })).body).toMatchObject({
      message: 'Param "password" is not optional.',
    });
    const dup = await asUser(h, u.credential, 'PATCH', '/account/email', { email: taken.email, password: u.password });
    expect(dup.status).toBe(409);
    const newEmail = `new-${u.email}`;
    const ok = await asUser<Account>(h, u.credential, 'PATCH', '/account/email', { email: newEmail.toUpperCase(), password: u.password });
    expect(ok.body).toMatchObject({ email: newEmail, emailVerification: false });
    const sent = (await noticesFor(u.userId)).find((n) => n.job.event === 'email-changed');
    expect(sent?.secret.email).toBe(u.email);
    expect(
      (
        await call(`${h.endpoint}/account/sessions/email`, {
          method: 'POST',
          headers: h.headers({ 'x-appwrite-key': h.config.APP_API_KEY }),
          json: { email: newEmail, password: u.password },
        })
      ).status,
    ).toBe(201);
  });

  it('changes the phone only with the password and a valid E.164 number, and unverifies it', async () => {
    const u = await signUpAndIn(h);
    for (const phone of ['12345', '+1 (555) 010-abcd', '+0000', '0612345678']) {
      const res = await asUser(h, u.credential, 'PATCH', '/account/phone', { phone, password: u.password });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        message: "Invalid `phone` param: Phone number must start with a '+' can have a maximum of fifteen digits.",
      });
    }
    const ok = await asUser<Account>(h, u.credential, 'PATCH', '/account/phone', { phone: '+33612345678', password: u.password });
    expect(ok.body).toMatchObject({ phone: '+33612345678', phoneVerification: false });
    expect(ok.body.targets.map((t) => t.providerType).sort()).toEqual(['email', 'sms']);
    const other = await signUpAndIn(h);
    const dup = await asUser(h, other.credential, 'PATCH', '/account/phone', { phone: '+33612345678', password: other.password });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ type: 'user_phone_already_exists' });
  });

  it('requires a full session for profile changes when MFA is pending', async () => {
    const u = await signUpAndIn(h);
    await admin(h, 'PATCH', `/users/${u.userId}/verification`, { emailVerification: true });
    await admin(h, 'PATCH', `/users/${u.userId}/mfa`, { mfa: true });
    for (const [method, path, json] of [
      ['PATCH', '/account/password', { password: 'another password', oldPassword: u.password }],
      ['PATCH', '/account/email', { email: 'x@example.test', password: u.password }],
      ['PATCH', '/account/phone', { phone: '+14155552671', password: u.password }],
      ['PATCH', '/account/prefs', { prefs: {} }],
      ['DELETE', '/account/sessions', {}],
    ] as const) {
      expect((await asUser(h, u.credential, method, path, json)).body).toMatchObject({ type: 'user_more_factors_required' });
    }
    // logging out the current session is allowed while MFA is pending
    expect((await asUser(h, u.credential, 'DELETE', '/account/sessions/current', {})).status).toBe(204);
  });
});
