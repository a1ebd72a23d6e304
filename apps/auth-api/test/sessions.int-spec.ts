import { admin, asUser, AuthApiHarness, call, signUpAndIn, startAuthApi } from './harness';

interface Session {
  $id: string;
  current: boolean;
  expire: string;
  factors: string[];
  secret: string;
  provider: string;
}

describe('sessions (real Postgres and Redis)', () => {
  let h: AuthApiHarness;

  beforeAll(async () => {
    h = await startAuthApi({ label: 'sessions' });
  }, 30_000);

  afterAll(async () => {
    await h?.close();
  });

  const signIn = (email: string, password: string, headers: Record<string, string> = {}) =>
    call<Session>(`${h.endpoint}/account/sessions/email`, { method: 'POST', headers: h.headers(headers), json: { email, password } });

  it('creates password sessions with factors ["password"] and stores only the SHA-256 of the secret', async () => {
    const u = await signUpAndIn(h);
    const res = await signIn(u.email, u.password);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      factors: ['password'],
      provider: 'email',
      current: true,
      secret: '',
      mfaUpdatedAt: '',
      countryCode: '--',
      countryName: 'Unknown',
    });
    const fallback = JSON.parse(res.headers.get('x-fallback-cookies')!) as Record<string, string>;
    const secret = (JSON.parse(Buffer.from(fallback[`a_session_${h.config.APP_PROJECT_ID}`], 'base64').toString()) as { secret: string })
      .secret;
    expect(secret).toMatch(/^[0-9a-f]{256}$/);
    const rows = await h.pg.query('SELECT secret_hash FROM sessions WHERE id = $1', [res.body.$id]);
    expect(rows.rows[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows.rows[0].secret_hash).not.toContain(secret.slice(0, 32));
    const dump = JSON.stringify((await h.pg.query('SELECT * FROM sessions')).rows);
    expect(dump).not.toContain(secret);
  });

  it('returns the encoded credential in `secret` only to API-key callers', async () => {
    const u = await signUpAndIn(h);
    const asKey = await signIn(u.email, u.password, { 'x-appwrite-key': h.config.APP_API_KEY });
    expect(asKey.body.secret).toBe(asKey.headers.get('set-cookie')?.match(/a_session_test-project_legacy=([^;]+)/)?.[1]);
    expect((await asUser(h, asKey.body.secret, 'GET', '/account')).status).toBe(200);
  });

  it('gives the same 401 user_invalid_credentials for an unknown email and a wrong password', async () => {
    const u = await signUpAndIn(h);
    const wrong = await signIn(u.email, 'not the password');
    const unknown = await signIn('nobody-here@example.test', 'not the password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect({ ...unknown.body, version: 0 }).toEqual({ ...wrong.body, version: 0 });
    expect(wrong.body).toMatchObject({ type: 'user_invalid_credentials' });
  });

  it('spends about as long on an unknown email as on a wrong password (a dummy argon2 verification)', async () => {
    const u = await signUpAndIn(h);
    const time = async (email: string) => {
      const t0 = performance.now();
      // a fresh key per attempt keeps the rate limit out of the measurement
      await call(`${h.endpoint}/account/sessions/email`, {
        method: 'POST',
        headers: h.headers(),
        json: { email, password: 'wrong password!' },
      });
      return performance.now() - t0;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 8; i++) {
      known.push(await time(u.email));
      unknown.push(await time(`nobody${i}@example.test`));
      await h.redis.eval(
        `for _,k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end`,
        0,
        `${h.config.REDIS_KEY_PREFIX}:rl:*`,
      );
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    // without the dummy hash an unknown email answers in a fraction of the argon2 time
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.6);
  });

  it('limits sign-in to 10 attempts an hour per email, shared by both paths, and resets on success', async () => {
    const u = await signUpAndIn(h);
    for (let i = 0; i < 9; i++) expect((await signIn(u.email.toUpperCase(), 'wrong password!')).status).toBe(401);
    const tenth = await call(`${h.endpoint}/account/sessions`, {
      method: 'POST',
      headers: h.headers(),
      json: { email: u.email, password: 'wrong password!' },
    });
    expect(tenth.status).toBe(401);
    expect(tenth.headers.get('x-ratelimit-remaining')).toBe('0');
    const limited = await signIn(u.email, u.password);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ type: 'general_rate_limit_exceeded', code: 429 });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);

    // another email is not affected; a success resets its own counter
    const v = await signUpAndIn(h);
    for (let i = 0; i < 5; i++) await signIn(v.email, 'wrong password!');
    expect((await signIn(v.email, v.password)).status).toBe(201);
    expect((await signIn(v.email, 'wrong password!')).headers.get('x-ratelimit-remaining')).toBe('9');
  });

  it('keeps at most SESSION_MAX_PER_USER sessions, deleting the oldest', async () => {
    const u = await signUpAndIn(h);
    const first = u.credential;
    for (let i = 0; i < h.config.SESSION_MAX_PER_USER; i++) {
      expect((await signIn(u.email, u.password, { 'x-appwrite-key': h.config.APP_API_KEY })).status).toBe(201);
    }
    const { rows } = await h.pg.query('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [u.userId]);
    expect(rows[0].n).toBe(h.config.SESSION_MAX_PER_USER);
    expect((await asUser(h, first, 'GET', '/account')).status).toBe(401);
  });

  it('lists, reads, extends and deletes the user’s own sessions, marking the current one', async () => {
    const u = await signUpAndIn(h);
    const other = await signIn(u.email, u.password, { 'x-appwrite-key': h.config.APP_API_KEY });
    const list = await asUser<{ total: number; sessions: Session[] }>(h, u.credential, 'GET', '/account/sessions');
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    expect(list.body.sessions.find((s) => s.$id === u.sessionId)?.current).toBe(true);
    expect(list.body.sessions.find((s) => s.$id === other.body.$id)?.current).toBe(false);
    expect(list.body.sessions.every((s) => s.secret === '')).toBe(true);

    expect((await asUser<Session>(h, u.credential, 'GET', '/account/sessions/current')).body.$id).toBe(u.sessionId);
    expect((await asUser<Session>(h, u.credential, 'GET', `/account/sessions/${other.body.$id}`)).body.current).toBe(false);

    h.clock.advance(3600);
    try {
      const extended = await asUser<Session>(h, u.credential, 'PATCH', '/account/sessions/current', {});
      expect(extended.status).toBe(200);
      expect(extended.body.$id).toBe(u.sessionId);
    } finally {
      h.clock.offsetMs = 0;
    }

    const stranger = await signUpAndIn(h);
    const foreign = await asUser(h, stranger.credential, 'DELETE', `/account/sessions/${other.body.$id}`, {});
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ type: 'user_session_not_found' });
    expect((await asUser(h, u.credential, 'GET', '/account/sessions/not-a-session')).body).toMatchObject({
      type: 'user_session_not_found',
    });
    expect((await asUser(h, u.credential, 'GET', '/account/sessions/..%2Fx')).status).toBe(400);

    const del = await asUser(h, u.credential, 'DELETE', `/account/sessions/${other.body.$id}`, {});
    expect(del.status).toBe(204);
    expect(del.headers.get('set-cookie')).toBeNull();
    expect((await asUser(h, other.body.secret, 'GET', '/account')).status).toBe(401);
  });

  it('extending a session never moves `expire` past created + SESSION_DURATION_SECONDS', async () => {
    const u = await signUpAndIn(h);
    const created = await asUser<Session & { $createdAt: string }>(h, u.credential, 'GET', '/account/sessions/current');
    const cap = new Date(created.body.$createdAt).getTime() + h.config.SESSION_DURATION_SECONDS * 1000;
    expect(new Date(created.body.expire).getTime()).toBe(cap);
    try {
      for (const days of [1, 5]) {
        h.clock.advance(days * 86_400);
        const extended = await asUser<Session>(h, u.credential, 'PATCH', '/account/sessions/current', {});
        expect(extended.status).toBe(200);
        expect(new Date(extended.body.expire).getTime()).toBe(cap);
      }
      const { rows } = await h.pg.query('SELECT expire FROM sessions WHERE id = $1', [u.sessionId]);
      expect((rows[0].expire as Date).getTime()).toBe(cap);
      h.clock.offsetMs = cap - Date.now() + 1000;
      expect((await asUser(h, u.credential, 'PATCH', '/account/sessions/current', {})).status).toBe(401);
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it('a session still missing the second factor MFA requires ends MFA_PENDING_SESSION_SECONDS after its creation, on every route', async () => {
    const u = await signUpAndIn(h);
    const bystander = await signUpAndIn(h);
    // MFA on with a verified email: a password-only session is pending (no mfa-service answer needed)
    await h.pg.query('UPDATE users SET mfa = true, email_verification = true WHERE id = $1', [u.userId]);
    const pending = await signIn(u.email, u.password, { 'x-appwrite-key': h.config.APP_API_KEY });
    expect(pending.status).toBe(201);
    const fallback = JSON.parse(pending.headers.get('x-fallback-cookies') ?? '{}') as Record<string, string>;
    const credential = pending.body.secret || fallback[`a_session_${h.config.APP_PROJECT_ID}`];
    const partial = await asUser(h, credential, 'GET', '/account');
    expect(partial.body).toMatchObject({ type: 'user_more_factors_required' });
    try {
      h.clock.advance(h.config.MFA_PENDING_SESSION_SECONDS - 5);
      expect((await asUser(h, credential, 'GET', '/account')).body).toMatchObject({ type: 'user_more_factors_required' });
      h.clock.advance(10);
      const refused = await asUser(h, credential, 'GET', '/account');
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ type: 'general_unauthorized_scope' });
      // the partial routes refuse it too
      const logout = await asUser(h, credential, 'DELETE', '/account/sessions/current', {});
      expect(logout.status).toBe(401);
      expect(logout.body).toMatchObject({ type: 'general_unauthorized_scope' });
      // a full session of the same age is unaffected
      expect((await asUser(h, bystander.credential, 'GET', '/account')).status).toBe(200);
      // and a new sign-in is possible (the pending credential is not a session any more)
      expect(
        (
          await call(`${h.endpoint}/account/sessions/email`, {
            method: 'POST',
            headers: h.headers({ 'x-appwrite-session': credential }),
            json: { email: u.email, password: u.password },
          })
        ).status,
      ).toBe(201);
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it('logs out everywhere with DELETE /account/sessions, clearing the cookies', async () => {
    const u = await signUpAndIn(h);
    const other = await signIn(u.email, u.password, { 'x-appwrite-key': h.config.APP_API_KEY });
    const res = await asUser(h, u.credential, 'DELETE', '/account/sessions', {});
    expect(res.status).toBe(204);
    expect(res.headers.get('content-type')).toBeNull();
    expect(res.headers.get('x-fallback-cookies')).toBe('[]');
    expect(res.headers.getSetCookie().every((c) => c.includes('expires=Thu, 01 Jan 1970'))).toBe(true);
    expect((await asUser(h, u.credential, 'GET', '/account')).status).toBe(401);
    expect((await asUser(h, other.body.secret, 'GET', '/account')).status).toBe(401);
  });

  it('creates server sessions for the admin with factors ["server"] and the credential in `secret`', async () => {
    const u = await signUpAndIn(h);
    const res = await admin<Session>(h, 'POST', `/users/${u.userId}/sessions`);
    expect(res.status).toBe(201);
    expect(res.body.factors).toEqual(['server']);
    expect((await asUser<{ $id: string }>(h, res.body.secret, 'GET', '/account')).body.$id).toBe(u.userId);
  });
});
