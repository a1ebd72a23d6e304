import { Queue } from 'bullmq';
import { JobId, OtpDeliveryJob, OtpDeliveryJobName, OtpDeliverySecret, QueueName, SharedRedisKey, sealContext } from '@twostep/contracts';
import { open, parseKeyring } from '@twostep/crypto';
import { bullPrefix } from '@twostep/messaging';
import { admin, AuthApiHarness, call, signUpAndIn, startAuthApi } from './harness';

interface Token {
  $id: string;
  userId: string;
  secret: string;
  expire: string;
}

/**
 * Sign-in tokens and recovery links against real Postgres and Redis (this test plays the notifier:
 * it opens the sealed job the way the notifier does). The clock is moved to prove expiry.
 */
describe('sign-in tokens and password recovery (real Postgres and Redis)', () => {
  let h: AuthApiHarness;
  let queue: Queue<OtpDeliveryJob>;
  let queueConnection: ReturnType<AuthApiHarness['redis']['duplicate']>;

  beforeAll(async () => {
    h = await startAuthApi({ label: 'signin', env: { CORS_ORIGINS: 'https://app.example.test' } });
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

  async function delivered(tokenId: string): Promise<{ job: OtpDeliveryJob; secret: OtpDeliverySecret; raw: string }> {
    // recovery links are queued after the answer: wait for the job
    let job = await queue.getJob(JobId.verification(tokenId));
    for (let i = 0; !job && i < 40; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = await queue.getJob(JobId.verification(tokenId));
    }
    if (!job) throw new Error('no job queued');
    const raw = JSON.stringify(await h.redis.hgetall(`${bullPrefix(h.config.REDIS_KEY_PREFIX)}:${QueueName.OtpDelivery}:${job.id}`));
    const secret = open<OtpDeliverySecret>(
      job.data.sealed,
      parseKeyring(h.config.QUEUE_ENCRYPTION_KEY),
      sealContext(QueueName.OtpDelivery, job.data.name),
    );
    return { job: job.data, secret, raw };
  }

  const post = <T>(path: string, json: unknown) => call<T>(`${h.endpoint}${path}`, { method: 'POST', headers: h.headers(), json });
  const put = <T>(path: string, json: unknown) => call<T>(`${h.endpoint}${path}`, { method: 'PUT', headers: h.headers(), json });
  const email = () => `t${Math.random().toString(16).slice(2)}@example.test`;

  async function emailToken(address = email()) {
    const res = await post<Token>('/account/tokens/email', { userId: 'unique()', email: address });
    expect(res.status).toBe(201);
    const { job, secret, raw } = await delivered(res.body.$id);
    return { token: res.body, job, code: secret.code!, destination: secret.destination, raw, address };
  }

  it('queues the email code sealed (no code or address in Redis), stores only a keyed hash, expiring in 15 minutes', async () => {
    const t = await emailToken();
    expect(t.job).toMatchObject({
      name: OtpDeliveryJobName.SignInCode,
      channel: 'email',
      referenceId: t.token.$id,
      userId: t.token.userId,
    });
    expect(t.destination).toBe(t.address);
    expect(t.code).toMatch(/^\d{6}$/);
    expect(t.raw).not.toContain(t.address);
    expect(t.raw).not.toContain(`"${t.code}"`);
    const row = (await h.pg.query('SELECT kind, secret_hash, expire FROM verification_tokens WHERE id = $1', [t.token.$id])).rows[0];
    expect(row.kind).toBe('signin_email');
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.secret_hash).not.toContain(t.code);
    expect(new Date(row.expire).getTime() - Date.now()).toBeLessThanOrEqual(900_000);
  });

  it('refuses an email code after 15 minutes', async () => {
    const t = await emailToken();
    h.clock.advance(h.config.SIGN_IN_CODE_TTL_SECONDS + 1);
    try {
      const res = await post('/account/sessions/token', { userId: t.token.userId, secret: t.code });
      expect(res.body).toMatchObject({ type: 'user_invalid_token', code: 401 });
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it('burns a code after SIGN_IN_CODE_MAX_ATTEMPTS wrong guesses, even for the right code, and closes its delivery', async () => {
    const t = await emailToken();
    const wrong = t.code === '000000' ? '111111' : '000000';
    for (let i = 0; i < h.config.SIGN_IN_CODE_MAX_ATTEMPTS; i++) {
      expect((await post('/account/sessions/token', { userId: t.token.userId, secret: wrong })).status).toBe(401);
      // the per-(ip, userId) limit of 10 is not what stops it
    }
    expect((await post('/account/sessions/token', { userId: t.token.userId, secret: t.code })).body).toMatchObject({
      type: 'user_invalid_token',
    });
    expect(await h.redis.get(SharedRedisKey.closedReference(h.config.REDIS_KEY_PREFIX, t.token.$id))).toBe('1');
  });

  it('opens exactly one session when 20 requests race with the right code', async () => {
    const t = await emailToken();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        h.app
          .getHttpAdapter()
          .getInstance()
          .inject({
            method: 'POST',
            url: '/v1/account/sessions/token',
            headers: h.headers({ 'x-appwrite-key': h.config.APP_API_KEY }),
            payload: { userId: t.token.userId, secret: t.code },
          }),
      ),
    );
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(results.every((r) => r.statusCode === 201 || r.statusCode === 401)).toBe(true);
    const sessions = await h.pg.query('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [t.token.userId]);
    expect(sessions.rows[0].n).toBe(1);
  });

  it('a newer code supersedes the older one', async () => {
    const address = email();
    const first = await emailToken(address);
    const second = await emailToken(address);
    expect(second.token.userId).toBe(first.token.userId);
    if (first.code !== second.code) {
      expect((await post('/account/sessions/token', { userId: first.token.userId, secret: first.code })).status).toBe(401);
    }
    expect((await post('/account/sessions/token', { userId: second.token.userId, secret: second.code })).status).toBe(201);
  });

  it('refuses a code sent to an address the user no longer has', async () => {
    const t = await emailToken();
    await h.pg.query('UPDATE users SET email = $2 WHERE id = $1', [t.token.userId, `moved-${t.address}`]);
    expect((await post('/account/sessions/token', { userId: t.token.userId, secret: t.code })).status).toBe(401);
  });

  it('gives a blocked user the same answer and no message, and no session', async () => {
    const u = await signUpAndIn(h);
    await admin(h, 'PATCH', `/users/${u.userId}/status`, { status: false });
    const res = await post<Token>('/account/tokens/email', { userId: 'unique()', email: u.email });
    expect(res.status).toBe(201);
    expect(await queue.getJob(JobId.verification(res.body.$id))).toBeUndefined();
  });

  it('refuses magic URLs to hosts other than the configured ones, and expires links after an hour', async () => {
    const bad = await post('/account/tokens/magic-url', { userId: 'unique()', email: email(), url: 'https://evil.test/x' });
    expect(bad.body).toMatchObject({ type: 'general_argument_invalid', message: 'Invalid `url` param: Value must be a valid URL' });
    const res = await post<Token>('/account/tokens/magic-url', { userId: 'unique()', email: email() });
    expect(res.status).toBe(201);
    const { secret, job } = await delivered(res.body.$id);
    expect(job.name).toBe(OtpDeliveryJobName.MagicUrlLink);
    const link = new URL(secret.url!);
    expect(link.origin).toBe('https://app.example.test');
    const linkSecret = link.searchParams.get('secret')!;
    const row = (await h.pg.query('SELECT secret_hash FROM verification_tokens WHERE id = $1', [res.body.$id])).rows[0];
    expect(row.secret_hash).not.toBe(linkSecret);
    h.clock.advance(h.config.MAGIC_URL_TTL_SECONDS + 1);
    try {
      expect((await post('/account/sessions/token', { userId: res.body.userId, secret: linkSecret })).status).toBe(401);
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it('refuses to start a sign-in while a session is active (401 user_session_already_exists)', async () => {
    const u = await signUpAndIn(h);
    const res = await call(`${h.endpoint}/account/tokens/email`, {
      method: 'POST',
      headers: { ...h.headers(), 'x-appwrite-session': u.credential },
      json: { userId: 'unique()', email: email() },
    });
    expect(res.body).toMatchObject({ type: 'user_session_already_exists', code: 401 });
  });

  it('refuses a JWT after its duration, and one signed with a key that is no longer configured', async () => {
    const u = await signUpAndIn(h);
    const res = await call<{ jwt: string }>(`${h.endpoint}/account/jwts`, {
      method: 'POST',
      headers: { ...h.headers(), 'x-appwrite-session': u.credential },
      json: { duration: 120 },
    });
    expect(res.status).toBe(201);
    const asJwt = () => call(`${h.endpoint}/account`, { headers: { ...h.headers(), 'x-appwrite-jwt': res.body.jwt } });
    expect((await asJwt()).status).toBe(200);
    h.clock.advance(121);
    try {
      expect((await asJwt()).body).toMatchObject({ type: 'user_jwt_invalid' });
    } finally {
      h.clock.offsetMs = 0;
    }
    const header = JSON.parse(Buffer.from(res.body.jwt.split('.')[0], 'base64url').toString()) as { kid: string };
    const unknownKid = [
      Buffer.from(JSON.stringify({ ...header, kid: 'retired' })).toString('base64url'),
      ...res.body.jwt.split('.').slice(1),
    ].join('.');
    expect((await call(`${h.endpoint}/account`, { headers: { ...h.headers(), 'x-appwrite-jwt': unknownKid } })).body).toMatchObject({
      type: 'user_jwt_invalid',
    });
  });

  describe('password recovery', () => {
    it('checks the url host like verification links', async () => {
      const u = await signUpAndIn(h);
      const res = await post('/account/recovery', { email: u.email, url: 'https://evil.test/reset' });
      expect(res.body).toMatchObject({ type: 'general_argument_invalid', code: 400 });
    });

    it('stores the link secret as a keyed hash, queues it sealed, and refuses it after an hour', async () => {
      const u = await signUpAndIn(h);
      const res = await post<Token>('/account/recovery', { email: u.email, url: 'https://app.example.test/reset' });
      expect(res.status).toBe(201);
      expect(res.body.userId).toBe('');
      const { job, secret, raw } = await delivered(res.body.$id);
      expect(job.name).toBe(OtpDeliveryJobName.PasswordRecoveryLink);
      const linkSecret = new URL(secret.url!).searchParams.get('secret')!;
      expect(raw).not.toContain(linkSecret);
      expect(raw).not.toContain(u.email);
      const row = (await h.pg.query('SELECT kind, secret_hash FROM verification_tokens WHERE id = $1', [res.body.$id])).rows[0];
      expect(row).toMatchObject({ kind: 'recovery' });
      expect(row.secret_hash).not.toBe(linkSecret);
      h.clock.advance(h.config.PASSWORD_RECOVERY_TTL_SECONDS + 1);
      try {
        expect(
          (await put('/account/recovery', { userId: u.userId, secret: linkSecret, password: 'another fine passphrase' })).body,
        ).toMatchObject({ type: 'user_invalid_token' });
      } finally {
        h.clock.offsetMs = 0;
      }
    });

    it('resets the password once when 20 requests race with the same link', async () => {
      const u = await signUpAndIn(h);
      const res = await post<Token>('/account/recovery', { email: u.email, url: 'https://app.example.test/reset' });
      const linkSecret = new URL((await delivered(res.body.$id)).secret.url!).searchParams.get('secret')!;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          h.app
            .getHttpAdapter()
            .getInstance()
            .inject({
              method: 'PUT',
              url: '/v1/account/recovery',
              headers: h.headers({ 'x-appwrite-key': h.config.APP_API_KEY }),
              payload: { userId: u.userId, secret: linkSecret, password: `raced passphrase ${i}` },
            }),
        ),
      );
      expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
      expect(results.every((r) => r.statusCode === 200 || r.statusCode === 401)).toBe(true);
    });

    it('a recovery secret is not a sign-in secret, and a sign-in secret is not a recovery secret', async () => {
      const u = await signUpAndIn(h);
      const res = await post<Token>('/account/recovery', { email: u.email, url: 'https://app.example.test/reset' });
      const linkSecret = new URL((await delivered(res.body.$id)).secret.url!).searchParams.get('secret')!;
      expect((await post('/account/sessions/token', { userId: u.userId, secret: linkSecret })).status).toBe(401);
      const magic = await post<Token>('/account/tokens/magic-url', {
        userId: 'unique()',
        email: u.email,
        url: 'https://app.example.test/m',
      });
      const magicSecret = new URL((await delivered(magic.body.$id)).secret.url!).searchParams.get('secret')!;
      expect((await put('/account/recovery', { userId: u.userId, secret: magicSecret, password: 'another fine passphrase' })).status).toBe(
        401,
      );
      // both still work for their own purpose
      expect((await put('/account/recovery', { userId: u.userId, secret: linkSecret, password: 'another fine passphrase' })).status).toBe(
        200,
      );
      expect((await post('/account/sessions/token', { userId: u.userId, secret: magicSecret })).status).toBe(201);
    });
  });
});
